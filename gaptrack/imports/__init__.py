"""Bring your own runs: `gaptrack import-run` reads lm-eval output folders and inspect_ai
logs into the store as measured records, per item, with their provenance; `gaptrack
export` writes the store's records back as lm-eval-style results JSON.

Everything is read and checked before anything is written: a bad file is one error
naming it, and the store is left as it was."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from gaptrack.config.schema import Config
from gaptrack.errors import GaptrackError
from gaptrack.imports.runs import ImportedTask, Tier
from gaptrack.store import ResultRecord, Store

__all__ = ["ImportRequest", "ImportResult", "ImportedRecord", "import_run", "read_runs"]


@dataclass(frozen=True)
class ImportRequest:
    """What to import and how to name it."""

    paths: tuple[Path, ...]
    """lm-eval output folders or results JSONs, inspect_ai logs (`.eval`, `.json`), or
    folders holding them."""
    results_dir: Path
    """The store the records go to."""
    config: Config | None = None
    """Its models are known by hub id besides the shipped catalogues'."""
    model_id: str | None = None
    """The model entry the runs evaluated, where the files' name for it is not a known
    hub id (a local folder, an API model)."""
    task: str | None = None
    """gaptrack's name for the task, where the run named it otherwise (inspect tasks)."""
    measured_by: str | None = None
    """Who ran it (kept in the record and shown beside its numbers)."""
    tier: Tier = "third_party_run"
    """`developer_reported` where the model's developer ran it."""


@dataclass(frozen=True)
class ImportedRecord:
    """One record written."""

    record: ResultRecord
    benchmark: str
    """gaptrack's benchmark id for the task."""
    replaced: bool
    """The store held this key already (the same run imported again)."""
    notes: tuple[str, ...] = ()
    """How it differs from gaptrack's own runs of the task (version, task hash)."""


@dataclass(frozen=True)
class ImportResult:
    records: list[ImportedRecord] = field(default_factory=list)
    store: Path | None = None


def read_runs(path: Path) -> list[ImportedTask]:
    """Every (model, task) run a path holds, read and checked; nothing importable is an
    error naming the path."""
    from gaptrack.imports import inspect_logs, lmeval_files

    if not path.exists():
        raise GaptrackError("no such file or folder", file=path)
    runs: list[ImportedTask] = []
    candidates = lmeval_files.results_files(path)
    for file in candidates:
        if path.is_file() and file.suffix == ".json" and inspect_logs.is_inspect_json(file):
            continue  # an inspect log written as JSON
        runs.extend(lmeval_files.read_results_file(file))
    for file in inspect_logs.log_files(path):
        if file.suffix == ".json" and not inspect_logs.is_inspect_json(file):
            continue  # lm-eval's, read above
        runs.extend(inspect_logs.read_log(file))
    if not runs:
        raise GaptrackError(
            "nothing to import: no lm-eval results_*.json (with its samples_*.jsonl) and no "
            "inspect_ai log (.eval, .json)",
            file=path,
        )
    return runs


def _variant_notes(record: ResultRecord, native: list) -> tuple[str, ...]:
    """Where gaptrack's own runs of the task were made from another task definition: the
    import is then a variant of its own (its own key), never merged with them."""
    notes = []
    same = [r for r in native if r.task.name == record.task.name]
    versions = sorted({str(r.task.version) for r in same if r.task.version is not None})
    if versions and record.task.version not in versions:
        notes.append(
            f"task version {record.task.version} differs from gaptrack's own runs "
            f"({', '.join(versions)}): stored as its own variant"
        )
    hashes = {
        r.task.lmeval_task_hash
        for r in same
        if r.task.limit == record.task.limit and r.task.num_fewshot == record.task.num_fewshot
    } - {None}
    if hashes and record.task.lmeval_task_hash not in hashes:
        notes.append(
            "its documents, prompts or targets differ from gaptrack's own run at the same "
            "limit and shots (lm-eval task hash): stored as its own variant; items pair "
            "only where prompts match"
        )
    return tuple(notes)


def import_run(request: ImportRequest) -> ImportResult:
    """Read every path, resolve each run's model and task, and only then write one record
    per (model, task) through the store's write path."""
    from gaptrack.compare.vocabulary import benchmark_for_task
    from gaptrack.imports.identity import fingerprint_of, known_models, resolve_model
    from gaptrack.imports.runs import build_record

    runs = [run for path in request.paths for run in read_runs(Path(path))]
    models = known_models(request.config)
    now = dt.datetime.now(dt.timezone.utc)
    built = []
    for run in runs:
        if request.task is not None:
            run.task = request.task
        spec = resolve_model(run.model_name, request.model_id, models, run.file, run.model_field)
        fingerprint = fingerprint_of(spec, run.model_name, run.revision)
        try:
            record = build_record(run, spec, fingerprint, request.measured_by, request.tier, now)
        except ValueError as exc:  # a pydantic check of a value the file states
            message = " ".join(str(exc).split())[:300]
            raise GaptrackError(f"task {run.task!r}: {message}", file=run.file) from None
        built.append(record)
    store = Store(request.results_dir)
    stored = {r.key: r for r in store.summaries()}
    for record, run in zip(built, runs, strict=True):
        held = stored.get(record.key)
        if held is not None and held.model.id != record.model.id:  # one run, one model
            raise GaptrackError(
                f"this run of {run.task!r} is stored already as model {held.model.id!r} "
                f"(record {record.key}), not {record.model.id!r}: check --model-id",
                file=run.file,
            )
    native = [r for r in stored.values() if r.provenance.imported is None]
    store.check_writable()
    written = []
    for record in built:
        replaced = store.has(record.key)
        store.put(record)
        written.append(
            ImportedRecord(
                record=record,
                benchmark=benchmark_for_task(record.task.name),
                replaced=replaced,
                notes=_variant_notes(record, native),
            )
        )
    return ImportResult(records=written, store=store.root)
