"""Executing a plan: claim what is missing from the store, turn it into jobs (one model
with its claimed tasks), hand them to an executor (this process, Ray or Slurm), and store
every record or failed attempt the moment it comes back, releasing its claim."""

from __future__ import annotations

import dataclasses
import datetime as dt
import socket
from collections.abc import Callable
from dataclasses import dataclass, field

from gaptrack.config.schema import ClusterSettings, Config
from gaptrack.errors import GaptrackError
from gaptrack.run import spool
from gaptrack.run.executors import Events, Executor, LocalExecutor
from gaptrack.run.jobs import Failure, Job, make_jobs, refusals
from gaptrack.run.plan import (
    EvalRequest,
    Plan,
    PlannedTask,
    blocked_tasks,
    check_stored,
    make_plan,
)
from gaptrack.run.progress import RunLog
from gaptrack.run.runner import Runner, TaskJob
from gaptrack.run.shards import ShardResult
from gaptrack.store import FailedAttempt, ResultRecord, Store
from gaptrack.store.locks import Locks

__all__ = ["EvalSummary", "Failure", "Reporter", "evaluate"]


class Reporter:
    """Progress callbacks of a run. This base reports nothing (scripts); the CLI's
    ConsoleReporter prints each one."""

    def planned(self, plan: Plan) -> None: ...
    def job_submitted(self, model_id: str, where: str) -> None: ...
    def model_loading(self, model_id: str, description: str) -> None: ...
    def task_started(self, entry: PlannedTask, index: int, total: int) -> None: ...
    def task_done(self, record: ResultRecord) -> None: ...
    def task_failed(self, entry: PlannedTask, error: str) -> None: ...
    def task_elsewhere(self, entry: PlannedTask) -> None: ...
    def waiting(self, entries: list[PlannedTask]) -> None: ...


@dataclass
class EvalSummary:
    plan: Plan
    ran: list[ResultRecord] = field(default_factory=list)
    failed: list[Failure] = field(default_factory=list)
    elsewhere: list[PlannedTask] = field(default_factory=list)
    """Keys another run held claimed: left to it, not waited for."""

    @property
    def cached(self) -> list[PlannedTask]:
        return [e for e in self.plan.entries if e.cached]

    def records(self) -> list[ResultRecord]:
        """Every good record the config asked for that is in the store now."""
        found = (self.plan.store.find(e.key.digest()) for e in self.plan.entries)
        return [record for record in found if record is not None]


class _ReporterEvents(Events):
    """An executor's events, told to the reporter in its terms (planned entries)."""

    def __init__(self, reporter: Reporter, summary: EvalSummary, log: RunLog) -> None:
        self.reporter = reporter
        self.summary = summary
        self.log = log
        self.entries = {e.key.digest(): e for e in summary.plan.pending()}

    def submitted(self, job: Job, where: str) -> None:
        self.log.submitted(job, where)
        self.reporter.job_submitted(job.model.id, where)

    def loading(self, job: Job, message: str) -> None:
        self.reporter.model_loading(job.model.id, message)

    def started(self, job: Job, task: TaskJob) -> None:
        self.log.started(task.key.digest())
        index = len(self.summary.ran) + len(self.summary.failed) + 1
        self.reporter.task_started(self.entries[task.key.digest()], index, len(self.entries))


