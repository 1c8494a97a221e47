"""Every reasonable reading of a claim (a specification curve): the defensible analysis
choices, the claim evaluated under each combination, and the verdict from the share.

Choices (README, "How gaptrack decides"):

* model set: all models, open-weight models on both sides, or reasoning models left out
  (the registry's `reasoning` flag); a claim that fixes open weights itself keeps them;
* source tier: third-party runs only, or every tier (evidence.tiers);
* board (leaderboards): LMArena's style-controlled board, or the plain one;
* date rule: the statement's dates, or only scores published by then (fixed test sets),
  or the claim's own alternative reading (`date_reading`: e.g. the board the AI Index's
  figures match);
* threshold: the range a vague word is tested over (`vague`).

Only gap statements have choices; a figure, an event or a cadence has one specification
(the statement as written)."""

from __future__ import annotations

import itertools
from collections.abc import Sequence

from gaptrack.compare.claims import Claim, GapParity, GapThreshold, GapTrend
from gaptrack.compare.evidence import EvidenceKind, EvidenceRow
from gaptrack.compare.evidence.registry import row_entry
from gaptrack.compare.evidence.tiers import tier_of
from gaptrack.compare.verdicts.base import (
    DECIDED,
    SHARE_DECIDES,
    Check,
    ClaimVerdict,
    Evaluation,
    Label,
    SpecCurve,
    Specification,
    SpecOutcome,
    SpecResult,
)
from gaptrack.compare.vocabulary import BENCHMARKS

STYLE_BOARDS = {"chatbot_arena": "chatbot_arena_style_control"}
"""Leaderboard benchmark -> its style-controlled board (the default where it exists)."""
GAP_KINDS = frozenset({"gap_threshold", "gap_parity", "gap_trend"})


class RowSets:
    """The evidence rows each (tier, model set) choice keeps, computed once per check run:
    every claim's specifications filter the same rows the same way."""

    def __init__(self, rows: Sequence[EvidenceRow]):
        self.rows = list(rows)
        self._cache: dict[tuple[str, bool], list[EvidenceRow]] = {}

    def get(
        self, tier: str, non_reasoning: bool, benchmarks: Sequence[str] = ()
    ) -> list[EvidenceRow]:
        """Rows this tier and model set keep; with `benchmarks`, only those benchmarks'
        scores (and every other row): a claim's gaps never read the rest."""
        key = (tier, non_reasoning)
        if key not in self._cache:
            self._cache[key] = [r for r in self.rows if _keep(r, tier, non_reasoning)]
        if not benchmarks:
            return self._cache[key]
        wanted = frozenset(benchmarks)
        full = (*key, wanted)
        if full not in self._cache:
            self._cache[full] = [
                r for r in self._cache[key] if r.quantity != "score" or r.benchmark in wanted
            ]
        return self._cache[full]


def _keep(row: EvidenceRow, tier: str, non_reasoning: bool) -> bool:
    if row.quantity != "score":
        return True  # published gaps, figures, releases: the cross-checks stay
    if tier == "third_party" and tier_of(row) != "third_party_run":
        return False
    if non_reasoning:
        entry = row_entry(row)
        if entry is not None and entry.reasoning:
            return False
    return True


def _leaderboard(claim: Claim) -> bool:
    return any(
        BENCHMARKS[b].leaderboard for b in claim.statement.quantity.benchmarks if b in BENCHMARKS
    )


def specifications(claim: Claim) -> list[Specification]:
    """Every combination of the choices open to this claim, most preferred first: third-
    party before all tiers, style-controlled before plain, stated dates and the main
    threshold first, all models before the restricted sets."""
    statement = claim.statement
    if statement is None or statement.kind not in GAP_KINDS:
        return [Specification(date_rule="stated")]
    quantity = statement.quantity
    fixed = quantity.open_weights_a is not None or quantity.open_weights_b is not None
    sets = (
        ["as_stated", "as_stated_non_reasoning"]
        if fixed
        else ["all", "open_weights", "non_reasoning"]
    )
    tiers = ["third_party", "all"]
    leaderboard = _leaderboard(claim)
    has_style = any(b in STYLE_BOARDS for b in quantity.benchmarks)
    boards = (["style_controlled", "plain"] if has_style else ["plain"]) if leaderboard else [None]
    dates = ["stated"]
    if claim.date_reading is not None:
        dates.append(claim.date_reading.name)
    elif not leaderboard:
        dates.append("published")
    thresholds: list[float | None] = list(claim.vague.thresholds) if claim.vague else [None]
    return [
        Specification(model_set=m, tier=t, board=b, date_rule=d, threshold=h)
        for t, b, d, h, m in itertools.product(tiers, boards, dates, thresholds, sets)
    ]


