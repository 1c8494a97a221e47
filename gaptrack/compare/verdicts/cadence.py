"""Cadence statements: the median interval between successive releases of families."""

from __future__ import annotations

import datetime as dt
import statistics
from collections.abc import Sequence

from gaptrack.compare.claims import Cadence, Claim
from gaptrack.compare.dates import period_end, period_start
from gaptrack.compare.evidence import EvidenceKind, EvidenceRow
from gaptrack.compare.verdicts.base import Check, Evaluation, compare, reported_rows, unique_rows

MIN_CADENCE_INTERVALS = 3


def _releases(
    statement: Cadence, rows: Sequence[EvidenceRow]
) -> dict[str, dict[dt.date, EvidenceRow]]:
    """Per family, one row per release date (release rows first, then scores)."""
    start, end = period_start(statement.start), period_end(statement.end)
    per_family: dict[str, dict[dt.date, EvidenceRow]] = {}
    for row in sorted(rows, key=lambda r: (r.quantity != "release", r.row_id)):
        if (
            row.quantity in ("release", "score")
            and row.family in statement.families
            and row.origin == statement.origin
            and row.released is not None
            and start <= row.released <= end
        ):
            per_family.setdefault(row.family, {}).setdefault(row.released, row)
    return per_family


def evaluate_cadence(claim: Claim, rows: Sequence[EvidenceRow]) -> list[Evaluation]:
    statement: Cadence = claim.statement
    per_family = _releases(statement, reported_rows(rows))
    intervals: list[int] = []
    models = []
    for family in sorted(per_family):
        dates = sorted(per_family[family])
        intervals += [(b - a).days for a, b in zip(dates, dates[1:], strict=False)]
        models += [f"{per_family[family][d].model} ({d.isoformat()})" for d in dates]
    used = unique_rows([r for fam in per_family.values() for r in fam.values()])
    label = f"median days between releases {statement.op} {statement.days:g}"
    base = {"evidence_kind": EvidenceKind.REPORTED, "models": models, "rows": used}
    if len(intervals) < MIN_CADENCE_INTERVALS:
        check = Check(
            label=label,
            verdict="inconclusive",
            reason=f"only {len(intervals)} release intervals in the evidence",
        )
        return [Evaluation(**base, verdict="inconclusive", checks=[check])]
    median = float(statistics.median(intervals))
    verdict, reason = compare(median, None, statement.op, statement.days)
    check = Check(
        label=label,
        verdict=verdict,
        value=median,
        reason=f"{reason}; intervals (days): {sorted(intervals)}",
    )
    notes = [
        "Release dates carry no uncertainty, but which releases count as an iteration "
        "is a choice: the evidence lists major releases of each family."
    ]
    return [Evaluation(**base, verdict=verdict, value=median, checks=[check], notes=notes)]
