"""Per-item results in Parquet: `<root>/items/<key>.<sha256 prefix>.parquet`, one row per item.

Why Parquet through pyarrow: a summary (`results`, `check`'s scores, `scores.csv`) reads
the small JSON records and never parses an item row; the items of one record are one
compressed columnar file read in one call, and pairing two models' items is a join on
(subtask, doc id, prompt hash) done in Arrow, not a Python loop. pyarrow is the reference
Parquet implementation, already a dependency of `datasets` (so it adds nothing to the
install), and reads the files with any other Arrow/Parquet tool (pandas, DuckDB, polars).
DuckDB would add a 40 MB engine for what is, per record, a single-file read."""

from __future__ import annotations

import hashlib
import io
from collections.abc import Sequence
from pathlib import Path

from gaptrack.store.records import Item, sha256_json

SCORE_PREFIX = "score:"  # column prefix of per-metric item scores, e.g. `score:acc_norm`
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
        columns[SCORE_PREFIX + label] = pa.array([i.scores.get(label) for i in items], pa.float64())
    return pa.table(columns)


def from_table(table) -> list[Item]:
    return items_from_columns(table.to_pydict())


Columns = dict[str, list]
"""An items file as Python lists by column (`doc_id`, `subtask`, `prompt_hash`, `correct`,
`score:<metric>`): what the checks and pairing read without building an Item per row."""


def _score_labels(columns: Columns) -> list[tuple[str, list]]:
    return [(c[len(SCORE_PREFIX) :], v) for c, v in columns.items() if c.startswith(SCORE_PREFIX)]


def item_scores(columns: Columns, i: int, labels: list[tuple[str, list]]) -> dict[str, float]:
    return {label: values[i] for label, values in labels if values[i] is not None}


def _rows(columns: Columns):
    """Each item's fields as a dict (the canonical form the items digest hashes)."""
    labels = _score_labels(columns)
    for i, (doc_id, subtask, prompt_hash, correct) in enumerate(
        zip(
            columns["doc_id"],
            columns["subtask"],
            columns["prompt_hash"],
            columns["correct"],
            strict=True,
        )
    ):
        yield {
            "doc_id": doc_id,
            "subtask": subtask,
            "prompt_hash": prompt_hash,
            "correct": correct,
            "scores": item_scores(columns, i, labels),
        }


def items_from_columns(columns: Columns) -> list[Item]:
    # Typed by the Parquet schema already: no per-item validation (the digest checks them).
    return [Item.model_construct(**row) for row in _rows(columns)]


def columns_digest(columns: Columns) -> str:
    """`records.items_digest` of the items these columns hold, without building them."""
    return sha256_json(list(_rows(columns)))


def read_columns(source: Path | bytes) -> Columns:
    """An items file (a path, or its bytes already read) as columns."""
    import pyarrow.parquet as pq

    if isinstance(source, bytes):
        source = io.BytesIO(source)
    return pq.ParquetFile(source).read().to_pydict()


def items_bytes(items: Sequence[Item]) -> bytes:
    """The Parquet file of `items`, as bytes (Store.put names the file by its sha256)."""
    import pyarrow.parquet as pq

    buffer = io.BytesIO()
    pq.write_table(to_table(items), buffer, compression="zstd")
    return buffer.getvalue()


def write_items(path: Path, items: Sequence[Item]) -> str:
    """Atomically, like the records: a reader sees the whole file or none. Returns the
    sha256 (hex) of the bytes written."""
    from gaptrack.store.atomic import write_bytes_atomic

    data = items_bytes(items)
    write_bytes_atomic(path, data)
    return hashlib.sha256(data).hexdigest()


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
