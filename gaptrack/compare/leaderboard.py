"""The leaderboard as typed data: one entry per model and evidence kind (measured and
reported scores of the same model are never merged), per-benchmark scores, the mean over
the suite and a rank. publish/ renders it; nothing here formats text."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from typing import Literal

from gaptrack.base import Frozen
from gaptrack.compare.evidence import EvidenceRow
from gaptrack.compare.evidence.registry import ModelEntry, row_entry
from gaptrack.compare.stats import Z95
from gaptrack.compare.vocabulary import BENCHMARKS, benchmark_for_task
from gaptrack.store.records import ModelInfo

Kind = Literal["measured", "reported"]


class Score(Frozen):
    """One model's score on one benchmark, from one evidence row."""

    value: float
    """In the benchmark's unit: accuracy in percent (0-100), or a rating."""
    stderr: float | None = None
    """Standard error: measured or published; from a published 95 % interval when only
    that is given (half-width / 1.96); None where the source gives neither."""
    n_samples: int | None = None
    """Items scored (measured)."""
    row_id: str
    """The evidence row: a store record key (measured) or a reported row id."""


class Entry(Frozen):
    """One leaderboard row: a model as one kind of evidence shows it."""

    id: str
    """gaptrack's model id; for a reported model outside the catalogue, a slug of its name."""
    name: str
    """Display name."""
    origin: str
    """ISO 3166-1 alpha-2 country of the developer."""
    organisation: str | None = None
    """Developer."""
    released: dt.date | None = None
    """Public release date."""
    params_b: float | None = None
    """Parameters in billions, where known."""
    size_class: str | None = None
    """Size class (`<1B`, `~7B`, ...), where the size is known."""
    variant: str | None = None
    """`base` or `instruct` (catalogue models only)."""
    open_weights: bool | None = None
    """Weights downloadable; None where the source does not say."""
    quantization: str | None = None
    """How the evaluated weights differ from the original ones (measured only)."""
    evidence: Kind
    """`measured` (gaptrack's store) or `reported` (published figures)."""
    scores: dict[str, Score]
    """Benchmark id -> score."""
    suite_mean: float | None = None
    """Mean over the suite's benchmarks; None unless every one of them is present."""
    rank: int | None = None
    """1 = highest suite mean within the same evidence kind; None without a suite mean."""

    @property
    def keys(self) -> list[str]:
        """Provenance: the evidence rows behind the scores, in benchmark order."""
        return [s.row_id for _, s in sorted(self.scores.items())]


class Leaderboard(Frozen):
    """Every model with scores, and the column order to show them in."""

    benchmarks: list[str]
    """Benchmarks with at least one score: the suite's first, then the catalogue's order."""
    suite: list[str]
    """Benchmarks the suite mean is taken over."""
    entries: list[Entry]
    """Measured entries first, each kind by rank, then by name."""


def suite_benchmarks(tasks: Iterable[str]) -> list[str]:
    """Benchmark ids of a config's suite tasks, in suite order, without repeats."""
    return list(dict.fromkeys(benchmark_for_task(t) for t in tasks))


def _stderr(row: EvidenceRow) -> float | None:
    if row.stderr is not None:
        return row.stderr
    if row.ci_low is not None and row.ci_high is not None:
        return (row.ci_high - row.ci_low) / (2 * Z95)
    return None


def _latest(rows: Sequence[EvidenceRow]) -> EvidenceRow:
    """Of several reported rows for one model and benchmark: the latest leaderboard
    snapshot, then the most recently published source, then the lowest row id."""
    return sorted(
        rows,
        key=lambda r: (
            -(r.snapshot or dt.date.min).toordinal(),
            -(r.published or dt.date.min).toordinal(),
            r.row_id,
        ),
    )[0]


def slug(name: str) -> str:
    return re.sub(r"[^a-z0-9.]+", "-", name.lower()).strip("-")


def _score(row: EvidenceRow) -> Score:
    return Score(value=row.value, stderr=_stderr(row), n_samples=row.n_samples, row_id=row.row_id)


