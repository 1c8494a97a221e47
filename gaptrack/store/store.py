"""The results store: `<root>/records/<key>.json` (metrics and provenance),
`<root>/items/<key>.<sha256 prefix>.parquet` (per-item results), `<root>/failures/<key>.json`, plus
derived files: `scores.csv`, and `summary.parquet` with `summary.json` (store/cache.py). Every read checks the record (schema version, digest, items); a
record that fails is reported in one line and left out, never deleted. Records written
by older versions, with their items inline in the JSON, are read as they are."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Literal

from pydantic import ValidationError

from gaptrack.errors import GaptrackError
from gaptrack.store import cache, checked_items
from gaptrack.store.atomic import write_bytes_atomic, write_text_atomic
from gaptrack.store.cache import FileStat, Snapshot
from gaptrack.store.integrity import columns_problem, record_problem
from gaptrack.store.items import Columns
from gaptrack.store.records import (
    ITEMS_NAME,
    FailedAttempt,
    Item,
    ItemKey,
    ResultRecord,
    correct_of,
    correctness_of,
    seal_parts,
)
from gaptrack.store.summary import RecordSummary, Stored, summarize

_RECORD_NAME = re.compile(r"^[0-9a-f]{20}\.json$")
Layout = Literal["parquet", "json"]
_reported: set[str] = set()


# What a summary holds of its record (the rest is derived from these or not kept).
_SUMMARY_FIELDS = (
    "key",
    "model",
    "task",
    "metrics",
    "provenance",
    "model_fingerprint",
    "backend",
    "generation",
    "items_file",
    "items_file_sha256",
    "correct_digest",
)


class RecordProblem(GaptrackError):
    """A file in the store that is not a trustworthy record."""


class StoreWriteError(GaptrackError):
    """The store cannot be written (read-only, a file in the way, no space)."""


def require_store_folder(path: Path) -> None:
    """A results folder named on the command line must be one: a missing folder or a
    file would read as an empty, healthy store."""
    if not path.exists():
        raise GaptrackError("no such results folder", file=path)
    if not path.is_dir():
        raise GaptrackError("not a folder (a results folder was expected)", file=path)


def _write(path: Path, write) -> None:
    try:
        write()
    except OSError as exc:
        raise StoreWriteError(f"cannot write ({exc.strerror or exc})", file=path) from None


LEFT_OUT = "left out of every table and verdict"


def warn(problem: RecordProblem, consequence: str = LEFT_OUT) -> None:
    """One visible line per bad file and process, on stderr (tables go to stdout)."""
    line = problem.one_line()
    if line not in _reported:
        _reported.add(line)
        print(
            f"warning: {line}; {consequence} "
            "(nothing deleted; `gaptrack verify` lists every problem)",
            file=sys.stderr,
        )


def forget_warnings() -> None:
    """Start a new command: each bad file is reported again, once."""
    _reported.clear()


def _first_error(exc: ValidationError) -> str:
    error = exc.errors()[0]
    where = ".".join(str(part) for part in error["loc"])
    message = str(error["msg"]).removeprefix("Value error, ")
    return f"{where}: {message}" if where else message


# Records already read and checked in this process, by path and the sha256 of the bytes
# read: a command that scans the store twice (check, leaderboard) parses each file once,
# and a file whose bytes changed since is parsed and checked again.
_checked: dict[Path, tuple[bytes, ResultRecord]] = {}


def read_record(path: Path, keep: bool = True) -> ResultRecord:
    """The record in `path`, checked; any problem is a RecordProblem naming the file.
    `keep`: remember it for this process (a second read of unchanged bytes is free)."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise RecordProblem(f"cannot read ({exc.strerror})", file=path) from None
    fingerprint = hashlib.sha256(raw).digest()
    hit = _checked.get(path)
    if hit is not None and hit[0] == fingerprint:
        return hit[1]
    record = _parse_record(path, raw)
    if keep:
        _checked[path] = (fingerprint, record)
    return record


