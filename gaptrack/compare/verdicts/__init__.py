"""Claim + evidence -> verdict in one vocabulary for every claim kind (base.Label):
supported, contradicted, not reproduced, not independent, inconclusive, untestable.

base: what evaluators produce; dispatch: statement kind -> evaluator; gap, cadence,
figure, event: one module per statement family."""

from gaptrack.compare.verdicts.base import (
    Check,
    ClaimVerdict,
    Evaluation,
    Label,
    PublishedGap,
    combine,
    compare,
)
from gaptrack.compare.verdicts.dispatch import EVALUATORS, evaluate_claim

__all__ = [
    "EVALUATORS",
    "Check",
    "ClaimVerdict",
    "Evaluation",
    "Label",
    "PublishedGap",
    "combine",
    "compare",
    "evaluate_claim",
]
