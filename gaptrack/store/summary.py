"""What tables and verdicts read of a record: everything but its cache key and items.

A store of 20,000 records is summarised from one cached Parquet table (store/cache.py)
instead of 20,000 JSON files: building full `ResultRecord`s costs ~0.1 ms each in
validation alone (the cache key's fingerprint), more than the whole budget of a command
over a large store. A summary gives the record's key, model, task, metrics and provenance
as the same typed objects a record has. Summaries are plain data: the Store that made
them reads their full record and items (`Store.record_of`, `Store.items_of`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from gaptrack.refs import MetricRef
from gaptrack.store.records import (
    Metric,
    ModelInfo,
    Provenance,
    ResultRecord,
    TaskInfo,
    find_metric,
)


# A slotted dataclass, not a pydantic model: built from already-validated parts, 20,000 at
# a time, so validation here would only repeat what the parts' own validation did.
@dataclass(frozen=True, slots=True)
class RecordSummary:
    """One checked record, without its cache key and items."""

    key: str
    """The record's key (its file name)."""
    model: ModelInfo
    """The model evaluated."""
    task: TaskInfo
    """The task as run."""
    metrics: tuple[Metric, ...]
    """Every aggregate metric."""
    provenance: Provenance
    """How, where and when."""
    model_fingerprint: str
    """The weights' fingerprint as the cache key writes it (`hub:<repo>@<rev>`,
    `sha256:<hex>`)."""
    backend: str
    """lm-eval backend (`hf`, `vllm`), from the cache key."""
    generation: dict | None
    """Generation settings that differ from lm-eval's defaults, from the cache key."""
    root: Path
    """The store's root folder."""
    items_file: str | None = None
    """The record's items file, relative to `root` (None: items inline, or none)."""
    items_file_sha256: str | None = None
    """sha256 of that file's bytes as written, from the checked record (None before
    record schema 3: reading its items then goes through the full record)."""
    correct_digest: str | None = None
    """The record's `correct_digest` (None before record schema 4): a remembered copy of
    the items' correctness is used only where it matches."""
    seal: dict[str, str] | None = field(default=None, compare=False, repr=False)
    """`records.seal_parts` of the record as read and checked (None before schema 4): the
    parts the summary was built from, which hash to the record's content digest."""

    def metric(self, ref: MetricRef | str | None = None) -> Metric:
        """A metric by reference; default the primary metric (as `ResultRecord.metric`)."""
        return find_metric(self.metrics, self.model, self.task, ref)

    @property
    def score(self) -> float:
        return self.metric().value


def summarize(record: ResultRecord, root: Path) -> RecordSummary:
    """The summary of a record already read and checked. It keeps no reference to the
    record: a store of records with their items inline would otherwise stay in memory."""
    return RecordSummary(
        key=record.key,
        model=record.model,
        task=record.task,
        metrics=tuple(record.metrics),
        provenance=record.provenance,
        model_fingerprint=str(record.cache_key.model_fingerprint),
        backend=record.cache_key.backend,
        generation=record.cache_key.generation,
        root=root,
        items_file=None if record.items_file is None else str(record.items_file),
        items_file_sha256=record.items_file_sha256,
        correct_digest=record.correct_digest,
        seal=record._seal,
    )


Stored = ResultRecord | RecordSummary
"""What tables read: a full record or its summary (both give key, model, task, metrics,
provenance, `metric()` and `score`; `Store.items_of` reads either's items)."""