def measured_entries(rows: Iterable[EvidenceRow], models: dict[str, ModelInfo]) -> list[Entry]:
    """One entry per measured model; `rows` as compare.evidence.load_measured gives them
    (one per model and benchmark), `models` the stored model descriptions by id."""
    by_model: dict[str, list[EvidenceRow]] = {}
    for row in rows:
        if row.kind == "measured" and row.value is not None and row.model_id:
            by_model.setdefault(row.model_id, []).append(row)
    entries = []
    for model_id, model_rows in by_model.items():
        info = models[model_id]
        entries.append(
            Entry(
                id=info.id,
                name=info.name,
                origin=info.origin,
                organisation=info.organisation,
                released=info.released,
                params_b=info.params_b,
                size_class=info.size_class,
                variant=info.variant,
                open_weights=info.open_weights,
                quantization=info.quantization,
                evidence="measured",
                scores={r.benchmark: _score(r) for r in model_rows},
            )
        )
    return entries


def reported_entries(rows: Iterable[EvidenceRow]) -> list[Entry]:
    """One entry per reported model version, each benchmark from its latest row. The
    version is the registry's (so "GPT-4" and "GPT-4 (Mar 2023)" are one entry, named
    and dated as the registry has it); a model the registry lacks is keyed by its
    gaptrack id, else its name ignoring case and punctuation."""
    grouped: dict[str, dict[str, list[EvidenceRow]]] = {}
    entries_of: dict[str, ModelEntry] = {}
    for row in rows:
        if row.kind != "reported" or row.quantity != "score" or row.value is None:
            continue
        entry = row_entry(row)
        key = entry.version if entry else (row.model_id or slug(row.model))
        if entry:
            entries_of[key] = entry
        grouped.setdefault(key, {}).setdefault(row.benchmark, []).append(row)
    entries = []
    for key, per_bench in grouped.items():
        chosen = {b: _latest(rs) for b, rs in per_bench.items()}
        every = [r for rs in per_bench.values() for r in rs]
        first = _latest(every)

        known = _first_stated(every)
        reg = entries_of.get(key)
        entries.append(
            Entry(
                id=key,
                name=reg.name if reg else first.model,
                origin=(reg.origin if reg and reg.origin else first.origin) or "",
                organisation=reg.organisation
                if reg and reg.organisation
                else known("organisation"),
                released=(reg.released_on if reg and reg.released_on else known("released")),
                params_b=reg.params_b if reg and reg.params_b else known("params_b"),
                size_class=first.size_class,
                open_weights=(
                    reg.open_weights
                    if reg and reg.open_weights is not None
                    else known("open_weights")
                ),
                evidence="reported",
                scores={b: _score(r) for b, r in chosen.items()},
            )
        )
    return entries


def _first_stated(rows: Sequence[EvidenceRow]):
    """A lookup of model facts (release date, size, ...) from whichever row states them:
    sources differ in what they print; rows are tried in row-id order (deterministic)."""
    ordered = sorted(rows, key=lambda r: r.row_id)

    def known(field: str):
        return next((getattr(r, field) for r in ordered if getattr(r, field) is not None), None)

    return known


def _order(benchmarks: set[str], suite: Sequence[str]) -> list[str]:
    catalogue = [b for b in BENCHMARKS if b in benchmarks and b not in suite]
    others = sorted(b for b in benchmarks if b not in BENCHMARKS and b not in suite)
    return [*[b for b in suite if b in benchmarks], *catalogue, *others]


def rank_entries(entries: Sequence[Entry], suite: Sequence[str]) -> list[Entry]:
    """Suite means and ranks (competition ranking: equal means share a rank)."""
    out = []
    for kind in ("measured", "reported"):
        scored = []
        for e in entries:
            if e.evidence != kind:
                continue
            present = suite and all(b in e.scores for b in suite)
            mean = sum(e.scores[b].value for b in suite) / len(suite) if present else None
            scored.append(e.model_copy(update={"suite_mean": mean}))
        scored.sort(key=lambda e: (e.suite_mean is None, -(e.suite_mean or 0.0), e.name, e.id))
        previous, rank = None, 0
        for position, e in enumerate(scored, start=1):
            if e.suite_mean is None:
                out.append(e)
                continue
            if e.suite_mean != previous:
                rank, previous = position, e.suite_mean
            out.append(e.model_copy(update={"rank": rank}))
    return out


def build_leaderboard(
    rows: Sequence[EvidenceRow], models: dict[str, ModelInfo], suite: Sequence[str]
) -> Leaderboard:
    """The leaderboard of measured and reported scores; `suite` benchmarks make the mean."""
    entries = [*measured_entries(rows, models), *reported_entries(rows)]
    present = {b for e in entries for b in e.scores}
    return Leaderboard(
        benchmarks=_order(present, suite),
        suite=list(suite),
        entries=rank_entries(entries, suite),
    )