def evaluate(
    config: Config,
    request: EvalRequest | None = None,
    runner: Runner | None = None,
    reporter: Reporter | None = None,
    executor: Executor | None = None,
    finished: Callable[[Store], object] | None = None,
    before_load: Callable[[Plan], object] | None = None,
) -> EvalSummary:
    """Run what is missing from the store for `config`; return what ran and what failed.
    `executor` defaults to the local one (with `runner`, default lm-eval). `finished` is
    called with the store once a planned run ends, also after Ctrl-C or a failure, never
    when planning itself failed (then nothing was touched): gaptrack.api passes the
    scores.csv writer, since writing tables is publish/'s work, not the run's.
    `before_load` is called with the plan once it is known, before anything is claimed
    or loaded: gaptrack.api passes validate's model preflight, which may raise."""
    request = request or EvalRequest()
    executor = executor or LocalExecutor(runner=runner)
    settings: ClusterSettings = getattr(executor, "settings", ClusterSettings())
    root = request.results_dir or config.results_dir
    if spool.spool_dir(root).is_dir():  # records jobs finished while no driver was there
        spool.ingest(Store(root), Locks(root))
    plan = make_plan(config, dataclasses.replace(request, device=executor.device(request.device)))
    plan.blocked = blocked_tasks(plan)
    check_stored(plan)
    if before_load is not None:
        before_load(plan)
    if plan.pending():  # before any model loads: a run must be able to keep its results
        plan.store.check_writable()
        refused = refusals(make_jobs(plan, None, settings))  # before anything is queued
        if refused:
            more = f" (and {len(refused) - 1} more such jobs)" if len(refused) > 1 else ""
            raise GaptrackError(f"cannot run: {refused[0]}{more}")
    summary = EvalSummary(plan)
    reporter = reporter or Reporter()
    reporter.planned(plan)
    for entry in plan.blocked_entries():  # reported before any model loads; the rest still run
        summary.failed.append(Failure(entry.model.id, entry.task, plan.blocked[entry.task]))
    claims = Locks(plan.store.root)
    log: RunLog | None = None
    try:
        claimed = [
            entries
            for group in plan.pending_by_model().values()
            if (entries := claim_entries(plan, group, claims, reporter, summary))
        ]
        shards = Sharding(plan, settings, summary, reporter)
        claimed = [kept for entries in claimed if (kept := shards.take(entries))]
        jobs = make_jobs(plan, claimed, settings) + shards.jobs
        for parent in shards.complete():  # every shard kept from an earlier run: merge
            shards.merge(parent, claims)
        if jobs:  # `gaptrack status` follows the run through this file
            log = RunLog(plan.store.root, config.name, type(executor).__name__)
            # a sharded task's own key is the one claimed (status names it), not its shards'
            keys = [shards.parent_of(key) for job in jobs for key in job.keys]
            log.planned(jobs, list(dict.fromkeys(keys)))
            shards.log = log
            events = _ReporterEvents(reporter, summary, log)
            events.entries.update(shards.entries)
            for key, result in executor.run(jobs, events):
                entry = events.entries[key]
                error = result.error if isinstance(result, Failure) else None
                if key in shards.entries:  # a shard: kept, and merged once all are in
                    log.finished(key, entry.task, error)
                    shards.finished(key, result, claims)
                    continue
                store_result(plan, entry, result, summary, reporter)
                claims.release(key)
                log.finished(key, entry.task, error)
        if request.wait and summary.elsewhere:
            wait_for_others(plan, claims, summary, reporter)
    finally:  # also on Ctrl-C: release the claims; the table must list what is stored
        claims.release_all()
        if log is not None:
            log.close()
        if finished is not None:
            finished(plan.store)
    return summary


