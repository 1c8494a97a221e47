"""How far each evidence source reaches: the newest dated row of the files it stands for,
as in use (shipped or fetched, by the run's as-of date), and whether that is stale.

A run "as of" a date is only as current as its sources: Epoch's public copy ends in April
2026 and the LLMStats compilation in May 2025 however recently `update` ran. `as of DATE`
is therefore always said with the sources that stop short of it (sources_line in
active.py, the account of an update, the report's opening)."""

from __future__ import annotations

import csv
import datetime as dt

from gaptrack.base import Frozen
from gaptrack.update import active
from gaptrack.update.sources import SOURCES, Source

STALE_DAYS = 45
"""A source whose newest row is older than this before the run's date is stale: the
sources that publish do so daily to monthly (the arena.ai scrape is shipped one snapshot a
month), so six weeks without a row means it stopped, or its copy did."""
EPOCH_DATES = "epoch/april2026/epoch_capabilities_index.csv"
"""Epoch's files are dated by the release of the models its index scores (one file lists
every model version scored; the benchmark files have no date of their own)."""
BY_HAND = ("reported.csv", "developer_reports.csv")
"""Evidence files no source fetches (figures checked by hand at papers and READMEs)."""


class Reach(Frozen):
    source: str
    """The update source (`epoch-benchmarks`), or the evidence file for one kept by hand."""
    reaches: str = ""
    """ISO date of its newest row in use by the run's date; empty: none by then."""
    stale: bool = False


def _day(text: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(text.strip()[:10])
    except ValueError:
        return None


def _newest(rel: str, limit: dt.date | None) -> dt.date | None:
    path = active.resolve(rel)
    if not path.is_file():
        return None
    columns = (
        ("Release date",) if rel.startswith("epoch/") else ("published", "snapshot", "released")
    )
    newest = None
    with open(path, encoding="utf-8-sig", newline="") as f:
        for rec in csv.DictReader(f):
            # a row's date as --as-of reads it: publication, else snapshot, else release
            day = next((d for c in columns if (d := _day(rec.get(c) or ""))), None)
            if (
                day is not None
                and (limit is None or day <= limit)
                and (newest is None or day > newest)
            ):
                newest = day
    return newest


def _files(source: Source) -> str:
    return EPOCH_DATES if source.kind == "epoch-zip" else source.replaces


def reaches(sources: tuple[Source, ...] | list[Source] = SOURCES) -> list[Reach]:
    """Each source's reach by the run's date (active.as_of_label), in table order."""
    label = dt.date.fromisoformat(active.as_of_label())
    limit = active.current_as_of()
    cap = limit.date() if limit is not None else None
    named = [(s.name, _files(s)) for s in sources] + [(rel, rel) for rel in BY_HAND]
    out = []
    for name, rel in named:
        day = _newest(rel, cap)
        stale = day is not None and (label - day).days > STALE_DAYS
        out.append(Reach(source=name, reaches=day.isoformat() if day else "", stale=stale))
    return out


def stale_text(found: list[Reach]) -> str:
    """`stale: epoch-benchmarks to 2026-04-16, llmstats to 2025-05-22` (empty if none)."""
    old = sorted((r for r in found if r.stale), key=lambda r: (r.reaches, r.source))
    return "stale: " + ", ".join(f"{r.source} to {r.reaches}" for r in old) if old else ""
