"""Measured evidence: gaptrack's own store records as score rows."""

from __future__ import annotations

from collections.abc import Iterable
from functools import partial
from pathlib import Path

from gaptrack.compare.evidence.rows import EvidenceKind, ScoreRow
from gaptrack.compare.vocabulary import BENCHMARKS, benchmark_for_task
from gaptrack.store.records import ResultRecord
from gaptrack.store.store import Store
from gaptrack.store.summary import Stored


def _shots(record: Stored) -> str:
    shots = record.task.num_fewshot
    return "default" if shots is None else str(shots)


def generation_text(generation: dict | None) -> str:
    """A record's generation settings (CacheKey.generation) in words."""
    if not generation:
        return "lm-eval defaults"
    return ",".join(f"{k}={v}" for k, v in sorted(generation.items()))


def _constructor():
    """`ScoreRow.model_construct` without its loop over 38 fields per row (pydantic's own
    construct spends more time filling defaults than a measured row takes to compute):
    the defaults are resolved once, mutable ones copied per row."""
    if ScoreRow.__private_attributes__:  # the shortcut below would skip their setup
        return ScoreRow.model_construct
    defaults = {
        name: field.get_default(call_default_factory=True)
        for name, field in ScoreRow.model_fields.items()
        if not field.is_required()
    }
    mutable = [name for name, value in defaults.items() if isinstance(value, list | dict | set)]

    def construct(**values):
        data = {**defaults, **values}
        for name in mutable:
            if name not in values:
                data[name] = data[name].copy()
        row = ScoreRow.__new__(ScoreRow)
        object.__setattr__(row, "__dict__", data)
        object.__setattr__(row, "__pydantic_fields_set__", set(values))
        object.__setattr__(row, "__pydantic_extra__", None)
        object.__setattr__(row, "__pydantic_private__", None)
        return row

    return construct


_construct = _constructor()


def run_by(record: Stored) -> str:
    """Who made a record's number: `gaptrack`, or the imported run's harness and who ran
    it (so a gap that pairs an imported run with a local one says so)."""
    imported = record.provenance.imported
    if imported is None:
        return "gaptrack"
    who = f" by {imported.measured_by}" if imported.measured_by else ""
    return f"imported {imported.harness} {imported.harness_version} run{who}"


def measured_row(record: Stored, store: Store | None = None) -> ScoreRow:
    """A store record's primary metric as evidence; accuracies become percent. `store`:
    the Store the record came from, which reads its items when a gap pairs them (None
    only for a record that holds its items inline)."""
    store = store or _inline_only(record)
    bench_id = benchmark_for_task(record.task.name)
    metric = record.metric()
    imported = record.provenance.imported
    scale = 100.0 if bench_id not in BENCHMARKS or BENCHMARKS[bench_id].scale == "percent" else 1.0
    # Constructed, not validated: every field comes from a record the store has checked,
    # and a store of 20,000 records would spend a second in validation alone
    # (tests/test_record_cache.py checks that validation would give the same row).
    return _construct(
        row_id=record.key,
        kind=EvidenceKind.MEASURED,
        model=record.model.name,
        model_id=record.model.id,
        organisation=record.model.organisation,
        origin=record.model.origin,
        released=record.model.released,
        open_weights=record.model.open_weights,
        params_b=record.model.params_b,
        benchmark=bench_id,
        metric=str(record.task.primary_metric),
        value=metric.value * scale,
        stderr=None if metric.stderr is None else metric.stderr * scale,
        n_samples=record.task.n_samples,
        backend=record.backend,
        generation=generation_text(record.generation),
        source=("" if imported is None else f"{', '.join(imported.files)}, ")
        + f"store record {record.key} (task {record.task.name}, "
        f"{_shots(record)}-shot, limit {record.task.limit})",
        source_kind="measured",
        status="verified",
        measured_by=run_by(record),
        reporter=None if imported is None or imported.tier != "developer_reported" else "developer",
        published=record.provenance.finished_at.date(),
        note=(f"quantized: {record.model.quantization}" if record.model.quantization else ""),
        item_source=partial(store.items_of, record),
        correct_source=partial(store.correct_of, record),
    )


def _inline_only(record: Stored) -> Store:
    """A Store for a record that holds its items inline: it reads them from the record
    and never touches its folder. A record whose items are in a store's file needs that
    Store (a wrong one would find no items and pair nothing)."""
    if not isinstance(record, ResultRecord) or record.items_file is not None:
        raise ValueError(f"record {record.key}: its items are in a store: pass that Store")
    return Store(".")


def load_measured(results: str | Path | Store) -> list[ScoreRow]:
    """`measured_rows` of every record in the store (from its summaries: a store of
    thousands of records is read from its summary cache)."""
    store = results if isinstance(results, Store) else Store(results)
    return measured_rows(store.summaries(), store)


def measured_rows(records: Iterable[Stored], store: Store | None = None) -> list[ScoreRow]:
    """One row per (model, benchmark): of several records, the one with most items (then
    gaptrack's own run before an imported one, then the lowest key, so the choice never
    depends on file order). `store`: the Store they came from (see `measured_row`)."""
    best: dict[tuple[str, str], tuple[tuple, Stored]] = {}
    for record in records:
        rank = (-record.task.n_samples, record.provenance.imported is not None, record.key)
        key = (record.model.id, benchmark_for_task(record.task.name))
        if key not in best or rank < best[key][0]:
            best[key] = (rank, record)
    rows = [measured_row(record, store) for _, record in best.values()]
    return sorted(rows, key=lambda row: row.row_id)