def claim_entries(
    plan: Plan, entries: list[PlannedTask], claims: Locks, reporter: Reporter, summary: EvalSummary
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


def wait_for_others(plan: Plan, claims: Locks, summary: EvalSummary, reporter: Reporter) -> None:
    """Block until every key another run held is let go; each then has its record (shown
    as stored) or, where that run failed or died without one, is a failure here."""
    reporter.waiting(summary.elsewhere)
    for entry in summary.elsewhere:
        key = entry.key.digest()
        claims.wait_for(key)
        if not plan.store.has(key):
            failure = Failure(
                entry.model.id,
                entry.task,
                "the run that held it ended without storing a record (see its output); "
                "run eval again",
                key,
            )
            summary.failed.append(failure)
            reporter.task_failed(entry, failure.error)
    summary.elsewhere = []


def store_result(
    plan: Plan,
    entry: PlannedTask,
    result: ResultRecord | Failure,
    summary: EvalSummary,
    reporter: Reporter,
) -> None:
    """Store one task's record, or its failed attempt with its own error."""
    if isinstance(result, Failure):
        plan.store.put_failure(
            FailedAttempt(
                key=entry.key.digest(),
                cache_key=entry.key,
                model_id=entry.model.id,
                task=entry.task,
                error=result.error,
                attempted_at=dt.datetime.now(dt.timezone.utc),
                host=result.host or socket.gethostname(),
            )
        )
        summary.failed.append(result)
        reporter.task_failed(entry, result.error)
        return
    plan.store.put(result)
    summary.ran.append(result)
    reporter.task_done(result)


class Sharding:
    """A run's task shards (gaptrack.run.shards, `cluster.shard_items`): each shard is a
    job of its own; each finished shard is kept under `<results>/shards/` at once (so a
    killed job loses at most its shard, and a re-run runs only the shards not kept), and
    the task's record is merged and stored when its last shard is in."""

    def __init__(
        self, plan: Plan, settings: ClusterSettings, summary: EvalSummary, reporter: Reporter
    ):
        self.plan = plan
        self.settings = settings
        self.summary = summary
        self.reporter = reporter
        self.root = plan.store.root
        self.jobs: list[Job] = []
        self.entries: dict[str, PlannedTask] = {}
        """Shard key -> the task's entry."""
        self.wanted: dict[str, list[str]] = {}
        """Task key -> its shards' keys."""
        self.parents: dict[str, tuple[PlannedTask, Job, TaskJob]] = {}
        self.failed: set[str] = set()
        self.log: RunLog | None = None
        self._manager = None

    def parent_of(self, key: str) -> str:
        entry = self.entries.get(key)
        return key if entry is None else entry.key.digest()

    def _release(self, parent: str, claims: Locks) -> None:
        claims.release(parent)
        if self.log is not None:
            self.log.released(parent)

    def manager(self):
        if self._manager is None:
            from gaptrack.tasks import task_manager

            self._manager = task_manager(self.plan.tasks_resolution)
        return self._manager

    def take(self, entries: list[PlannedTask]) -> list[PlannedTask]:
        """Make shard jobs for the entries that split; return the others (run whole)."""
        from gaptrack.run import shards

        # an executor built without the config's settings (the default local one) still
        # splits as the config says
        bound = self.settings.shard_items or self.plan.config.cluster.shard_items
        if bound is None:
            return entries
        whole = []
        for entry in entries:
            split = shards.plan_split(entry.task, entry.limit, entry.num_fewshot, bound)
            if split is not None and split.shards and split.shards[0].subtasks:
                leaves = shards.group_leaves(entry.task, self.manager())
                split = shards.plan_split(
                    entry.task, entry.limit, entry.num_fewshot, bound, leaves or None
                )
                if not leaves:  # the group's members cannot be listed: it runs whole
                    split = None
            if split is None or not split.shards:
                whole.append(entry)
                continue
            parent = entry.key.digest()
            base = make_jobs(self.plan, [[entry]], self.settings)[0]
            task = base.tasks[0]
            if self.plan.force:  # re-evaluate: shards kept from before are not reused
                shards.forget_shards(self.root, parent)
            kept = shards.stored_shards(self.root, parent)
            self.wanted[parent] = []
            for shard in split.shards:
                key = shards.shard_key(entry.key, shard)
                digest = key.digest()
                self.wanted[parent].append(digest)
                self.entries[digest] = entry
                if digest in kept:
                    continue
                job_task = dataclasses.replace(task, key=key, shard=shard, parent=entry.key)
                self.jobs.append(dataclasses.replace(base, tasks=(job_task,)))
            self.parents[parent] = (entry, base, task)
        return whole

    def complete(self) -> list[str]:
        from gaptrack.run.shards import stored_shards

        return [
            parent
            for parent, keys in self.wanted.items()
            if parent not in self.failed and set(keys) <= set(stored_shards(self.root, parent))
        ]

    def finished(self, key: str, result: object, claims: Locks) -> None:
        from gaptrack.run.shards import store_shard

        entry = self.entries[key]
        parent = entry.key.digest()
        if isinstance(result, ShardResult):
            store_shard(self.root, result)
            if parent in self.complete():
                self.merge(parent, claims)
            return
        if isinstance(result, Failure) and parent not in self.failed:  # the task fails
            self.failed.add(parent)  # (its other shards still run and are kept)
            store_result(self.plan, entry, result, self.summary, self.reporter)
            self._release(parent, claims)

    def merge(self, parent: str, claims: Locks) -> None:
        """The task's record from its kept shards, stored as an unsplit run's would be."""
        from gaptrack.run import shards
        from gaptrack.run.jobs import build_record
        from gaptrack.run.lmeval import parse_results
        from gaptrack.run.runner import one_line_error

        entry, job, task = self.parents[parent]
        kept = shards.stored_shards(self.root, parent)
        parts = sorted((kept[k] for k in self.wanted[parent]), key=lambda r: r.index)
        try:
            results = shards.merge_results(entry.task, [p.results for p in parts], self.manager())
            outcome = parse_results(results, entry.task)
        except Exception as exc:  # noqa: BLE001 (a merge that fails is that task's failure)
            failure = Failure(entry.model.id, entry.task, one_line_error(exc), parent)
            store_result(self.plan, entry, failure, self.summary, self.reporter)
            self._release(parent, claims)
            return
        outcome.revision = parts[0].results.get("revision")
        started = min(p.started_at for p in parts)
        wall = sum(p.wall_time_s for p in parts)  # GPU time over all shards
        record = build_record(job, task, outcome, started, wall)
        store_result(self.plan, entry, record, self.summary, self.reporter)
        shards.forget_shards(self.root, parent)
        self._release(parent, claims)
