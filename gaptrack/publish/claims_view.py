"""A claim's verdict flattened to one line of named cells: what claims.csv, the console
table and the report show for each claim, so the three can never disagree."""

from __future__ import annotations

from collections.abc import Sequence

from pydantic import BaseModel

from gaptrack.compare.evidence import STATUS_ORDER, EvidenceRow, source_status
from gaptrack.compare.verdicts import ClaimVerdict, Evaluation


class ClaimLine(BaseModel):
    """One claim as claims.csv has it (field order = column order)."""

    claim: str
    """Claim id."""
    document: str
    """Source document id."""
    date: str
    """Date of the claim, as precise as the source gives it (YYYY, YYYY-MM or YYYY-MM-DD)."""
    quote: str
    """Exact words of the document."""
    kind: str
    """Kind of claim (benchmark_gap, cadence, policy, ...)."""
    tested: bool
    """Whether a statement could be evaluated against evidence."""
    verdict: str
    """supported, contradicted, not reproduced, not independent, inconclusive or untestable
    (verdicts.base.Label)."""
    specifications: str = "-"
    """The share of the claim's specifications behind the verdict (`24/45 support`; `1/1`
    for a figure, an event or a cadence); `-` for an untestable claim."""
    value: float | None = None
    """The deciding evaluation's value: the gap, the change of the gap, a median interval
    in days; None where the verdict rests on several values (see `checks`)."""
    ci_low: float | None = None
    """Lower end of the value's 95 % interval."""
    ci_high: float | None = None
    """Upper end of the value's 95 % interval."""
    evidence: str | None = None
    """Evidence kind of the deciding evaluation: measured or reported."""
    status: str | None = None
    """The weakest status of the evidence rows used: unverified < secondary < verified
    (measured rows are verified: gaptrack's own records)."""
    models: str = ""
    """Models behind the value, `;`-joined."""
    checks: str = ""
    """Each comparison made: `label = value [low, high] -> verdict`, `;`-joined."""


def deciding(verdict: ClaimVerdict) -> Evaluation | None:
    """The evaluation the verdict comes from (the first in the claim's order of preference)."""
    for ev in verdict.evaluations:
        if ev.evidence_kind == verdict.evidence_kind:
            return ev
    return verdict.evaluations[0] if verdict.evaluations else None


def weakest_status(rows: Sequence[EvidenceRow]) -> str | None:
    return min((source_status(r) for r in rows), key=STATUS_ORDER.__getitem__, default=None)


def _num(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}"


def check_texts(ev: Evaluation) -> list[str]:
    out = []
    for chk in ev.checks:
        interval = f" [{_num(chk.interval.low)}, {_num(chk.interval.high)}]" if chk.interval else ""
        out.append(f"{chk.label} = {_num(chk.value)}{interval} -> {chk.verdict}")
    return out


def share_text(verdict: ClaimVerdict) -> str:
    """`9/12 support` from the claim's specification curve; `1/1` for a claim with one
    specification (a figure, an event, a cadence)."""
    curve = verdict.curve
    if curve is None:
        return "-"
    if verdict.verdict == "not independent":
        return "own source"  # the claim's own citation decides nothing, whatever its share
    if not curve.evaluated:
        return f"0/{len(curve.outcomes)} with evidence"
    if verdict.verdict == "contradicted" or (
        verdict.verdict == "not reproduced" and curve.contradicted > curve.supported
    ):
        return f"{curve.contradicted}/{curve.evaluated} contradict"
    return f"{curve.supported}/{curve.evaluated} support"


def claim_line(verdict: ClaimVerdict) -> ClaimLine:
    claim = verdict.claim
    base = {
        "claim": claim.id,
        "document": claim.document,
        "date": claim.date or verdict.document.date,
        "quote": " ".join(claim.quote.split()),
        "kind": claim.kind,
        "tested": claim.testable,
        "verdict": verdict.verdict,
        "specifications": share_text(verdict),
    }
    ev = deciding(verdict)
    if ev is None:
        return ClaimLine(**base)
    value, interval = ev.value, ev.interval
    valued = [c for c in ev.checks if c.value is not None]
    if value is None and len(valued) == 1:
        value, interval = valued[0].value, valued[0].interval
    return ClaimLine(
        **base,
        value=value,
        ci_low=interval.low if interval else None,
        ci_high=interval.high if interval else None,
        evidence=ev.evidence_kind,
        status=weakest_status(ev.rows),
        models="; ".join(ev.models),
        checks="; ".join(check_texts(ev)),
    )
