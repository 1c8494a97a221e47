"""A score's setting as a type: shots, chain of thought, how the answer was sampled, and the
thinking budget where stated, parsed from the row's free-text `metric` and `note` (the text
stays on the row; this is a reading of it).

Why it matters: a best-of-256 score with a learned selector, a majority vote over 32
samples or a pass@64 is not the same measurement as one attempt per question, and a gap
between two such rows measures the sampling as much as the models. Gaps and the index
therefore take only *single-attempt* scores (`single_attempt`): pass@1, the mean accuracy
over k samples (avg@k, an estimate of pass@1), or a setting that names no sampling (one
attempt is how benchmarks are scored unless a source says otherwise). A row whose setting
is pass@k (k > 1), majority@k (k > 1) or best-of-N is left out with its reason
(`not_comparable`). So is a score obtained with tools (`with python tool`): a gap
compares models, not a model with an interpreter against one without.

A source's own words may be wrong (LLMStats labels Qwen3's 64-sample mean "Pass@64"); a
row's note corrects them with an explicit clause, `sampling: avg@64` (or `best-of-N`,
`best-of-256`, `pass@1`, `majority@32`, `pass@8`), which wins over the parsed text.
Shots and chain of thought are recorded but do not exclude a row: sources of one
benchmark mix them (5-shot and 0-shot CoT MMLU), and the check reports them, not drops them.
"""

from __future__ import annotations

import functools
import re
from typing import Literal

from gaptrack.base import Frozen

Sampling = Literal["pass@1", "pass@k", "majority@k", "best-of-N", "avg@k"]
SINGLE_ATTEMPT: frozenset[str | None] = frozenset({None, "pass@1", "avg@k"})
"""Samplings that estimate one attempt per question: comparable with each other."""


class Setting(Frozen):
    """How a score was obtained, as far as its source says."""

    shots: int | None = None
    """Examples in the prompt (0: zero-shot); None where not stated."""
    cot: bool | None = None
    """Chain-of-thought prompting stated (True); None where not stated."""
    sampling: Sampling | None = None
    """pass@1 (one attempt), pass@k (any of k correct), majority@k (majority vote of k),
    best-of-N (N attempts, one chosen by a scorer), avg@k (mean accuracy of k attempts);
    None where the source names none."""
    k: int | None = None
    """Samples behind pass@k, majority@k, avg@k or best-of-N, where stated."""
    thinking_budget: int | None = None
    """Thinking tokens allowed, where stated (`up to 64K tokens` -> 64000)."""
    tools: bool | None = None
    """The model could run tools (a Python interpreter, search): True where stated, False
    where the source says `no tools`; None where not stated."""
    text: str = ""
    """The text the setting was read from (metric, then note)."""

    @property
    def label(self) -> str:
        """Short form for tables: `best-of-256`, `majority@32`, `pass@1`, `unstated`."""
        if self.sampling is None:
            return "unstated"
        if self.sampling == "pass@1":
            return "pass@1"
        n = str(self.k) if self.k else ("N" if self.sampling == "best-of-N" else "k")
        return {
            "pass@k": f"pass@{n}",
            "majority@k": f"majority@{n}",
            "best-of-N": f"best-of-{n}",
            "avg@k": f"avg@{n}",
        }[self.sampling]


_OVERRIDE = re.compile(
    r"sampling:\s*(pass@\d+|majority@\d+|avg@\d+|best-of-(?:\d+|N))", re.IGNORECASE
)
_BEST_OF = re.compile(r"best[- ]of[- ]?(\d+|N)\b", re.IGNORECASE)
_PARALLEL = re.compile(r"parallel test[- ]time compute|internal scoring model", re.IGNORECASE)
_MAJORITY = re.compile(r"\b(?:em_)?(?:maj|majority|cons)\d*\s*@\s*(\d+)", re.IGNORECASE)
_AVG = re.compile(r"\bavg\s*@\s*(\d+)|average (?:accuracy )?(?:over|of) (\d+) samples", re.I)
_PASS = re.compile(r"\bpass\s*@\s*(\d+)", re.IGNORECASE)
_SHOTS = re.compile(r"\b(\d+)[- ]shot", re.IGNORECASE)
_ZERO = re.compile(r"\bzero[- ]shot", re.IGNORECASE)
_COT = re.compile(r"\bCoT\b|chain[- ]of[- ]thought", re.IGNORECASE)
_TOOLS = re.compile(r"\bwith (?:a )?(?:python|tools?|code interpreter|search)\b|w/ python", re.I)
_NO_TOOLS = re.compile(r"\bno tools\b|without tools", re.IGNORECASE)
_BUDGET = re.compile(r"(\d+(?:\.\d+)?)\s*([kK])?[- ]?(?:thinking[- ])?tokens?\b")