def _parse_record(path: Path, raw: bytes) -> ResultRecord:
    try:
        data = json.loads(raw)
    except UnicodeDecodeError:
        raise RecordProblem("not UTF-8 text", file=path) from None
    except json.JSONDecodeError as exc:
        raise RecordProblem(f"not valid JSON (truncated?): {exc.msg}", file=path) from None
    try:
        record = ResultRecord.model_validate(data)
    except ValidationError as exc:
        raise RecordProblem(_first_error(exc), file=path) from None
    if record.key != path.stem:
        raise RecordProblem(f"key {record.key!r} does not match the file name", file=path)
    parts = seal_parts(data) if record.written_version >= 4 else None
    problem = record_problem(record, parts)
    if problem:
        raise RecordProblem(problem, file=path)
    record._root = path.parent.parent
    record._seal = parts
    return record


def read_columns_checked(record: Stored, thorough: bool = False) -> Columns:
    """The items of `record`'s items file as columns, checked against the record and its
    metrics (without building an Item per row: pairing reads thousands of these files).
    A version-3 record names its file's sha256: the bytes are checked against it, and
    every item re-digested only when `thorough` (`verify`, on full records only)."""
    from gaptrack.store.items import read_columns

    root = record.root if isinstance(record, RecordSummary) else record._root
    path = items_path(root or Path("."), str(record.items_file))
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise RecordProblem(f"unreadable items file ({exc})", file=path) from None
    sealed = record.items_file_sha256
    try:
        columns = read_columns(raw)
        if sealed is not None and hashlib.sha256(raw).hexdigest() != sealed:
            problem = "items file sha256 mismatch: the items file changed after the run wrote it"
        else:
            problem = columns_problem(record, columns, digest=thorough or sealed is None)
    except (OSError, ValueError, KeyError, TypeError) as exc:  # cut, not Parquet
        raise RecordProblem(f"unreadable items file ({exc})", file=path) from None
    if problem:
        raise RecordProblem(problem, file=path)
    return columns


def read_items_checked(record: ResultRecord, thorough: bool = False) -> list[Item]:
    """The items of `record`'s items file, checked against the record and its metrics."""
    from gaptrack.store.items import items_from_columns

    return items_from_columns(read_columns_checked(record, thorough))


def _reported_empty(record: ResultRecord, read):
    try:
        return read(record)
    except RecordProblem as problem:
        # The score is covered by the record's own digest; only its items are suspect.
        warn(problem, "its items are not used (no paired statistics)")
        return None


def load_items(record: ResultRecord) -> list[Item]:
    """`record.all_items()` for an items file: a bad file is reported, and gives none."""
    return _reported_empty(record, read_items_checked) or []


def load_correct(record: Stored) -> dict[ItemKey, bool]:
    """`record.correct_by_item()` for an items file: a bad file is reported, gives none."""
    columns = _reported_empty(record, read_columns_checked)
    if columns is None:
        return {}
    keys = zip(columns["subtask"], columns["doc_id"], columns["prompt_hash"], strict=True)
    if None not in columns["correct"]:  # every item binary: built in C, no filter
        return dict(zip(keys, columns["correct"], strict=True))
    return {
        (subtask, doc_id, prompt_hash): correct
        for subtask, doc_id, prompt_hash, correct in zip(
            columns["subtask"],
            columns["doc_id"],
            columns["prompt_hash"],
            columns["correct"],
            strict=True,
        )
        if correct is not None
    }


def items_path(root: Path, name: str) -> Path:
    """Where an items file a record names lives: a plain name (checked when the record
    was read) in the store's `items/` folder."""
    return root / "items" / name


# The last snapshot of each store this process summarised: a command that reads the
# store twice (check, leaderboard) reads the cache once.
_snapshots: dict[Path, Snapshot] = {}


def _snapshot(root: Path) -> Snapshot | None:
    return _snapshots.get(root.resolve()) or cache.load(root)


