"""The results store: `<root>/records/<key>.json` (metrics and provenance),
`<root>/items/<key>.<sha256 prefix>.parquet` (per-item results), `<root>/failures/<key>.json`, plus
derived files: `scores.csv`, and `summary.parquet` with `summary.json` (store/cache.py). Every read checks the record (schema version, digest, items); a
record that fails is reported in one line and left out, never deleted. Records written
by older versions, with their items inline in the JSON, are read as they are.

Records and summaries are plain data; the `Store` reads them and their items, and owns
every cache it keeps (records already checked, its summary snapshot, the items'
correctness remembered with it): no state is shared between two Stores."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import tempfile
import time
import weakref
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Literal, TypeVar

from pydantic import ValidationError

from gaptrack.errors import GaptrackError
from gaptrack.store import cache
from gaptrack.store.atomic import write_bytes_atomic, write_text_atomic
from gaptrack.store.cache import Snapshot
from gaptrack.store.checked_items import ItemKeys
from gaptrack.store.filestat import FileStat
from gaptrack.store.integrity import columns_problem, record_problem
from gaptrack.store.items import Columns, items_bytes, items_from_columns, read_columns
from gaptrack.store.problems import (
    LEFT_OUT,
    RecordProblem,
    StoreWriteError,
    Warnings,
    command_warnings,
)
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

__all__ = ["LEFT_OUT", "RecordProblem", "Store", "StoreWriteError", "require_store_folder"]

_RECORD_NAME = re.compile(r"^[0-9a-f]{20}\.json$")
Layout = Literal["parquet", "json"]
T = TypeVar("T")


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


def _first_error(exc: ValidationError) -> str:
    error = exc.errors()[0]
    where = ".".join(str(part) for part in error["loc"])
    message = str(error["msg"]).removeprefix("Value error, ")
    return f"{where}: {message}" if where else message


def _read_bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise RecordProblem(f"cannot read ({exc.strerror})", file=path) from None


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
    record._seal = parts
    return record


def items_path(root: Path, name: str) -> Path:
    """Where an items file a record names lives: a plain name (checked when the record
    was read) in the store's `items/` folder."""
    return root / "items" / name


def read_columns_checked(root: Path, record: Stored, thorough: bool = False) -> Columns:
    """The items of `record`'s items file (in the store at `root`) as columns, checked
    against the record and its metrics (without building an Item per row: pairing reads
    thousands of these files). A version-3 record names its file's sha256: the bytes are
    checked against it, and every item re-digested only when `thorough` (`verify`, on
    full records only)."""
    path = items_path(root, str(record.items_file))
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


def read_items_checked(root: Path, record: ResultRecord, thorough: bool = False) -> list[Item]:
    """The items of `record`'s items file, checked against the record and its metrics."""
    return items_from_columns(read_columns_checked(root, record, thorough))


def _correct_of_columns(columns: Columns) -> dict[ItemKey, bool]:
    """Whether each binary item was answered correctly, from an items file's columns."""
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


