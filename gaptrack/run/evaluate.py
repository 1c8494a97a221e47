"""Executing a plan: materialise each model with pending tasks, run it once for all of
them, store every task's record the moment it is done."""

from __future__ import annotations

import datetime as dt
import platform
import socket
import time
from dataclasses import dataclass, field

from gaptrack import __version__
from gaptrack.config.schema import Config
from gaptrack.run.device import device_name, pick_batch_size, pick_dtype
from gaptrack.run.plan import (
    EvalRequest,
    Plan,
    PlannedTask,
    config_hash,
    make_plan,
    package_version,
)
from gaptrack.run.runner import ModelJob, Runner, TaskJob, TaskOutcome
from gaptrack.store import ModelInfo, Provenance, ResultRecord, TaskInfo

_TRACKED_PACKAGES = ("torch", "transformers", "lm_eval", "datasets", "accelerate", "tokenizers")


class Reporter:
    """Progress callbacks of a run. This base reports nothing (scripts); the CLI's
    ConsoleReporter prints each one."""

    def planned(self, plan: Plan) -> None: ...
    def model_loading(self, model_id: str, description: str) -> None: ...
    def task_started(self, entry: PlannedTask, index: int, total: int) -> None: ...
    def task_done(self, record: ResultRecord) -> None: ...
    def task_failed(self, entry: PlannedTask, error: str) -> None: ...


@dataclass
class Failure:
    model_id: str
    task: str
    error: str


@dataclass
class EvalSummary:
    plan: Plan
    ran: list[ResultRecord] = field(default_factory=list)
    failed: list[Failure] = field(default_factory=list)

    @property
    def cached(self) -> list[PlannedTask]:
        return [e for e in self.plan.entries if e.cached]

    def records(self) -> list[ResultRecord]:
        """Every record the config asked for that is in the store now."""
        found = (self.plan.store.find(e.key.digest()) for e in self.plan.entries)
        return [record for record in found if record is not None]


def evaluate(
    config: Config,
    request: EvalRequest | None = None,
    runner: Runner | None = None,
    reporter: Reporter | None = None,
) -> EvalSummary:
    """Run what is missing from the store for `config`; return what ran and what failed."""
    plan = make_plan(config, request or EvalRequest())
    summary = EvalSummary(plan)
    reporter = reporter or Reporter()
    reporter.planned(plan)
    pending = plan.pending_by_model()
    if not pending:  # the table still drops records found bad since it was written
        plan.store.write_scores_csv()
        return summary
    if runner is None:
        from gaptrack.run.lmeval import LmEvalRunner

        runner = LmEvalRunner()
    try:
        for entries in pending.values():
            _run_model(plan, entries, runner, reporter, summary)
    finally:  # also on Ctrl-C: the table must list what is stored
        plan.store.write_scores_csv()
    return summary


def _run_model(
    plan: Plan, entries: list[PlannedTask], runner: Runner, reporter: Reporter, summary: EvalSummary
) -> None:
    """Load one model once, run its pending tasks, store each record as it arrives."""
    from gaptrack.sources import materialize

    model = entries[0].model
    total = len(plan.pending())
    stored = 0
    try:
        resolved = materialize(model.source, progress=lambda m: reporter.model_loading(model.id, m))
        reporter.model_loading(model.id, resolved.description)
        job = ModelJob(
            model=model,
            resolved=resolved,
            device=plan.device,
            dtype=pick_dtype(model.dtype, plan.device),
            batch_size=pick_batch_size(plan.config.suite.batch_size, plan.device),
            tasks=[TaskJob(e.task, e.num_fewshot, e.limit, e.key) for e in entries],
            tasks_resolution=plan.tasks_resolution,
        )
        outcomes = runner.run_model(job)
        for entry in entries:
            reporter.task_started(entry, len(summary.ran) + len(summary.failed) + 1, total)
            started = dt.datetime.now(dt.timezone.utc)
            clock = time.perf_counter()
            task_job, outcome = next(outcomes)
            assert task_job.task == entry.task, "runners yield tasks in the order given"
            record = build_record(plan, entry, job, outcome, started, time.perf_counter() - clock)
            plan.store.put(record)
            summary.ran.append(record)
            stored += 1
            reporter.task_done(record)
    except Exception as exc:  # one broken model or task must not lose the others' results
        message = " ".join(f"{type(exc).__name__}: {exc}".split())[:500]
        for entry in entries[stored:]:
            summary.failed.append(Failure(model.id, entry.task, message))
            reporter.task_failed(entry, message)


def build_record(
    plan: Plan,
    entry: PlannedTask,
    job: ModelJob,
    outcome: TaskOutcome,
    started: dt.datetime,
    wall_time_s: float,
) -> ResultRecord:
    model = entry.model
    resolution = plan.tasks_resolution.tasks[entry.task]
    packages = {name: package_version(name) for name in _TRACKED_PACKAGES}
    packages["python"] = platform.python_version()
    return ResultRecord(
        key=entry.key.digest(),
        cache_key=entry.key,
        model=ModelInfo(
            id=model.id,
            name=model.name,
            origin=model.origin,
            organisation=model.organisation,
            released=model.released,
            params_b=model.params_b,
            size_class=model.size_class,
            variant=model.variant,
            open_weights=model.open_weights,
            source=model.source,
            revision=outcome.revision,
            quantization=model.quantization,
        ),
        task=TaskInfo(
            name=entry.task,
            version=outcome.version,
            lmeval_task_hash=outcome.task_hash,
            num_fewshot=entry.num_fewshot,
            limit=entry.limit,
            n_samples=outcome.n_samples,
            n_total=outcome.n_total,
            data_source=resolution.data_source,
            primary_metric=outcome.primary_metric,
        ),
        metrics=outcome.metrics,
        items=outcome.items,
        provenance=Provenance(
            gaptrack_version=__version__,
            packages=packages,
            device=job.device,
            device_name=device_name(job.device),
            batch_size=str(job.batch_size),
            wall_time_s=round(wall_time_s, 3),
            started_at=started,
            finished_at=dt.datetime.now(dt.timezone.utc),
            config_name=plan.config.name,
            config_hash=config_hash(plan.config),
            host=socket.gethostname(),
        ),
    )
