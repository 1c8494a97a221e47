"""Claim -> verdict: the evaluator of each statement kind, looked up in one table. A new
claim kind is a statement class in claims.py, one evaluator function, and one entry here."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from gaptrack.compare.claims import STATEMENT_TAGS, Claim, Document
from gaptrack.compare.evidence import EvidenceRow
from gaptrack.compare.verdicts.base import ClaimVerdict, Evaluation
from gaptrack.compare.verdicts.cadence import evaluate_cadence
from gaptrack.compare.verdicts.event import evaluate_event
from gaptrack.compare.verdicts.figure import evaluate_figure
from gaptrack.compare.verdicts.gap import evaluate_parity, evaluate_threshold, evaluate_trend

Evaluator = Callable[[Claim, Sequence[EvidenceRow]], list[Evaluation]]
"""Evaluations of a claim's statement, in the claim's order of preference (first decides),
from all evidence rows (measured and reported)."""

EVALUATORS: dict[str, Evaluator] = {
    "gap_threshold": evaluate_threshold,
    "gap_parity": evaluate_parity,
    "gap_trend": evaluate_trend,
    "cadence": evaluate_cadence,
    "figure": evaluate_figure,
    "event": evaluate_event,
}

if set(EVALUATORS) != STATEMENT_TAGS:  # a statement kind without an evaluator fails at import
    raise RuntimeError(f"statement kinds without evaluator: {STATEMENT_TAGS ^ set(EVALUATORS)}")


def evaluate_claim(claim: Claim, document: Document, rows: Sequence[EvidenceRow]) -> ClaimVerdict:
    """Verdict of one claim on all evidence rows (measured and reported together)."""
    base = {"claim": claim, "document": document}
    if claim.statement is None:
        return ClaimVerdict(**base, verdict="untested")
    evaluations = EVALUATORS[claim.statement.kind](claim, rows)
    first = evaluations[0]
    return ClaimVerdict(
        **base, verdict=first.verdict, evidence_kind=first.evidence_kind, evaluations=evaluations
    )