class _Remembered:
    """What a Store keeps of its summary cache: the snapshot it last read or wrote, the
    item keys of the items files it checked, and whether it learned the correctness of
    items since the cache was written. Apart from the Store so that a finalizer can write
    what it learned when the Store is let go, without keeping the Store alive."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.snapshot: Snapshot | None = None
        self.keys = ItemKeys()
        self.dirty = False

    def save(self) -> None:
        """Write the items' correctness learned since the cache was written (best
        effort, like every cache write; nothing where the store is gone)."""
        if self.dirty and self.snapshot is not None and (self.root / "records").is_dir():
            cache.save(self.root, self.snapshot)
        self.dirty = False


class Store:
    """A folder of result records. Safe to read while a run writes to it."""

    def __init__(
        self, root: str | Path, layout: Layout = "parquet", warnings: Warnings | None = None
    ):
        self.root = Path(root)
        self.layout = layout
        """Where `put` writes items: `parquet` files, or inline in the JSON record."""
        self.records_dir = self.root / "records"
        self.items_dir = self.root / "items"
        self.failures_dir = self.root / "failures"
        self.warnings = warnings or command_warnings()
        """Where bad files are reported, each once (the open command's, by default:
        store/problems.py)."""
        # Records read and checked, by path and the sha256 of the bytes read: a command
        # that scans the store twice (check, leaderboard) parses each file once, and a
        # file whose bytes changed since is parsed and checked again.
        self._checked: dict[Path, tuple[bytes, ResultRecord]] = {}
        # Items and correctness already read, by the record or summary they belong to
        # (held, so its id stays its own): pairing asks for them again and again.
        self._items: dict[int, tuple[Stored, list[Item]]] = {}
        self._correct: dict[int, tuple[Stored, dict[ItemKey, bool]]] = {}
        self._remembered = _Remembered(self.root)
        # The correctness of items learned while pairing goes into the summary cache at
        # the next scan, at `close()`, or when the Store is let go: the next command
        # pairs without reading those items files again.
        self._finalizer = weakref.finalize(self, self._remembered.save)

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        """Write what this Store learned of its items into the summary cache now (it is
        also written at the next `summaries()` and when the Store is let go)."""
        self._remembered.save()

    def warn(self, problem: RecordProblem, consequence: str = LEFT_OUT) -> None:
        """Report `problem` once (see `warnings`)."""
        self.warnings.warn(problem, consequence)

    def path_for(self, key: str) -> Path:
        return self.records_dir / f"{key}.json"

    def has(self, key: str) -> bool:
        return self.path_for(key).is_file()

    def get(self, key: str) -> ResultRecord:
        """The record of `key`, checked (RecordProblem if it does not pass)."""
        return self.read(self.path_for(key))

    def read(self, path: Path, keep: bool = True) -> ResultRecord:
        """The record in `path`, checked; any problem is a RecordProblem naming the file.
        `keep`: remember it in this Store (a second read of unchanged bytes is free)."""
        raw = _read_bytes(path)
        fingerprint = hashlib.sha256(raw).digest()
        hit = self._checked.get(path)
        if hit is not None and hit[0] == fingerprint:
            return hit[1]
        record = _parse_record(path, raw)
        if keep:
            self._checked[path] = (fingerprint, record)
        return record

    def record_of(self, record: Stored) -> ResultRecord:
        """The full record of a summary, read and checked now (RecordProblem if it does
        not pass); a full record is its own."""
        if isinstance(record, ResultRecord):
            return record
        return self.read(self.path_for(record.key))

    def items_of(self, record: Stored) -> list[Item]:
        """The per-item results of a record or summary, inline or read (once, and
        checked) from its items file; a record or items file that fails its checks now
        is reported and gives no items (no paired statistics)."""
        if isinstance(record, ResultRecord) and record.items_file is None:
            return record.items
        hit = self._items.get(id(record))
        if hit is not None:
            return hit[1]
        full = self._full_or_warn(record)
        if full is None:
            items = []
        elif full.items_file is None:
            items = full.items
        else:
            items = self._or_warn(lambda: read_items_checked(self.root, full)) or []
        self._items[id(record)] = (record, items)
        return items

    def correct_of(self, record: Stored) -> dict[ItemKey, bool]:
        """Whether each item with a binary primary metric was answered correctly, by item
        identity: what paired statistics join on. Read once, checked like `items_of`
        (none where that fails). Where the record names its items file's sha256 (covered
        by its digest), the file is read and checked against it without reading the
        record, or its correctness is recalled from the summary cache
        (store/checked_items.py): pairing reads thousands of these."""
        hit = self._correct.get(id(record))
        if hit is not None:
            return hit[1]
        if record.items_file is not None and record.items_file_sha256 is not None:
            correct = self._checked_correct(record)
        elif record.items_file is None or id(record) in self._items:
            correct = correct_of(self.items_of(record))
        else:  # an items file without its sha256 (schema 2): checked item by item
            full = self._full_or_warn(record)
            correct = {} if full is None else self._load_correct(full)
        self._correct[id(record)] = (record, correct)
        return correct

    def _checked_correct(self, record: Stored) -> dict[ItemKey, bool]:
        remembered = self._remembered
        name = f"{record.key}.json"
        snapshot = remembered.snapshot
        known = snapshot.checked.get(name) if snapshot is not None else None
        correct, new = remembered.keys.read(
            items_path(self.root, str(record.items_file)),
            known,
            lambda: self._load_correct(record),
            record.correct_digest,
        )
        if new is not None and snapshot is not None and name in snapshot.entries:
            snapshot.checked[name] = new
            remembered.dirty = True
        return correct

    def _load_correct(self, record: Stored) -> dict[ItemKey, bool]:
        """The correctness in `record`'s items file: a bad file is reported, gives none."""
        columns = self._or_warn(lambda: read_columns_checked(self.root, record))
        return {} if columns is None else _correct_of_columns(columns)

    def _or_warn(self, read: Callable[[], T]) -> T | None:
        try:
            return read()
        except RecordProblem as problem:
            # The score is covered by the record's own digest; only its items are suspect.
            self.warn(problem, "its items are not used (no paired statistics)")
            return None

    def _full_or_warn(self, record: Stored) -> ResultRecord | None:
        try:
            return self.record_of(record)
        except RecordProblem as problem:
            self.warn(problem)
            return None

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
            self.warn(problem)
            return None

    def put(self, record: ResultRecord) -> Path:
        """Seal and write `record`. With the Parquet layout its items go first to a file
        under a new name (`<key>.<sha256 prefix>.parquet`) that only the new record
        names, then the record replaces the old one in one rename, then the old items
        file goes: a crash at any point leaves the old pair or the new pair, never a
        record with another record's items. A write that fails is a StoreWriteError
        naming the path, with nothing of this write left behind."""
        # A record whose items are in a file of this store (read from it) is written
        # again with those items, checked; a bad file stops the write, never drops them.
        items = record.items if record.items_file is None else read_items_checked(self.root, record)
        sealed = record.sealed(items)
        written: Path | None = None
        if self.layout == "parquet" and sealed.items:
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
                self.warn(RecordProblem(f"unreadable failure file: {exc}", file=path))
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
        checked = snapshot.checked.get(name)
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
                        record = self.read(path, keep=keep)
                        if items and record.items_file:
                            # let go after
                            read = read_items_checked(self.root, record, thorough=True)
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
            self.warn(problem)
        yield from records

    def summaries(self) -> list[RecordSummary]:
        """A summary of every good record, in file-name order, as `records()` gives them
        (each problem reported in one line, never deleted). Unchanged records come from the
        store's summary cache (store/cache.py); new or changed ones are read and checked."""
        if not self.records_dir.is_dir():
            return []
        started = time.time_ns()
        remembered = self._remembered
        known = remembered.snapshot or cache.load(self.root)
        fresh: dict[str, tuple[FileStat, RecordSummary]] = {}
        changed = 0
        for entry in sorted(os.scandir(self.records_dir), key=lambda e: e.name):
            if entry.name.startswith("."):
                continue  # a write in progress
            if not _RECORD_NAME.match(entry.name) or not entry.is_file():
                self.warn(RecordProblem("stray file: not a record name", file=Path(entry.path)))
                continue
            path = None  # a Path per file costs more than the cache lookup: only on a miss
            try:
                stat = FileStat.of(entry.stat())
                summary = known.trusted(entry.name, stat, entry.path) if known else None
                if summary is None:
                    path = Path(entry.path)
                    # read, checked and let go (not kept like `get`'s): memory stays
                    # flat even where records carry their items inline
                    summary = summarize(self.read(path, keep=False), self.root)
                    if cache.cacheable(summary) and (
                        known is None or known.stale(entry.name, stat, summary, started)
                    ):
                        changed += 1
            except OSError as exc:
                self.warn(RecordProblem(f"cannot read ({exc.strerror})", file=Path(entry.path)))
                continue
            except RecordProblem as problem:
                self.warn(problem)
                continue
            fresh[entry.name] = (stat, summary)
        cached = {n: e for n, e in fresh.items() if cache.cacheable(e[1])}
        if known is None or changed or len(cached) != len(known.entries):
            # the items remembered of a record stay with its summary, as long as that is
            # the one trusted (a record read again starts without)
            checked = {} if known is None else known.checked
            known = Snapshot(
                started,
                cached,
                {
                    n: checked[n]
                    for n, (_, summary) in cached.items()
                    if n in checked and known.entries.get(n, (None, None))[1] is summary
                },
            )
            remembered.dirty = True
        remembered.snapshot = known
        remembered.save()  # the new snapshot, or items learned since the last one
        return [summary for _, summary in fresh.values()]