def _transform(claim: Claim, spec: Specification) -> Claim:
    """The claim as this specification reads it (statement copied, never validated again:
    every change keeps it valid)."""
    statement = claim.statement
    quantity = statement.quantity
    q_update: dict = {}
    if spec.model_set == "open_weights":
        q_update.update(open_weights_a=True, open_weights_b=True)
    if spec.board == "style_controlled":
        q_update["benchmarks"] = [STYLE_BOARDS.get(b, b) for b in quantity.benchmarks]
    s_update: dict = {"quantity": quantity.model_copy(update=q_update)} if q_update else {}
    reading = claim.date_reading
    moved = reading.dates if reading is not None and spec.date_rule == reading.name else {}
    if isinstance(statement, GapThreshold):
        conditions = [
            c.model_copy(
                update={
                    "at": moved.get(c.at, c.at),
                    **({"value": spec.threshold} if spec.threshold is not None else {}),
                }
            )
            for c in statement.conditions
        ]
        s_update["conditions"] = conditions
    elif isinstance(statement, GapParity):
        s_update["at"] = moved.get(statement.at, statement.at)
        if spec.threshold is not None:
            s_update["within"] = spec.threshold
    elif isinstance(statement, GapTrend):
        s_update["start"] = moved.get(statement.start, statement.start)
        s_update["end"] = moved.get(statement.end, statement.end)
    return claim.model_copy(update={"statement": statement.model_copy(update=s_update)})


def _decisive(checks: Sequence[Check]) -> list[Check]:
    change = [c for c in checks if c.label.startswith("change of gap")]
    return change or list(checks)


def _outcome(ev: Evaluation, gap: bool) -> tuple[SpecResult, SpecResult | None]:
    decisive = _decisive(ev.checks)
    if not gap:  # a figure, an event, a cadence: the statement's own verdict
        if not ev.rows:
            return "no evidence", None
        label = (
            ev.verdict
            if ev.verdict in DECIDED or ev.verdict == "not independent"
            else "inconclusive"
        )
        return label, label
    if any(c.value is None for c in decisive):
        return "no evidence", None
    points = [c.point_verdict or c.verdict for c in decisive]
    point: SpecResult = (
        "contradicted"
        if "contradicted" in points
        else "supported"
        if all(p == "supported" for p in points)
        else "inconclusive"
    )
    verdict = (
        ev.verdict
        if ev.verdict in ("supported", "contradicted", "not independent")
        else "inconclusive"
    )
    return verdict, point


def _deciding(evaluations: Sequence[Evaluation]) -> Evaluation:
    for ev in evaluations:
        if ev.evidence_kind == EvidenceKind.REPORTED:
            return ev
    return evaluations[0]


def run_spec(
    claim: Claim, spec: Specification, row_sets: RowSets, evaluator
) -> tuple[SpecOutcome, list[Evaluation]]:
    """The claim under one specification: its outcome and its evaluations."""
    gap = claim.statement is not None and claim.statement.kind in GAP_KINDS
    if not gap:
        evaluations = evaluator(claim, row_sets.rows)
    else:
        non_reasoning = spec.model_set in ("non_reasoning", "as_stated_non_reasoning")
        benchmarks = claim.statement.quantity.benchmarks
        rows = row_sets.get(
            spec.tier, non_reasoning, [*benchmarks, *(STYLE_BOARDS.get(b, b) for b in benchmarks)]
        )
        evaluations = evaluator(
            _transform(claim, spec), rows, published_by=spec.date_rule == "published"
        )
    ev = _deciding(evaluations)
    outcome, point = _outcome(ev, gap)
    decisive = _decisive(ev.checks)
    result = SpecOutcome(
        spec=spec,
        outcome=outcome,
        point_outcome=point,
        value=ev.value,
        values=[c.value for c in decisive],
        intervals=[(c.interval.low, c.interval.high) if c.interval else None for c in decisive],
        point_outcomes=[c.point_verdict or c.verdict for c in decisive],
        labels=[c.label for c in decisive],
        interval=(ev.interval.low, ev.interval.high) if ev.interval is not None else None,
        models=ev.models,
        reason="; ".join(c.reason for c in decisive),
    )
    return result, evaluations


