"""A fetched copy checked by the readers of the shipped data before it is kept: Epoch's
CSVs through the index's loader (gaptrack.compare.evidence.epochdata); Arena files and the
LLMStats archive through the readers that made the shipped rows (convert.py, llmstats.py);
the rows they make, and evidence CSVs, through the reported-evidence loader
(gaptrack.compare.evidence.read_reported), with the checks
those loaders leave to the data being well formed (every record has the header's cells,
every score cell is a number) made here, so a truncated or re-laid-out file is refused
instead of read with holes."""

from __future__ import annotations

import csv
import io
import tempfile
import zipfile
from collections.abc import Callable
from pathlib import Path, PurePosixPath

from gaptrack.base import Frozen
from gaptrack.compare.evidence.csvio import read_reported
from gaptrack.compare.evidence.epochfiles import EPOCH_BENCHMARKS
from gaptrack.errors import GaptrackError
from gaptrack.update import llmstats
from gaptrack.update.convert import (
    BOARDS,
    ConvertProblem,
    catalog_rows,
    history_rows,
    rows_csv,
)
from gaptrack.update.sources import Source

EPOCH_PREFIX = "epoch/april2026/"
ECI_FILE = "epoch_capabilities_index.csv"
ECI_COLUMNS = ("Model version", "ECI Score", "Release date", "Country", "Model name")
ROW_COLUMNS = ("Model version", "Release date", "Country")
"""Columns every Epoch benchmark file needs besides its score column (the loader reads them)."""
_SPECS = {spec.file: spec for spec in EPOCH_BENCHMARKS}
_OTHER_EPOCH = ("eci_scaling.csv", "eci_benchmark_difficulties_and_slopes.csv")


class Rejected(Exception):
    """A fetched copy that fails a check: the message is the problem, in one line."""


class Download(Frozen):
    """What came over the wire, with the headers the copy keeps."""

    data: bytes
    sha256: str
    date: str
    """UTC day of the copy (Last-Modified's day where the server sends it, else the day of
    fetch): the snapshot date of the rows made from a one-snapshot file."""
    url: str


