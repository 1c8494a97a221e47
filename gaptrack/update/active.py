"""Which copy of each evidence file a run reads, and the date it runs "as of".

`gaptrack.paths.evidence_file` (the one hook the readers call) asks `resolve` for a
shipped file: the newest checked copy fetched by the as-of time that replaces it, else the
shipped file. The as-of time is set per command (`--as-of`, `as_of()` below); without one,
every copy counts. Rows published after the as-of date are left out by `published_by`, so
an analysis of a past date reruns byte for byte after later updates."""

from __future__ import annotations

import contextlib
import datetime as dt
import re
from collections.abc import Iterable, Iterator
from pathlib import Path

from gaptrack.base import Frozen
from gaptrack.errors import ConfigError
from gaptrack.paths import shipped
from gaptrack.update.store import Copy, CopyStore, format_utc

_AS_OF: dt.datetime | None = None

_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def parse_as_of(text: str) -> dt.datetime:
    """`2025-04-07` (the end of that day, UTC) or an ISO time (`2026-12-06T18:30:00Z`)."""
    text = text.strip()
    try:
        if _DAY.match(text):
            day = dt.date.fromisoformat(text)
            return dt.datetime.combine(day, dt.time(23, 59, 59), dt.timezone.utc)
        when = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise ConfigError(
            f"{text!r} is not a date (YYYY-MM-DD) or a UTC time (YYYY-MM-DDTHH:MM:SSZ)",
            field="--as-of",
        ) from None
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.timezone.utc)
    return when.astimezone(dt.timezone.utc)


def current_as_of() -> dt.datetime | None:
    return _AS_OF


@contextlib.contextmanager
def as_of(when: str | dt.datetime | None) -> Iterator[dt.datetime | None]:
    """Within the block, evidence is read as of `when` (None: everything held)."""
    global _AS_OF
    previous = _AS_OF
    _AS_OF = parse_as_of(when) if isinstance(when, str) else when
    try:
        yield _AS_OF
    finally:
        _AS_OF = previous


_BEFORE: dt.datetime | None = None


@contextlib.contextmanager
def copies_before(when: dt.datetime) -> Iterator[None]:
    """Within the block, only copies fetched before `when` count (rows are not filtered):
    the evidence as it stood before an update, for its account of what changed."""
    global _BEFORE
    previous = _BEFORE
    _BEFORE = when
    try:
        yield
    finally:
        _BEFORE = previous


def copies_in_view(store: CopyStore | None = None) -> list[Copy]:
    """Copies fetched by the as-of time, oldest first."""
    store = store or CopyStore()
    limit = _AS_OF
    return [
        c
        for c in store.copies()
        if (limit is None or c.fetched <= limit) and (_BEFORE is None or c.fetched < _BEFORE)
    ]


def resolve(rel: str, store: CopyStore | None = None) -> Path:
    """The file a reader should open for the shipped `evidence/<rel>`."""
    store = store or CopyStore()
    if not store.manifest_path.is_file():  # no update ever ran: the shipped file
        return shipped("evidence") / rel
    for copy in reversed(copies_in_view(store)):
        digest = copy.files.get(rel)
        if digest is not None:
            return store.blob(digest, Path(rel).name)
    return shipped("evidence") / rel


class UsedCopy(Frozen):
    """A source copy a run read: enough to fetch the same bytes again."""

    source: str
    sha256: str
    date: str
    """When it was fetched (UTC, ISO 8601); for the shipped evidence, its copy date."""
    url: str
    files: list[str] = []
    """The evidence files (relative to evidence/) read from it, where a claim says which
    of its rows came from which copy (claim_copies); empty in a run's whole copy set."""


SHIPPED_DATE = "2026-12-06"
"""When the newest shipped copy was made (the 2026 Arena snapshots, evidence/README.md;
Epoch's files were copied 2026-11-29, evidence/epoch/SOURCES.csv). Raise it when a
release brings the shipped evidence forward."""


def _shipped_copy(files: list[str] | None = None) -> UsedCopy:
    from gaptrack import __version__

    return UsedCopy(
        source="shipped",
        sha256="",
        date=SHIPPED_DATE,
        url=f"gaptrack {__version__} package data (evidence/)",
        files=files or [],
    )


def _used(copy: Copy, files: list[str] | None = None) -> UsedCopy:
    return UsedCopy(
        source=copy.source,
        sha256=copy.sha256,
        date=copy.fetched_at,
        url=copy.url,
        files=files or [],
    )


def copy_set(store: CopyStore | None = None) -> list[UsedCopy]:
    """The newest copy of each source fetched by the as-of time, after the shipped
    evidence (which the fetched copies replace file by file)."""
    newest: dict[str, Copy] = {}
    for copy in copies_in_view(store):
        newest[copy.source] = copy
    return [_shipped_copy(), *(_used(c) for c in sorted(newest.values(), key=lambda c: c.source))]


