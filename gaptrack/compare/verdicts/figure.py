"""Figure statements: a reported non-benchmark number against a claimed value."""

from __future__ import annotations

from collections.abc import Sequence

from gaptrack.compare.claims import Claim, FigureCheck
from gaptrack.compare.dates import period_end, period_start
from gaptrack.compare.evidence import EvidenceKind, EvidenceRow, FigureRow
from gaptrack.compare.verdicts.base import (
    Check,
    Evaluation,
    agree,
    compare,
    reported_rows,
    unique_rows,
)

APPROXIMATE_MARGIN = 0.05
"""An approximate figure ("about 400") this close (relative) to the claimed value decides
nothing."""


def _row_check(statement: FigureCheck, row: FigureRow) -> Check:
    label = (
        f"{statement.figure} per {row.source} ({row.snapshot.isoformat()}) "
        f"{statement.op} {statement.value:g}"
    )
    verdict, reason = compare(row.value, None, statement.op, statement.value)
    close = abs(row.value - statement.value) <= APPROXIMATE_MARGIN * abs(statement.value)
    if row.approximate and close:
        verdict = "inconclusive"
        reason = (
            f"the source gives an approximate {row.value:g}, within "
            f"{APPROXIMATE_MARGIN:.0%} of the claimed {statement.value:g}"
        )
    return Check(label=label, verdict=verdict, value=row.value, reason=reason)


def evaluate_figure(claim: Claim, rows: Sequence[EvidenceRow]) -> list[Evaluation]:
    statement: FigureCheck = claim.statement
    start, end = period_start(statement.start), period_end(statement.end)
    used = unique_rows(
        [
            r
            for r in reported_rows(rows)
            if r.quantity == "figure"
            and r.benchmark == statement.figure
            and r.model == statement.subject
            and r.snapshot is not None
            and start <= r.snapshot <= end
        ]
    )
    checks = [_row_check(statement, row) for row in used] or [
        Check(
            label=f"{statement.figure} {statement.op} {statement.value:g}",
            verdict="inconclusive",
            reason="no reported figure in the period",
        )
    ]
    evaluation = Evaluation(
        evidence_kind=EvidenceKind.REPORTED,
        verdict=agree([c.verdict for c in checks]),
        value=checks[0].value if len(checks) == 1 else None,
        checks=checks,
        models=[statement.subject],
        notes=[r.note for r in used if r.note],
        rows=used,
    )
    return [evaluation]