def _sampling(text: str) -> tuple[Sampling | None, int | None]:
    """The first sampling the text states, most specific first: a scorer choosing among
    attempts before a vote, a vote before pass@k."""
    override = _OVERRIDE.search(text)
    if override:
        text = override.group(1)
    best = _BEST_OF.search(text)
    if best:
        n = best.group(1)
        return "best-of-N", int(n) if n.isdigit() else None
    if _PARALLEL.search(text):
        return "best-of-N", None
    for pattern, kind in ((_MAJORITY, "majority@k"), (_AVG, "avg@k"), (_PASS, "pass@k")):
        found = pattern.search(text)
        if found:
            k = int(next(g for g in found.groups() if g))
            if k == 1:  # maj@1, pass@1, avg@1: one attempt
                return "pass@1", None
            return kind, k  # type: ignore[return-value]
    return None, None


def _budget(text: str) -> int | None:
    if "think" not in text.lower():
        return None
    found = _BUDGET.search(text)
    if not found:
        return None
    return int(float(found.group(1)) * (1000 if found.group(2) else 1))


@functools.lru_cache(maxsize=4096)
def parse_setting(metric: str, note: str = "") -> Setting:
    """The setting stated by a row's metric and note (the note's `sampling:` clause wins)."""
    text = " | ".join(t for t in (metric.strip(), note.strip()) if t)
    override = _OVERRIDE.search(note)
    sampling, k = _sampling(override.group(0) if override else text)
    shots = _SHOTS.search(text)
    return Setting(
        shots=int(shots.group(1)) if shots else (0 if _ZERO.search(text) else None),
        cot=True if _COT.search(text) else None,
        sampling=sampling,
        k=k,
        thinking_budget=_budget(text),
        tools=False if _NO_TOOLS.search(text) else (True if _TOOLS.search(text) else None),
        text=text,
    )


def setting_of(row: object) -> Setting:
    """The setting of an evidence row (a row without metric or note: all unstated)."""
    return parse_setting(getattr(row, "metric", "") or "", getattr(row, "note", "") or "")


def single_attempt(setting: Setting) -> bool:
    """One attempt per question (pass@1, avg@k, or no sampling named)."""
    return setting.sampling in SINGLE_ATTEMPT


def not_comparable(row: object) -> str | None:
    """Why a score row cannot enter a gap or the index with single-attempt scores, or None
    where it can (only score rows have a setting; other kinds are never excluded here)."""
    if getattr(row, "quantity", "score") != "score":
        return None
    setting = setting_of(row)
    if setting.tools:
        return (
            "tool use: the model ran tools (a Python interpreter, search), not comparable "
            f"with scores without them ({setting.text[:80]})"
        )
    if single_attempt(setting):
        return None
    return (
        f"sampling {setting.label}: not a single-attempt score, not comparable with pass@1 "
        f"({setting.text[:80]})"
    )


def comparable(a: object, b: object) -> str | None:
    """Why two score rows cannot form a gap, or None where they can: both single-attempt,
    or the same multi-sample setting (same sampling and k), and tools on both or neither."""
    sa, sb = setting_of(a), setting_of(b)
    if bool(sa.tools) != bool(sb.tools):
        return "tool use differs"
    if single_attempt(sa) and single_attempt(sb):
        return None
    if sa.sampling == sb.sampling and sa.k == sb.k and sa.k is not None:
        return None
    return f"sampling differs: {sa.label} vs {sb.label}"


def differences(a: object, b: object) -> list[str]:
    """What two rows' stated settings differ in (`shots 0 vs 5`, `CoT stated vs not`,
    `sampling pass@1 vs unstated`, `tools vs none`); empty where their settings read alike
    (two texts that state nothing, such as `Accuracy` and `Score`, read alike)."""
    sa, sb = setting_of(a), setting_of(b)
    out = []

    def text(value: object, unstated: str = "unstated") -> str:
        return unstated if value is None else str(value)

    if sa.shots != sb.shots:
        out.append(f"shots {text(sa.shots)} vs {text(sb.shots)}")
    if sa.cot != sb.cot:
        out.append(
            f"CoT {'stated' if sa.cot else 'not stated'} vs {'stated' if sb.cot else 'not stated'}"
        )
    if sa.label != sb.label:
        out.append(f"sampling {sa.label} vs {sb.label}")
    if bool(sa.tools) != bool(sb.tools):
        out.append(f"tools {'used' if sa.tools else 'none'} vs {'used' if sb.tools else 'none'}")
    if sa.thinking_budget != sb.thinking_budget:
        out.append(
            f"thinking budget {text(sa.thinking_budget)} vs {text(sb.thinking_budget)} tokens"
        )
    return out