def curve_of(outcomes: list[SpecOutcome]) -> SpecCurve:
    evaluated = [o for o in outcomes if o.outcome != "no evidence"]
    main = next((i for i, o in enumerate(outcomes) if o.outcome != "no evidence"), None)
    return SpecCurve(
        outcomes=outcomes,
        main=main,
        evaluated=len(evaluated),
        supported=sum(o.outcome == "supported" for o in evaluated),
        contradicted=sum(o.outcome == "contradicted" for o in evaluated),
        point_supported=sum(o.point_outcome == "supported" for o in evaluated),
    )


def _differs(a: Specification, b: Specification) -> str:
    """The choices in which b differs from a, in words."""
    names = {
        "model_set": "models",
        "tier": "tier",
        "board": "board",
        "date_rule": "dates",
        "threshold": "threshold",
    }
    out = []
    for field, word in names.items():
        x, y = getattr(a, field), getattr(b, field)
        if x != y:
            out.append(f"{word} {str(y).replace('_', ' ')}")
    return ", ".join(out) or "no choice"


def decide(claim: Claim, curve: SpecCurve, main_ev: Evaluation) -> tuple[Label, str]:
    """The claim's verdict from its curve, and why in words."""
    if main_ev.verdict == "not independent":
        return "not independent", "the evidence is the claim's own source or derived from it"
    if curve.main is None:
        return "inconclusive", curve.text()
    main = curve.outcomes[curve.main]
    models = "; ".join(main.models) or "-"
    base = f"{curve.text()}; main specification ({main.spec.label()}): {main.outcome} ({models})"
    share_s, share_c = curve.share_supported or 0.0, curve.share_contradicted or 0.0
    if share_s >= SHARE_DECIDES:
        return "supported", base
    if claim.reproduces and (share_c >= SHARE_DECIDES or main.outcome == "contradicted"):
        return "not reproduced", f"{base}; {_not_reproduced(claim, curve)}"
    if share_c >= SHARE_DECIDES:
        return "contradicted", base
    return "inconclusive", f"{base}; fewer than {SHARE_DECIDES:.0%} of the specifications agree"


def _values(o: SpecOutcome) -> str:
    return " | ".join("-" if v is None else f"{v:.3g}" for v in o.values)


def _not_reproduced(claim: Claim, curve: SpecCurve) -> str:
    """Per figure the claim restates: the value and models of gaptrack's main
    specification, and the first specification whose point value meets the published
    figure (the choice that explains the difference), or that none does."""
    main = curve.outcomes[curve.main]
    parts = []
    for i, label in enumerate(main.labels):
        models = main.models[i] if i < len(main.models) else "-"
        value = main.values[i]
        shown = "-" if value is None else f"{value:.3g}"
        if main.point_outcomes[i] == "supported":
            parts.append(f"{label}: met ({shown}, {models})")
            continue
        meets = next(
            (
                o
                for o in curve.outcomes
                if i < len(o.point_outcomes) and o.point_outcomes[i] == "supported"
            ),
            None,
        )
        text = f"{label}: gaptrack's main specification gives {shown} ({models})"
        if meets is None:
            text += (
                "; no specification meets the published figure: its model set or settings "
                "are not among the evidence's"
            )
        else:
            other = meets.models[i] if i < len(meets.models) else "-"
            text += (
                f"; met with {_differs(main.spec, meets.spec)} ({meets.values[i]:.3g}, "
                f"{other}): that choice explains the difference"
            )
        parts.append(text)
    return f"{claim.reproduces}'s figures not reproduced: " + "; ".join(parts)


def verdict_from(
    claim: Claim, document, evaluations: list[Evaluation], curve: SpecCurve
) -> ClaimVerdict:
    main_ev = _deciding(evaluations)
    label, why = decide(claim, curve, main_ev)
    if claim.statement.kind not in GAP_KINDS:
        # one specification, no interval to propagate (exact published figures, dates):
        # the statement's own verdict stands
        label = main_ev.verdict if label != "not independent" else label
        why = f"one specification (the statement as written): {main_ev.verdict}"
    return ClaimVerdict(
        claim=claim,
        document=document,
        verdict=label,
        evidence_kind=evaluations[0].evidence_kind,
        evaluations=evaluations,
        weakest_status=evaluations[0].weakest_status,
        curve=curve,
        explanation=why,
    )


__all__ = ["DECIDED", "RowSets", "run_spec", "specifications"]