def _csv_records(rel: str, data: bytes) -> tuple[list[str], list[list[str]]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise Rejected(f"{rel}: not UTF-8 text (byte {exc.start})") from None
    try:
        records = list(csv.reader(io.StringIO(text, newline="")))
    except csv.Error as exc:
        raise Rejected(f"{rel}: not a readable CSV ({exc}; truncated download?)") from None
    if not records:
        raise Rejected(f"{rel}: empty file")
    header, body = records[0], [r for r in records[1:] if r]
    for n, rec in enumerate(body, start=2):
        if len(rec) != len(header):
            raise Rejected(
                f"{rel}: record {n} has {len(rec)} cells, the header {len(header)} "
                "(truncated download or a changed layout)"
            )
    return header, body


def _need(rel: str, header: list[str], columns: tuple[str, ...]) -> None:
    for column in columns:
        if column not in header:
            raise Rejected(f"{rel}: no column {column!r} (the file's layout changed?)")


def _check_epoch(rel: str, data: bytes, folder: Path, eci: Path | None) -> None:
    from gaptrack.compare.evidence import epochdata

    name = PurePosixPath(rel).name
    header, body = _csv_records(rel, data)
    if name == ECI_FILE:
        _need(rel, header, ECI_COLUMNS)
        return
    spec = _SPECS.get(name)
    if spec is None:
        return  # ECI's own tables: well-formed CSV is all the index asks of them here
    _need(rel, header, (spec.column, *ROW_COLUMNS))
    col = header.index(spec.column)
    for n, rec in enumerate(body, start=2):
        cell = rec[col].strip()
        if cell:
            try:
                float(cell)
            except ValueError:
                raise Rejected(
                    f"{rel}: record {n}, column {spec.column!r}: {cell!r} is not a number"
                ) from None
    path = folder / name
    path.write_bytes(data)
    try:  # the loader the index and `check` use, on this file
        epochdata.read_benchmark(spec, path, eci)
    except (GaptrackError, KeyError, ValueError) as exc:
        raise Rejected(f"{rel}: {exc}") from None


def _check_reported(rel: str, data: bytes, folder: Path) -> None:
    path = folder / PurePosixPath(rel).name
    path.write_bytes(data)
    try:
        read_reported(path)
    except GaptrackError as exc:
        where = exc.field or ""
        raise Rejected(f"{rel}: {where + ': ' if where else ''}{exc.message}") from None


def made_files(
    source: Source, download: Download, current: Callable[[str], Path]
) -> dict[str, bytes]:
    """The shipped files (relative to evidence/) this download stands in for, each made
    and checked; raises Rejected. `current(rel)` is the file in use now (a one-snapshot
    source adds its rows to it)."""
    files: dict[str, bytes] = {}
    try:
        if source.kind == "epoch-zip":
            files = _epoch_members(download.data)
        elif source.kind in BOARDS:
            board = BOARDS[source.kind]
            new = catalog_rows(download.data, download.date, download.sha256, download.url, board)
            files = {source.replaces: _add_snapshot(current(source.replaces), new, download.date)}
        elif source.kind == "arena-alltime":
            rows = history_rows(download.data, download.sha256, download.url)
            files = {source.replaces: rows_csv(rows)}
        elif source.kind == "llmstats-zip":
            rows = llmstats.archive_rows(download.data, download.url, download.date)
            files = {source.replaces: rows_csv(rows)}
        else:  # reported-csv: the file itself
            files = {source.replaces: download.data}
    except ConvertProblem as exc:
        raise Rejected(str(exc)) from None
    with tempfile.TemporaryDirectory(prefix="gaptrack-update-") as tmp:
        folder = Path(tmp)
        eci = None
        eci_rel = EPOCH_PREFIX + ECI_FILE
        if any(rel.startswith(EPOCH_PREFIX) for rel in files):
            if eci_rel in files:
                _check_epoch(eci_rel, files[eci_rel], folder, None)
                eci = folder / ECI_FILE
                eci.write_bytes(files[eci_rel])
            else:
                eci = current(eci_rel)
        for rel, data in sorted(files.items()):
            if rel.startswith(EPOCH_PREFIX):
                _check_epoch(rel, data, folder, eci)
            else:
                _check_reported(rel, data, folder)
    return files


def _epoch_members(data: bytes) -> dict[str, bytes]:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        names = archive.namelist()
    except zipfile.BadZipFile as exc:
        raise Rejected(f"not a zip archive ({exc}; truncated download?)") from None
    known = {*_SPECS, ECI_FILE, *_OTHER_EPOCH}
    files = {}
    for name in names:
        base = PurePosixPath(name).name
        if base in known and not name.endswith("/"):
            if EPOCH_PREFIX + base in files:
                raise Rejected(f"the archive holds {base} twice")
            try:
                files[EPOCH_PREFIX + base] = archive.read(name)
            except (zipfile.BadZipFile, OSError, EOFError) as exc:
                raise Rejected(f"{name}: unreadable in the archive ({exc})") from None
    if not files:
        raise Rejected("the archive holds none of the Epoch files gaptrack reads")
    return files


def _add_snapshot(current: Path, new: list[dict], date: str) -> bytes:
    """The file in use with the snapshot of `date` added (rows of the same date, from an
    earlier copy of that day, replaced). A board that equals the latest snapshot held
    (same models, same ratings) adds nothing: a source that stopped publishing would
    otherwise be re-dated to every day it is fetched."""
    text = current.read_text(encoding="utf-8")
    rows = list(csv.DictReader(io.StringIO(text)))
    if rows and new:
        latest = max(r.get("snapshot") or "" for r in rows)
        board = {(r["model"], r["value"]) for r in rows if r.get("snapshot") == latest}
        if board == {(r["model"], r["value"]) for r in new}:
            return text.encode("utf-8")
    kept = [r for r in rows if r.get("snapshot") != date]
    return rows_csv([*kept, *new])
