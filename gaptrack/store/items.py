"""Per-item results in Parquet: `<root>/items/<key>.parquet`, one row per item.

Why Parquet through pyarrow: a summary (`results`, `check`'s scores, `scores.csv`) reads
the small JSON records and never parses an item row; the items of one record are one
compressed columnar file read in one call, and pairing two models' items is a join on
(subtask, doc id, prompt hash) done in Arrow, not a Python loop. pyarrow is the reference
Parquet implementation, already a dependency of `datasets` (so it adds nothing to the
install), and reads the files with any other Arrow/Parquet tool (pandas, DuckDB, polars).
DuckDB would add a 40 MB engine for what is, per record, a single-file read."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Sequence
from pathlib import Path

from gaptrack.store.records import Item

_SCORE = "score:"  # column prefix of per-metric item scores, e.g. `score:acc_norm`
JOIN_KEYS = ["subtask", "doc_id", "prompt_hash"]


def to_table(items: Sequence[Item]):
    import pyarrow as pa

    labels = sorted({label for item in items for label in item.scores})
    columns = {
        "doc_id": pa.array([i.doc_id for i in items], pa.int64()),
        "subtask": pa.array([i.subtask for i in items], pa.string()),
        "prompt_hash": pa.array([i.prompt_hash for i in items], pa.string()),
        "correct": pa.array([i.correct for i in items], pa.bool_()),
    }
    for label in labels:
        columns[_SCORE + label] = pa.array([i.scores.get(label) for i in items], pa.float64())
    return pa.table(columns)


def from_table(table) -> list[Item]:
    rows = table.to_pylist()
    labels = [c for c in table.column_names if c.startswith(_SCORE)]
    # Typed by the Parquet schema already: no per-item validation (the digest checks them).
    return [
        Item.model_construct(
            doc_id=row["doc_id"],
            subtask=row["subtask"],
            prompt_hash=row["prompt_hash"],
            correct=row["correct"],
            scores={c[len(_SCORE) :]: row[c] for c in labels if row[c] is not None},
        )
        for row in rows
    ]


def write_items(path: Path, items: Sequence[Item]) -> None:
    """Atomically, like the records: a reader sees the whole file or none."""
    import pyarrow.parquet as pq

    from gaptrack.store.atomic import file_mode

    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    try:
        pq.write_table(to_table(items), tmp, compression="zstd")
        os.chmod(tmp, file_mode())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def read_table(path: Path, columns: list[str] | None = None):
    import pyarrow.parquet as pq

    return pq.read_table(path, columns=columns)


def read_items(path: Path) -> list[Item]:
    return from_table(read_table(path))


def paired(path_a: Path, path_b: Path, column: str = "correct"):
    """The items both records scored, as an Arrow table `subtask, doc_id, prompt_hash,
    a, b`: an inner join on the item's identity."""
    return (
        _keyed(path_a, column, "a")
        .join(_keyed(path_b, column, "b"), keys=JOIN_KEYS, join_type="inner")
        .sort_by([("subtask", "ascending"), ("doc_id", "ascending")])
    )


def _keyed(path: Path, column: str, name: str):
    import pyarrow.compute as pc

    table = read_table(path, [*JOIN_KEYS, column]).rename_columns([*JOIN_KEYS, name])
    # A task that is not a group has no subtask; nulls never match in a join.
    subtask = pc.fill_null(table.column("subtask"), "")
    return table.set_column(0, "subtask", subtask)
