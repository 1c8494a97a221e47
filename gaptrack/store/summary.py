"""What tables and verdicts read of a record: everything but its cache key and items.

A store of 20,000 records is summarised from one cached Parquet table (store/cache.py)
instead of 20,000 JSON files: building full `ResultRecord`s costs ~0.1 ms each in
validation alone (the cache key's fingerprint), more than the whole budget of a command
over a large store. A summary gives the record's key, model, task, metrics and provenance
as the same typed objects a record has, and the full record (checked) on demand."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from gaptrack.refs import MetricRef
from gaptrack.store.records import (
    Item,
    ItemKey,
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
    _record: list = field(default_factory=list, compare=False, repr=False)
    _correct: list = field(default_factory=list, compare=False, repr=False)
    checked: list = field(default_factory=list, compare=False, repr=False)
    """The items' correctness as last read and checked (store.checked_items), if known:
    kept with the summary cache."""

    def metric(self, ref: MetricRef | str | None = None) -> Metric:
        """A metric by reference; default the primary metric (as `ResultRecord.metric`)."""
        return find_metric(self.metrics, self.model, self.task, ref)

    @property
    def score(self) -> float:
        return self.metric().value

    def record(self) -> ResultRecord:
        """The full record, read and checked (once)."""
        if not self._record:
            from gaptrack.store.store import read_record

            self._record.append(read_record(self.root / "records" / f"{self.key}.json"))
        return self._record[0]

    def correct_by_item(self) -> dict[ItemKey, bool]:
        """The record's `correct_by_item` (none if the record or its items file fails its
        checks now). Where the summary names the items file's sha256 (covered by the
        record's digest when the summary was made), the file is read and checked against
        it without reading the record: pairing reads thousands of these."""
        from gaptrack.store import checked_items
        from gaptrack.store.store import RecordProblem, load_correct, warn

        if self._correct:
            return self._correct[0]
        if self.items_file is not None and self.items_file_sha256 is not None:
            known = self.checked[0] if self.checked else None
            correct, new = checked_items.read(
                self.root / "items" / self.items_file,
                known,
                lambda: load_correct(self),
                self.correct_digest,
            )
            if new is not None:
                self.checked[:] = [new]
                checked_items.dirty.add(self.root.resolve())
        else:
            try:
                correct = self.record().correct_by_item()
            except RecordProblem as problem:
                warn(problem)
                correct = {}
        self._correct.append(correct)
        return correct

    def all_items(self) -> list[Item]:
        """The record's per-item results, read and checked; a record or items file that
        fails its checks now is reported and gives none (no paired statistics)."""
        from gaptrack.store.store import RecordProblem, warn

        try:
            return self.record().all_items()
        except RecordProblem as problem:
            warn(problem)
            return []


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
provenance, `metric()`, `score` and `all_items()`)."""
