"""Cadence statements: the median interval between successive releases of families."""

from __future__ import annotations

import datetime as dt
import statistics
from collections.abc import Sequence

from gaptrack.compare.claims import Cadence, Claim
from gaptrack.compare.dates import period_end, period_start
from gaptrack.compare.evidence import EvidenceKind, EvidenceRow
from gaptrack.compare.evidence.registry import row_identity
from gaptrack.compare.verdicts.base import Check, Evaluation, compare, reported_rows, unique_rows

MIN_CADENCE_INTERVALS = 3


def _releases(
    statement: Cadence, rows: Sequence[EvidenceRow]
) -> dict[str, dict[dt.date, EvidenceRow]]:
    """Per family, one row per release date (release rows first, then scores). A row's
    date is its model version's in the registry (evidence/models.yaml), where the registry
    knows it: a compilation's date for one version must not add a release (LLMStats dates
    DeepSeek-V2.5 to V2's May 2024, which made a 2-day "iteration")."""
    start, end = period_start(statement.start), period_end(statement.end)
    per_family: dict[str, dict[dt.date, EvidenceRow]] = {}
    for row in sorted(rows, key=lambda r: (r.quantity != "release", r.row_id)):
        if (
            row.quantity not in ("release", "score")
            or row.family not in statement.families
            or row.origin != statement.origin
        ):
            continue
        released = row_identity(row)[1]
        if released is not None and start <= released <= end:
            per_family.setdefault(row.family, {}).setdefault(released, row)
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