class Store:
    """A folder of result records. Safe to read while a run writes to it."""

    def __init__(self, root: str | Path, layout: Layout = "parquet"):
        self.root = Path(root)
        self.layout = layout
        """Where `put` writes items: `parquet` files, or inline in the JSON record."""
        self.records_dir = self.root / "records"
        self.items_dir = self.root / "items"
        self.failures_dir = self.root / "failures"

    def path_for(self, key: str) -> Path:
        return self.records_dir / f"{key}.json"

    def has(self, key: str) -> bool:
        return self.path_for(key).is_file()

    def get(self, key: str) -> ResultRecord:
        """The record of `key`, checked (RecordProblem if it does not pass)."""
        return read_record(self.path_for(key))

    def problem(self, key: str) -> str | None:
        """Why the stored record of `key` fails its check, or None (absent or good)."""
        if not self.has(key):
            return None
        try:
            self.get(key)
        except RecordProblem as problem:
            return problem.one_line()
        return None

    def check_writable(self) -> None:
        """StoreWriteError naming the first store folder a run could not write a record,
        items file or lock to (read-only, a file in the way): checked before any model
        loads, so a run never computes what it cannot keep."""
        folders = [self.records_dir, self.root / "locks"]
        if self.layout == "parquet":
            folders.append(self.items_dir)
        if self.failures_dir.exists():  # made only when an attempt fails
            folders.append(self.failures_dir)
        for folder in folders:
            try:
                folder.mkdir(parents=True, exist_ok=True)
                fd, probe = tempfile.mkstemp(prefix=".write-check.", suffix=".tmp", dir=folder)
                os.close(fd)
                os.unlink(probe)
            except OSError as exc:
                in_the_way = next(
                    (p for p in (folder, *folder.parents) if p.exists() and not p.is_dir()), None
                )
                why = "a file is in the way" if in_the_way else exc.strerror or str(exc)
                raise StoreWriteError(
                    f"cannot write ({why}): a run stores its results here",
                    file=in_the_way or folder,
                ) from None

    def find(self, key: str) -> ResultRecord | None:
        """The record of `key`; None if absent or bad (a bad one is reported)."""
        if not self.has(key):
            return None
        try:
            return self.get(key)
        except RecordProblem as problem:
            warn(problem)
            return None

    def put(self, record: ResultRecord) -> Path:
        """Seal and write `record`. With the Parquet layout its items go first to a file
        under a new name (`<key>.<sha256 prefix>.parquet`) that only the new record
        names, then the record replaces the old one in one rename, then the old items
        file goes: a crash at any point leaves the old pair or the new pair, never a
        record with another record's items. A write that fails is a StoreWriteError
        naming the path, with nothing of this write left behind."""
        sealed = record.sealed()
        written: Path | None = None
        if self.layout == "parquet" and sealed.items:
            from gaptrack.store.items import items_bytes

            data = items_bytes(sealed.items)
            sha = hashlib.sha256(data).hexdigest()
            name = f"{record.key}.{sha[:16]}.parquet"
            target = self.items_dir / name
            existed = target.exists()  # the same content already: written over, kept
            _write(target, lambda: write_bytes_atomic(target, data))
            written = None if existed else target
            sealed = sealed.model_copy(
                update={"items": [], "items_file": name, "items_file_sha256": sha}
            ).resealed()
        path = self.path_for(record.key)
        try:
            _write(path, lambda: write_text_atomic(path, sealed.model_dump_json(indent=1) + "\n"))
        except BaseException:
            if written is not None:  # no record names it: leave nothing half-written
                written.unlink(missing_ok=True)
            raise
        self._drop_other_items(record.key, sealed.items_file)
        return path

    def _drop_other_items(self, key: str, keep: str | None) -> None:
        """Remove the items files of `key` its record no longer names (the one it named
        before, a leftover of a write killed before its record was renamed into place)."""
        if not self.items_dir.is_dir():
            return
        for path in [
            *self.items_dir.glob(f"{key}.parquet"),
            *self.items_dir.glob(f"{key}.*.parquet"),
        ]:
            if path.name != keep:
                with contextlib.suppress(OSError):  # gone already, or not ours to remove
                    path.unlink()

    def put_failure(self, failure: FailedAttempt) -> Path:
        """Keep a failed attempt with its error (a later success supersedes it)."""
        path = self.failures_dir / f"{failure.key}.json"
        write_text_atomic(path, failure.model_dump_json(indent=1) + "\n")
        return path

    def failures(self) -> list[FailedAttempt]:
        """Failed attempts whose key has no record yet."""
        out = []
        for path in sorted(self.failures_dir.glob("*.json")):
            try:
                failure = FailedAttempt.model_validate_json(path.read_bytes())
            except (OSError, ValueError) as exc:
                warn(RecordProblem(f"unreadable failure file: {exc}", file=path))
                continue
            if not self.has(failure.key):
                out.append(failure)
        return out

    def scan(
        self, temporaries: bool = False, items: bool = False
    ) -> tuple[list[ResultRecord], list[RecordProblem]]:
        """Every good record and every problem in `records/` (bad records, stray files;
        leftover temporary files of interrupted writes with `temporaries`; with `items`,
        every items file read and checked, and items files without a record)."""
        records: list[ResultRecord] = []
        problems: list[RecordProblem] = []
        for record, problem, _ in self._walk(temporaries, items):
            if problem is None:
                records.append(record)
            else:
                problems.append(problem)
        return records, problems

    def verify(self) -> tuple[int, list[RecordProblem]]:
        """What `gaptrack verify` reports: good records counted, every problem (records,
        items files, strays, leftovers, summary-cache and checked-items entries that
        disagree with their records) listed; no record is kept, so memory stays flat
        even where records carry their items inline."""
        good, problems = 0, []
        snapshot = cache.load(self.root)  # as a reader would trust it (None: ignored)
        for record, problem, items in self._walk(temporaries=True, items=True, keep=False):
            if problem is None:
                good += 1
                if snapshot is not None:
                    problems += self._cache_problems(snapshot, record, items)
            else:
                problems.append(problem)
        return good, problems

    def _cache_problems(
        self, snapshot: Snapshot, record: ResultRecord, items: list[Item] | None
    ) -> list[RecordProblem]:
        """The summary-cache entry of `record` (and its remembered items) against the
        record and its items as just read and checked. Only an entry a reader would use
        (its file's stat unchanged) can disagree: an outdated one is read past."""
        name = f"{record.key}.json"
        hit = snapshot.entries.get(name)
        try:
            if hit is None or hit[0] != FileStat.of(self.path_for(record.key).stat()):
                return []
        except OSError:
            return []
        table = self.root / cache.TABLE_NAME
        cached, actual = hit[1], summarize(record, self.root)
        differ = [f for f in _SUMMARY_FIELDS if getattr(cached, f) != getattr(actual, f)]
        if cached.seal != actual.seal and not differ:
            differ = sorted(
                f
                for f in cache.SEALED_FIELDS
                if cached.seal and cached.seal.get(f) != (actual.seal or {}).get(f)
            )
        problems = []
        if differ:
            problems.append(
                RecordProblem(
                    f"its entry for records/{name} disagrees with the record "
                    f"({', '.join(differ) or 'sealed fields'}): readers read the record and "
                    "rewrite the cache (safe to delete)",
                    file=table,
                )
            )
        checked = cached.checked[0] if cached.checked else None
        if checked is not None and items is not None and record.items_file is not None:
            try:
                stat = FileStat.of(items_path(self.root, record.items_file).stat())
            except OSError:
                stat = None
            if stat == checked.stat and (checked.keys, checked.n, checked.bits) != (
                correctness_of(correct_of(items))
            ):
                problems.append(
                    RecordProblem(
                        f"its remembered items of records/{name} disagree with "
                        f"items/{record.items_file}: readers read the items file and rewrite "
                        "the cache (safe to delete)",
                        file=table,
                    )
                )
        return problems

    def _walk(self, temporaries: bool, items: bool, keep: bool = True):
        """(record, None, its items if read) for every good record, (None, problem,
        None) for every problem."""
        named: dict[str, str | None] = {}  # key -> the items file its good record names
        if self.records_dir.is_dir():
            for path in sorted(self.records_dir.iterdir()):
                if path.name.startswith("."):
                    if temporaries:
                        yield (
                            None,
                            RecordProblem(
                                "leftover temporary file of an interrupted write", file=path
                            ),
                            None,
                        )
                elif not _RECORD_NAME.match(path.name) or not path.is_file():
                    yield None, RecordProblem("stray file: not a record name", file=path), None
                else:
                    read = None
                    try:
                        record = read_record(path, keep=keep)
                        if items and record.items_file:
                            read = read_items_checked(record, thorough=True)  # let go after
                    except RecordProblem as problem:
                        yield None, problem, None
                        continue
                    named[record.key] = record.items_file
                    yield record, None, read if read is not None else record.items
        if items:
            for problem in self._stray_items(temporaries, named):
                yield None, problem, None

    def _stray_items(self, temporaries: bool, named: dict[str, str | None]) -> list[RecordProblem]:
        if not self.items_dir.is_dir():
            return []
        problems = []
        for path in sorted(self.items_dir.iterdir()):
            match = ITEMS_NAME.match(path.name)
            if path.name.startswith("."):
                if temporaries:
                    problems.append(
                        RecordProblem("leftover temporary file of an interrupted write", file=path)
                    )
            elif match is None or not self.has(match.group(1)):
                problems.append(RecordProblem("stray file: items of no record", file=path))
            elif match.group(1) in named and named[match.group(1)] != path.name:
                problems.append(
                    RecordProblem(
                        "leftover items file of an interrupted write: its record names "
                        f"{named[match.group(1)] or 'no items file'} (safe to delete)",
                        file=path,
                    )
                )
        return problems

    def records(self) -> Iterator[ResultRecord]:
        """Every good record; each problem is reported in one line, never deleted."""
        records, problems = self.scan()
        for problem in problems:
            warn(problem)
        yield from records

    def remember_checked_items(self) -> None:
        """Write the items' correctness read and checked since the summary cache was
        written (store.checked_items) into the cache, so the next command pairs without
        reading them again. Nothing to do where none was read."""
        root = self.root.resolve()
        snapshot = _snapshots.get(root)
        if snapshot is not None and root in checked_items.dirty:
            cache.save(self.root, snapshot)
            checked_items.dirty.discard(root)

    def summaries(self) -> list[RecordSummary]:
        """A summary of every good record, in file-name order, as `records()` gives them
        (each problem reported in one line, never deleted). Unchanged records come from the
        store's summary cache (store/cache.py); new or changed ones are read and checked."""
        if not self.records_dir.is_dir():
            return []
        started = time.time_ns()
        known = _snapshot(self.root)
        fresh: dict[str, tuple[FileStat, RecordSummary]] = {}
        changed = 0
        for entry in sorted(os.scandir(self.records_dir), key=lambda e: e.name):
            if entry.name.startswith("."):
                continue  # a write in progress
            if not _RECORD_NAME.match(entry.name) or not entry.is_file():
                warn(RecordProblem("stray file: not a record name", file=Path(entry.path)))
                continue
            path = None  # a Path per file costs more than the cache lookup: only on a miss
            try:
                stat = FileStat.of(entry.stat())
                summary = known.trusted(entry.name, stat, entry.path) if known else None
                if summary is None:
                    path = Path(entry.path)
                    # read, checked and let go (not kept like read_record's): memory stays
                    # flat even where records carry their items inline
                    summary = summarize(read_record(path, keep=False), self.root)
                    if cache.cacheable(summary) and (
                        known is None or known.stale(entry.name, stat, summary, started)
                    ):
                        changed += 1
            except OSError as exc:
                warn(RecordProblem(f"cannot read ({exc.strerror})", file=Path(entry.path)))
                continue
            except RecordProblem as problem:
                warn(problem)
                continue
            fresh[entry.name] = (stat, summary)
        cached = {n: e for n, e in fresh.items() if cache.cacheable(e[1])}
        if known is None or changed or len(cached) != len(known.entries):
            known = Snapshot(started, cached)
            cache.save(self.root, known)
        _snapshots[self.root.resolve()] = known
        return [summary for _, summary in fresh.values()]
