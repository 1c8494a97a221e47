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
from gaptrack.run.runner import (
    ModelJob,
    Runner,
    TaskFailure,
    TaskJob,
    TaskOutcome,
    one_line_error,
)
from gaptrack.store import FailedAttempt, ModelInfo, Provenance, ResultRecord, TaskInfo
from gaptrack.store.claims import Claims

_TRACKED_PACKAGES = ("torch", "transformers", "lm_eval", "datasets", "accelerate", "tokenizers")


class Reporter:
    """Progress callbacks of a run. This base reports nothing (scripts); the CLI's
    ConsoleReporter prints each one."""

    def planned(self, plan: Plan) -> None: ...
    def model_loading(self, model_id: str, description: str) -> None: ...
    def task_started(self, entry: PlannedTask, index: int, total: int) -> None: ...
    def task_done(self, record: ResultRecord) -> None: ...
    def task_failed(self, entry: PlannedTask, error: str) -> None: ...
    def task_elsewhere(self, entry: PlannedTask) -> None: ...


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
    elsewhere: list[PlannedTask] = field(default_factory=list)
    """Keys another run held claimed: left to it."""

    @property
    def cached(self) -> list[PlannedTask]:
        return [e for e in self.plan.entries if e.cached]

    def records(self) -> list[ResultRecord]:
        """Every good record the config asked for that is in the store now."""
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
    claims = Claims(plan.store.root)
    try:
        for entries in pending.values():
            claimed = claim_entries(plan, entries, claims, reporter, summary)
            if claimed:
                _run_model(plan, claimed, runner, reporter, summary, claims)
    finally:  # also on Ctrl-C: the table must list what is stored
        claims.release_all()
        plan.store.write_scores_csv()
    return summary


def claim_entries(
    plan: Plan, entries: list[PlannedTask], claims: Claims, reporter: Reporter, summary: EvalSummary
) -> list[PlannedTask]:
    """The entries this run now holds; a key another run holds is left to it, and one
    stored since the plan was made (by another run) is not redone."""
    claimed = []
    for entry in entries:
        key = entry.key.digest()
        if not claims.try_claim(key):
            summary.elsewhere.append(entry)
            reporter.task_elsewhere(entry)
        elif plan.store.has(key) and not plan.force:
            claims.release(key)
        else:
            claimed.append(entry)
    return claimed


def store_outcome(
    plan: Plan,
    entry: PlannedTask,
    job: ModelJob,
    outcome: TaskOutcome | TaskFailure,
    started: dt.datetime,
    wall_time_s: float,
    summary: EvalSummary,
    reporter: Reporter,
) -> None:
    """Store one task's record, or its failure with its own error."""
    if isinstance(outcome, TaskFailure):
        record_failure(plan, entry, outcome.error, summary, reporter)
        return
    record = build_record(plan, entry, job, outcome, started, wall_time_s)
    plan.store.put(record)
    summary.ran.append(record)
    reporter.task_done(record)


def record_failure(
    plan: Plan, entry: PlannedTask, error: str, summary: EvalSummary, reporter: Reporter
) -> None:
    plan.store.put_failure(
        FailedAttempt(
            key=entry.key.digest(),
            cache_key=entry.key,
            model_id=entry.model.id,
            task=entry.task,
            error=error,
            attempted_at=dt.datetime.now(dt.timezone.utc),
            host=socket.gethostname(),
        )
    )
    summary.failed.append(Failure(entry.model.id, entry.task, error))
    reporter.task_failed(entry, error)


def _run_model(
    plan: Plan,
    entries: list[PlannedTask],
    runner: Runner,
    reporter: Reporter,
    summary: EvalSummary,
    claims: Claims,
) -> None:
    """Load one model once, run its claimed tasks, store each record as it arrives. A
    failing task is recorded with its own error and the model's other tasks still run;
    only a failure of the model itself (or the runner) fails the tasks not yet done."""
    from gaptrack.sources import materialize

    model = entries[0].model
    total = len(plan.pending())
    remaining = {e.key.digest(): e for e in entries}
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
            wall = time.perf_counter() - clock
            store_outcome(plan, entry, job, outcome, started, wall, summary, reporter)
            claims.release(remaining.pop(entry.key.digest()).key.digest())
    except Exception as exc:  # the model (or runner) broke: its unfinished tasks fail
        message = one_line_error(exc)
        for key, entry in remaining.items():
            record_failure(plan, entry, message, summary, reporter)
            claims.release(key)


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
