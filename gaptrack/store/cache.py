"""A cache of a store's checked record summaries: `<root>/summary.parquet` (one row per
record) and `<root>/summary.json` (its digest and when it was made). A command over
thousands of records reads one columnar file instead of parsing and checking thousands of
JSON files: 20,000 records are one ~1 MB file.

The records stay the truth; the cache is derived data and never evidence:
- an entry is used only while its record file has the size, mtime, ctime and inode it had
  when the entry was made, *and* the file last changed more than `RACY_NS` before the scan
  that wrote the cache began. The second rule is git's "racily clean" rule: a file edited
  within the same timestamp tick as that scan can change without its stat changing. Any
  other file is read and checked again;
- the entry keeps the canonical JSON of each field the record's digest covers, and the
  summary is built from exactly that text; it is used only where that text hashes to the
  digest at the end of the record file (a 160-byte read), so an entry edited in the
  cache, its sha256 in `summary.json` updated to match, is never used: the record is
  read and the cache rewritten. Records sealed before schema 4 are not cached (read);
- the Parquet file must match the digest in `summary.json`; a cache that does not, or that
  cannot be read or was written for another record schema, is ignored (and rewritten);
- `gaptrack verify` checks every entry a reader would use against its record and items;
  deleting both files is always safe.

Writing is best effort (a read-only results folder still works, only slower), atomic, and
done by readers: runs never touch it, so concurrent writers need no lock (the last
complete write wins, and any complete write is correct)."""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import io
import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import TypeAdapter, ValidationError

from gaptrack.store import filestat
from gaptrack.store.atomic import write_bytes_atomic, write_text_atomic
from gaptrack.store.checked_items import CheckedItems
from gaptrack.store.filestat import FileStat
from gaptrack.store.records import (
    SCHEMA_VERSION,
    SEAL_LEAVES_OUT,
    Metric,
    ModelInfo,
    Provenance,
    ResultRecord,
    TaskInfo,
    seal_of,
)
from gaptrack.store.summary import RecordSummary

TABLE_NAME = "summary.parquet"
SIDECAR_NAME = "summary.json"
FORMAT = 5
_METRICS = TypeAdapter(list[Metric])
_STAT_COLUMNS = ("size", "mtime_ns", "ctime_ns", "ino")


@dataclass
class Snapshot:
    """Checked record summaries by file name, with the stat each file had when it was
    read, and the time the scan that read them began; and the items' correctness as last
    read and checked (store/checked_items.py), by the same file names."""

    started_ns: int
    entries: dict[str, tuple[FileStat, RecordSummary]]
    checked: dict[str, CheckedItems] = field(default_factory=dict)

    def trusted(self, name: str, stat: FileStat, path: str | os.PathLike) -> RecordSummary | None:
        """The cached summary of `name`, if its file provably has not changed since and
        the summary's sealed parts hash to the digest the record file (at `path`) ends
        with: a cache edited to show another value, its sha256 updated, is not used."""
        hit = self.entries.get(name)
        if hit is None or hit[0] != stat or stat.changed_ns >= self.started_ns - filestat.RACY_NS:
            return None
        summary = hit[1]
        if not cacheable(summary) or record_digest(path, stat.size) != seal_of(summary.seal):
            return None
        return summary

    def stale(self, name: str, stat: FileStat, summary: RecordSummary, now_ns: int) -> bool:
        """Whether the entry of `name`, just read again as `summary`, should be rewritten:
        it is new, changed, or would now be trusted. An entry that is only too recent to
        trust, and unchanged, is left as it is (re-reading a file changes nothing stored)."""
        hit = self.entries.get(name)
        if hit is None or hit[0] != stat or hit[1] != summary or hit[1].seal != summary.seal:
            return True
        return stat.changed_ns < now_ns - filestat.RACY_NS


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def load(root: Path) -> Snapshot | None:
    """The cached snapshot, or None where there is none that can be trusted."""
    try:
        sidecar = json.loads((root / SIDECAR_NAME).read_text())
        if sidecar.get("format") != FORMAT or sidecar.get("schema_version") != SCHEMA_VERSION:
            return None
        data = (root / TABLE_NAME).read_bytes()
        if _sha256(data) != sidecar.get("sha256"):
            return None
        import pyarrow.parquet as pq

        columns = pq.read_table(io.BytesIO(data)).to_pydict()
        return Snapshot(int(sidecar["started_ns"]), *_entries(columns, root))
    except (OSError, ValueError, KeyError, TypeError, ValidationError):
        return None


SEALED_FIELDS = tuple(sorted(set(ResultRecord.model_fields) - SEAL_LEAVES_OUT))
"""The fields a version-4 record's digest covers: the cache keeps each one's canonical
JSON, and builds the summary from exactly the text it checks against the record."""


def cacheable(summary: RecordSummary) -> bool:
    """Whether a summary can be cached: its record is sealed whole (schema 4 on), so a
    cached copy can be checked against the record's digest. Older records are read."""
    return summary.seal is not None and tuple(sorted(summary.seal)) == SEALED_FIELDS


_TAIL = re.compile(rb'"content_digest"\s*:\s*"(sha256:[0-9a-f]{64})"\s*}\s*$')
_TAIL_BYTES = 160