def as_of_label(store: CopyStore | None = None) -> str:
    """The run's date: the as-of date given, else the newest copy in use (never the
    clock, so a rerun prints the same words)."""
    if _AS_OF is not None:
        return _AS_OF.date().isoformat()
    dates = [u.date[:10] for u in copy_set(store)]
    return max(dates)


def sources_line(store: CopyStore | None = None) -> str:
    """`as of 2026-12-06 (sources: shipped 2026-12-06; lmarena-text 2026-12-06 3f2a9c1d)`."""
    parts = [
        f"{u.source} {u.date[:10]}" + (f" {u.sha256[:12]}" if u.sha256 else "")
        for u in copy_set(store)
    ]
    from gaptrack.update.currency import reaches, stale_text

    # the date alone would claim every source is that current: say which stop short of it
    stale = stale_text(reaches())
    line = f"as of {as_of_label(store)} (sources: {'; '.join(parts)})"
    return f"{line}; {stale}" if stale else line


def _provider(rel: str, store: CopyStore) -> Copy | None:
    """The copy `resolve` reads `rel` from (None: the shipped file)."""
    if not store.manifest_path.is_file():
        return None
    return next((c for c in reversed(copies_in_view(store)) if rel in c.files), None)


def row_files(store: CopyStore | None = None) -> dict[str, str]:
    """Row id -> the evidence CSV (relative to evidence/) holding it, as in use."""
    import csv

    out: dict[str, str] = {}
    for rel in sorted(p.name for p in shipped("evidence").glob("*.csv")):
        with open(resolve(rel, store), encoding="utf-8-sig", newline="") as f:
            for rec in csv.DictReader(f):
                out.setdefault((rec.get("id") or "").strip(), rel)
    out.pop("", None)
    return out


def _file_of(row_id: str, files: dict[str, str]) -> str | None:
    if row_id.startswith("epoch."):  # epoch.<file stem>.<record>: Epoch's long table
        return f"epoch/april2026/{row_id.removeprefix('epoch.').rsplit('.', 1)[0]}.csv"
    return files.get(row_id)


def claim_copies(
    row_ids: Iterable[str], files: dict[str, str] | None = None, store: CopyStore | None = None
) -> list[UsedCopy]:
    """The copies a claim's evidence rows were read from, each with the files read from
    it: the shipped evidence first, then fetched copies by source. Rows of no shipped
    evidence file (gaptrack's own runs, a user's --reported file) have no copy."""

    store = store or CopyStore()
    files = row_files(store) if files is None else files
    shipped_files: set[str] = set()
    fetched: dict[str, tuple[Copy, set[str]]] = {}
    for rel in {f for r in row_ids if (f := _file_of(r, files)) is not None}:
        copy = _provider(rel, store)
        if copy is None:
            shipped_files.add(rel)
        else:
            fetched.setdefault(copy.sha256 + copy.source, (copy, set()))[1].add(rel)
    used = [_shipped_copy(sorted(shipped_files))] if shipped_files else []
    for copy, rels in sorted(fetched.values(), key=lambda cr: (cr[0].source, cr[0].fetched_at)):
        used.append(_used(copy, sorted(rels)))
    return used


def copy_set_csv(store: CopyStore | None = None) -> str:
    lines = ["source,sha256,date,url"]
    for u in copy_set(store):
        url = u.url.replace('"', '""')
        lines.append(f'{u.source},{u.sha256},{u.date},"{url}"')
    return "\n".join(lines) + "\n"


def row_date(row: object) -> dt.date | None:
    """When an evidence row became known: its publication date, else its snapshot, else
    the model's release (a score cannot predate the model)."""
    for name in ("published", "snapshot", "released"):
        value = getattr(row, name, None)
        if isinstance(value, dt.date):
            return value
    return None


def published_by(rows: Iterable) -> list:
    """The rows known by the as-of date (all of them without one; undated rows stay)."""
    rows = list(rows)
    if _AS_OF is None:
        return rows
    limit = _AS_OF.date()
    return [r for r in rows if (d := row_date(r)) is None or d <= limit]


def now_utc() -> str:
    return format_utc(dt.datetime.now(dt.timezone.utc))


COPY_SET_FILE = "sources.csv"


def write_copy_set(folder: Path, store: CopyStore | None = None) -> Path:
    """`folder`/sources.csv: the source copies (source, sha256, date, url) a run read."""
    from gaptrack.publish.files import write_if_changed

    return write_if_changed(Path(folder) / COPY_SET_FILE, copy_set_csv(store))
