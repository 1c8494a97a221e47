"""Event statements: the date of an event or of a model's release."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from gaptrack.compare.claims import Claim, EventDate
from gaptrack.compare.dates import period_end, period_start
from gaptrack.compare.evidence import EvidenceKind, EvidenceRow
from gaptrack.compare.verdicts.base import Check, Evaluation, agree, reported_rows, unique_rows


def _dated(statement: EventDate, rows: Sequence[EvidenceRow]) -> list[tuple[dt.date, EvidenceRow]]:
    """(date, row) of every row that dates the event."""
    if statement.event == "release":
        return [
            (r.released, r)
            for r in rows
            if r.quantity == "release" and r.model == statement.subject
        ]
    return [
        (r.snapshot, r)
        for r in rows
        if r.quantity == "event" and r.benchmark == statement.event and r.model == statement.subject
    ]


def evaluate_event(claim: Claim, rows: Sequence[EvidenceRow]) -> list[Evaluation]:
    statement: EventDate = claim.statement
    low = period_start(statement.at) - dt.timedelta(days=statement.tolerance_days)
    high = period_end(statement.at) + dt.timedelta(days=statement.tolerance_days)
    dated = _dated(statement, reported_rows(rows))
    used = unique_rows([row for _, row in dated])
    pairs = sorted({(when, row.row_id): row for when, row in dated}.items())
    checks = [
        Check(
            label=f"{statement.event} of {statement.subject} in {low.isoformat()}.."
            f"{high.isoformat()}",
            verdict="supported" if low <= when <= high else "contradicted",
            reason=f"{row.source} dates it {when.isoformat()}",
        )
        for (when, _), row in pairs
    ] or [
        Check(
            label=f"{statement.event} of {statement.subject}",
            verdict="inconclusive",
            reason="no dated evidence",
        )
    ]
    evaluation = Evaluation(
        evidence_kind=EvidenceKind.REPORTED,
        verdict=agree([c.verdict for c in checks]),
        checks=checks,
        models=[statement.subject],
        notes=sorted({r.note for r in used if r.note}),
        rows=used,
    )
    return [evaluation]
