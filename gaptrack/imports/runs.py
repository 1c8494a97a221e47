"""An imported run in gaptrack's terms, whichever harness wrote it, and the store record
made from it."""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from gaptrack.config.schema import ModelSpec
from gaptrack.refs import Fingerprint
from gaptrack.run.jobs import model_info
from gaptrack.run.runner import TaskOutcome
from gaptrack.store.records import (
    CacheKey,
    ImportedRun,
    Provenance,
    ResultRecord,
    TaskInfo,
)

Harness = Literal["lm-eval", "inspect_ai"]
Tier = Literal["third_party_run", "developer_reported"]


@dataclass
class ImportedTask:
    """One (model, task) of someone's run, read and checked, before identity is resolved."""

    file: Path
    """The file that states the run (results JSON, inspect log): errors name it."""
    harness: Harness
    harness_version: str
    task: str
    """Task (or group) name as the run named it."""
    outcome: TaskOutcome
    """Metrics as the file states them, per-item scores, counts, version, task hash."""
    model_name: str
    """The model as the file names it (hub id, folder, `provider/model`)."""
    model_field: str
    """Where the file names it (for the one-line error of an unknown model)."""
    revision: str | None
    """Weights revision as the file states it."""
    dtype: str
    backend: str
    task_fingerprint: str
    num_fewshot: int | None
    limit: int | None
    generation: dict[str, Any] | None
    files: dict[str, str]
    """Each file read -> its sha256."""
    packages: dict[str, str]
    """Harness-side package versions the files state (lm_eval, transformers, inspect_ai)."""
    model_args: dict[str, Any] = field(default_factory=dict)
    run_date: dt.datetime | None = None
    wall_time_s: float = 0.0
    device: str = "not stated"
    batch_size: str = "not stated"


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def cache_key(imported: ImportedTask, fingerprint: Fingerprint) -> CacheKey:
    """Everything that changes an imported number: the weights, dtype, backend, the task
    as the run defined it (harness, task version, lm-eval's hash over its documents,
    prompts and targets), few-shot count, limit, harness and transformers versions, and
    the chat template and generation settings."""
    return CacheKey(
        model_fingerprint=fingerprint,
        dtype=imported.dtype,
        backend=imported.backend,
        task=imported.task,
        task_fingerprint=imported.task_fingerprint,
        num_fewshot=imported.num_fewshot,
        limit=imported.limit,
        lm_eval_version=imported.packages.get("lm_eval", "none"),
        transformers_version=imported.packages.get("transformers", "none"),
        generation=imported.generation,
    )


def build_record(
    imported: ImportedTask,
    spec: ModelSpec,
    fingerprint: Fingerprint,
    measured_by: str | None,
    tier: Tier,
    now: dt.datetime,
) -> ResultRecord:
    from gaptrack import __version__

    key = cache_key(imported, fingerprint)
    outcome = imported.outcome
    started = imported.run_date or now
    return ResultRecord(
        key=key.digest(),
        cache_key=key,
        model=model_info(spec, imported.revision),
        task=TaskInfo(
            name=imported.task,
            version=outcome.version,
            lmeval_task_hash=outcome.task_hash,
            num_fewshot=imported.num_fewshot,
            limit=imported.limit,
            n_samples=outcome.n_samples,
            n_total=outcome.n_total,
            data_source=f"as the imported {imported.harness} run loaded it",
            primary_metric=outcome.primary_metric,
        ),
        metrics=outcome.metrics,
        items=outcome.items,
        provenance=Provenance(
            gaptrack_version=__version__,
            packages=dict(imported.packages),
            device=imported.device,
            device_name="not stated",
            batch_size=imported.batch_size,
            wall_time_s=round(imported.wall_time_s, 3),
            started_at=started,
            finished_at=started + dt.timedelta(seconds=imported.wall_time_s),
            imported=ImportedRun(
                harness=imported.harness,
                harness_version=imported.harness_version,
                files=imported.files,
                model_args=imported.model_args,
                model_name=imported.model_name,
                run_date=imported.run_date,
                measured_by=measured_by,
                tier=tier,
                imported_at=now,
            ),
        ),
    )