def record_digest(path: str | os.PathLike, size: int) -> str | None:
    """The content digest at the end of a record file (where gaptrack writes it), read
    without reading the record; None where it is not there (a hand-formatted file)."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return None
    try:
        tail = os.pread(fd, _TAIL_BYTES, max(0, size - _TAIL_BYTES))
    except OSError:
        return None
    finally:
        os.close(fd)
    match = _TAIL.search(tail)
    return match.group(1).decode() if match else None


def _json_text(text: str) -> str | None:
    """A JSON string or null (a key, file name or digest: no escapes), parsed without
    the JSON decoder's per-call cost."""
    if text == "null":
        return None
    if len(text) >= 2 and text[0] == text[-1] == '"' and "\\" not in text:
        return text[1:-1]
    return json.loads(text)


def _entries(
    columns: dict[str, list], root: Path
) -> tuple[dict[str, tuple[FileStat, RecordSummary]], dict[str, CheckedItems]]:
    # Parts shared by many records (a model's 20 tasks, a task's 1,000 models) are
    # validated once per distinct text. Every field comes from the sealed parts, which
    # `Snapshot.trusted` checks against the record's digest before the summary is used.
    models: dict[str, ModelInfo] = {}
    tasks: dict[str, TaskInfo] = {}
    sealed = [columns[f"seal:{f}"] for f in SEALED_FIELDS]
    text = dict(zip(SEALED_FIELDS, sealed, strict=True))
    entries = {}
    checked = {}
    for i, name in enumerate(columns["name"]):
        model_text, task_text = text["model"][i], text["task"][i]
        if model_text not in models:
            models[model_text] = ModelInfo.model_validate_json(model_text)
        if task_text not in tasks:
            tasks[task_text] = TaskInfo.model_validate_json(task_text)
        key = json.loads(text["cache_key"][i])
        summary = RecordSummary(
            key=_json_text(text["key"][i]),
            model=models[model_text],
            task=tasks[task_text],
            metrics=tuple(_METRICS.validate_json(text["metrics"][i])),
            provenance=Provenance.model_validate_json(text["provenance"][i]),
            model_fingerprint=key["model_fingerprint"],
            backend=key["backend"],
            generation=key.get("generation"),
            root=root,
            items_file=_json_text(text["items_file"][i]),
            items_file_sha256=_json_text(text["items_file_sha256"][i]),
            correct_digest=_json_text(text["correct_digest"][i]),
            seal={f: column[i] for f, column in zip(SEALED_FIELDS, sealed, strict=True)},
        )
        if columns["items_keys"][i] is not None:
            checked[name] = CheckedItems(
                stat=FileStat(*(columns[f"items_{c}"][i] for c in _STAT_COLUMNS)),
                read_ns=columns["items_read_ns"][i],
                keys=columns["items_keys"][i],
                n=columns["items_n"][i],
                bits=columns["items_bits"][i],
            )
        stat = FileStat(*(columns[c][i] for c in _STAT_COLUMNS))
        entries[name] = (stat, summary)
    return entries, checked


def _checked_columns(checked: list[CheckedItems | None]) -> dict:
    """The records' remembered item correctness (store.checked_items), null where none."""
    import pyarrow as pa

    def column(get, kind):
        return pa.array([None if c is None else get(c) for c in checked], kind)

    return {
        **{
            f"items_{name}": column(lambda c, k=k: c.stat[k], pa.int64())
            for k, name in enumerate(_STAT_COLUMNS)
        },
        "items_read_ns": column(lambda c: c.read_ns, pa.int64()),
        "items_keys": column(lambda c: c.keys, pa.string()),
        "items_n": column(lambda c: c.n, pa.int64()),
        "items_bits": column(lambda c: c.bits, pa.binary()),
    }


def save(root: Path, snapshot: Snapshot) -> None:
    """Write `snapshot` as the cache; a folder we may not write to only loses the speed."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    names = sorted(snapshot.entries)
    stats = [snapshot.entries[n][0] for n in names]
    summaries = [snapshot.entries[n][1] for n in names]
    table = pa.table(
        {
            "name": names,
            **{c: pa.array([getattr(s, c) for s in stats], pa.int64()) for c in _STAT_COLUMNS},
            **{
                f"seal:{f}": pa.array([s.seal[f] for s in summaries], pa.string())
                for f in SEALED_FIELDS
            },
            **_checked_columns([snapshot.checked.get(n) for n in names]),
        }
    )
    buffer = io.BytesIO()
    pq.write_table(table, buffer, compression="zstd")
    data = buffer.getvalue()
    sidecar = {
        "format": FORMAT,
        "schema_version": SCHEMA_VERSION,
        "started_ns": snapshot.started_ns,
        "written": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "records": len(names),
        "sha256": _sha256(data),
        "note": f"derived from records/ by gaptrack: a cache of {TABLE_NAME}; safe to delete",
    }
    with contextlib.suppress(OSError):  # a folder we may not write to: no cache, no error
        write_bytes_atomic(root / TABLE_NAME, data)
        write_text_atomic(root / SIDECAR_NAME, json.dumps(sidecar, indent=1) + "\n")
