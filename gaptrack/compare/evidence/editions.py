"""Which edition of a periodic report (AI Index 2025, 2026, ...) reported evidence may
use: the one a claim names, else the latest published by the claim's date."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from gaptrack.base import Frozen
from gaptrack.compare.evidence.rows import EvidenceRow


class EditionChoice(Frozen):
    """Which report editions a piece of reported evidence may use."""

    editions: dict[str, str]
    """Report -> edition chosen."""
    how: str
    """Why: named by the claim, or the latest published by the claim's date."""


def choose_editions(
    rows: Iterable[EvidenceRow], named: tuple[str, str] | None, as_of: dt.date
) -> EditionChoice:
    """A named (report, edition) wins; otherwise, per report, the latest edition published
    on or before `as_of` (what was known when the claim was made), else the earliest."""
    published: dict[str, dict[str, dt.date]] = {}
    for row in rows:
        if row.report and row.edition:
            when = row.published or dt.date.max
            per = published.setdefault(row.report, {})
            per[row.edition] = min(per.get(row.edition, dt.date.max), when)
    if named is not None:
        report, edition = named
        return EditionChoice(
            editions={report: edition}, how=f"{report} {edition} (named by the claim)"
        )
    chosen = {}
    for report, editions in sorted(published.items()):
        known = [(when, ed) for ed, when in editions.items() if when <= as_of]
        pick = max(known)[1] if known else min((w, e) for e, w in editions.items())[1]
        chosen[report] = pick
    labels = ", ".join(f"{r} {e}" for r, e in sorted(chosen.items())) or "none"
    return EditionChoice(editions=chosen, how=f"{labels} (latest published by {as_of.isoformat()})")


def apply_editions(
    rows: Iterable[EvidenceRow], choice: EditionChoice, exclusive: bool
) -> list[EvidenceRow]:
    """Rows of the chosen editions, plus rows from no report unless `exclusive` (a claim
    that names an edition relies on that edition alone)."""
    out = []
    for row in rows:
        if row.report is None:
            if not exclusive:
                out.append(row)
        elif choice.editions.get(row.report) == row.edition:
            out.append(row)
    return out
