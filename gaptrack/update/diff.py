"""Rows that came, went or changed value between the file in use and a new copy of it,
each file read as its reader reads it: evidence CSVs by row id, Epoch's CSVs by the
record's own id (Epoch's Airtable or run id; the model version where a file has none)."""

from __future__ import annotations

import csv
import io
from pathlib import Path, PurePosixPath
from typing import Literal

from gaptrack.base import Frozen
from gaptrack.compare.evidence.epochfiles import EPOCH_BENCHMARKS
from gaptrack.update.readers import EPOCH_PREFIX

_SPECS = {spec.file: spec for spec in EPOCH_BENCHMARKS}
_REPORTED_VALUE = ("value", "stderr", "ci_low", "ci_high", "released", "published", "snapshot")


class RowInfo(Frozen):
    model: str
    origin: str
    value: str
    """The cells whose change is a change of value (score, interval, dates), joined."""


class RowChange(Frozen):
    source: str
    file: str
    """Relative to evidence/."""
    row: str
    """The row's key (evidence id; Epoch record id)."""
    change: Literal["added", "changed", "removed"]
    model: str
    origin: str
    old: str = ""
    new: str = ""


def _records(data: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))


def _country(text: str) -> str:
    from gaptrack.compare.evidence.epochdata import country_code

    return country_code(text) or ""


def rows_of(rel: str, data: bytes) -> dict[str, RowInfo]:
    """Keyed rows of one file (a file of no known layout has none)."""
    out: dict[str, RowInfo] = {}
    if rel.startswith(EPOCH_PREFIX):
        spec = _SPECS.get(PurePosixPath(rel).name)
        if spec is None:
            return out
        seen: dict[str, int] = {}
        for rec in _records(data):
            version = (rec.get("Model version") or "").strip()
            key = (rec.get("id") or "").strip() or version
            seen[key] = seen.get(key, 0) + 1
            if seen[key] > 1:
                key = f"{key}#{seen[key]}"
            value = " ".join(
                f"{c}={(rec.get(c) or '').strip()}"
                for c in (spec.column, "stderr", "Release date")
                if c in rec
            )
            out[key] = RowInfo(
                model=version, origin=_country(rec.get("Country") or ""), value=value
            )
        return out
    for rec in _records(data):
        key = (rec.get("id") or "").strip()
        if not key:
            continue
        value = " ".join(f"{c}={(rec.get(c) or '').strip()}" for c in _REPORTED_VALUE if rec.get(c))
        out[key] = RowInfo(
            model=(rec.get("model") or "").strip(), origin=(rec.get("origin") or ""), value=value
        )
    return out


def diff_file(source: str, rel: str, old: Path, new: bytes) -> list[RowChange]:
    before = rows_of(rel, old.read_bytes()) if old.is_file() else {}
    after = rows_of(rel, new)
    changes = []
    for key in sorted(set(before) | set(after)):
        a, b = before.get(key), after.get(key)
        if a is not None and b is not None and a.value == b.value:
            continue
        change = "added" if a is None else "removed" if b is None else "changed"
        named = b if b is not None else a  # as it is now; as it was for a removed row
        changes.append(
            RowChange(
                source=source,
                file=rel,
                row=key,
                change=change,
                model=named.model if named else "",
                origin=named.origin if named else "",
                old=a.value if a is not None else "",
                new=b.value if b is not None else "",
            )
        )
    return changes


def new_models(source: str, rel: str, old: Path, new: bytes) -> set[tuple[str, str]]:
    """(origin, model) in the new copy that no row of the old file names."""
    before = {r.model for r in (rows_of(rel, old.read_bytes()) if old.is_file() else {}).values()}
    return {(r.origin, r.model) for r in rows_of(rel, new).values() if r.model not in before}
