"""A job: one model with the tasks it still has to run, the unit every executor schedules.

`run_job` is the one function that turns a job into result records, wherever it runs: in
this process (local executor), in a Ray worker or in a Slurm job. It loads the model once,
runs its tasks and yields each task's record (or failure) as soon as it is done. It never
touches the store: records travel back to the process that owns the store, so caching,
claiming and the record format are the same for every executor."""

from __future__ import annotations

import datetime as dt
import platform
import socket
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from gaptrack import __version__
from gaptrack.run.device import device_name, pick_batch_size, pick_dtype
from gaptrack.run.estimate import Layout, layout_for
from gaptrack.run.plan import Plan, PlannedTask, config_hash, package_version
from gaptrack.run.runner import (
    ModelJob,
    Runner,
    ShardOutcome,
    TaskFailure,
    TaskJob,
    TaskOutcome,
    one_line_error,
)
from gaptrack.run.shards import ShardResult
from gaptrack.store import ModelInfo, Provenance, ResultRecord, TaskInfo

if TYPE_CHECKING:
    from gaptrack.config.schema import ClusterSettings, GenerationSettings, ModelSpec
    from gaptrack.tasks import TaskResolution

_TRACKED_PACKAGES = ("torch", "transformers", "lm_eval", "datasets", "accelerate", "tokenizers")


@dataclass
class Failure:
    """A task that produced no record, and why."""

    model_id: str
    task: str
    error: str
    key: str = ""
    """Digest the record would have been stored under."""
    host: str | None = None
    """Machine the attempt ran on, where it got that far."""


JobResult = ResultRecord | Failure | ShardResult


@dataclass(frozen=True)
class Job:
    """One model and its pending tasks, with everything a worker needs and nothing that
    only the driver has (the store, the reporter): plain data that pickles."""

    model: ModelSpec
    tasks: tuple[TaskJob, ...]
    device: str
    dtype: str
    batch_size: int | str
    tasks_resolution: TaskResolution = field(repr=False)
    data_sources: dict[str, str] = field(default_factory=dict)
    """Task name -> where its data came from (for the record)."""
    config_name: str | None = None
    config_hash: str | None = None
    gpus: int = 0
    """GPUs the job asks a cluster for (0 on the CPU)."""
    generation: GenerationSettings | None = None
    """Chat template and sampling settings passed to lm-eval."""
    store_root: str | None = None
    """The store's folder as the driver sees it: a job on a shared filesystem (Slurm)
    spools each record there as it finishes and, when requeued, skips what is stored."""
    layout: Layout | None = None
    """How the job's GPUs are used: vLLM is given exactly these parallel sizes."""

    @property
    def keys(self) -> list[str]:
        return [t.key.digest() for t in self.tasks]

    def failures(self, error: str, tasks: list[TaskJob] | None = None) -> list[Failure]:
        message = " ".join(error.split())[:500]
        return [
            Failure(self.model.id, t.task, message, t.key.digest())
            for t in (self.tasks if tasks is None else tasks)
        ]

    def failure(self, task: TaskJob, error: str) -> Failure:
        return Failure(self.model.id, task.task, error, task.key.digest(), socket.gethostname())


def make_jobs(
    plan: Plan,
    groups: list[list[PlannedTask]] | None = None,
    settings: ClusterSettings | None = None,
) -> list[Job]:
    """One job per group of one model's entries (default: the plan's pending tasks by
    model), in order. GPUs and their layout: `settings.gpus_per_job` where given, else
    the model's need on CUDA (`layout_for`); none on the CPU."""
    from gaptrack.config.schema import ClusterSettings

    settings = settings or ClusterSettings()
    suite = plan.config.suite
    digest = config_hash(plan.config)
    sources = {name: t.data_source for name, t in plan.tasks_resolution.tasks.items()}
    jobs = []
    if groups is None:
        groups = list(plan.pending_by_model().values())
    for entries in groups:
        model = entries[0].model
        dtype = pick_dtype(model.dtype, plan.device)
        layout = (
            layout_for(
                model,
                dtype,
                settings.gpu_memory_gb,
                settings.gpus_per_node,
                settings.max_nodes,
                settings.gpus_per_job,
            )
            if plan.device.startswith("cuda")
            else Layout(gpus=0)
        )
        jobs.append(
            Job(
                model=model,
                tasks=tuple(TaskJob(e.task, e.num_fewshot, e.limit, e.key) for e in entries),
                device=plan.device,
                dtype=dtype,
                batch_size=pick_batch_size(suite.batch_size, plan.device),
                tasks_resolution=plan.tasks_resolution,
                data_sources={e.task: sources[e.task] for e in entries},
                config_name=plan.config.name,
                config_hash=digest,
                gpus=layout.gpus,
                generation=suite.generation_for(model),
                store_root=str(plan.store.root),
                layout=layout,
            )
        )
    return jobs


def refusals(jobs: list[Job]) -> list[str]:
    """Why jobs cannot run on this cluster (too many nodes, an invalid tensor-parallel
    size, an hf model larger than a node): known before anything starts."""
    return [job.layout.refused for job in jobs if job.layout is not None and job.layout.refused]


def _default_runner() -> Runner:
    from gaptrack.run.lmeval import LmEvalRunner

    return LmEvalRunner()


def run_job(
    job: Job,
    runner: Runner | None = None,
    on_loading: Callable[[str], None] | None = None,
    on_task: Callable[[TaskJob], None] | None = None,
    job_ends: tuple[type[BaseException], ...] = (),
) -> Iterator[tuple[str, JobResult]]:
    """Yield (key, record or failure) for every task of `job`, each as it finishes.

    A broken model or task fails the tasks not yet done and nothing else; the records
    already yielded stand. `job_ends`: exceptions that end the whole job rather than
    report a broken model (submitit's "timed out, not requeued"), raised to the caller."""
    from gaptrack.weights import materialize

    model = job.model
    done: set[str] = set()
    try:
        say = on_loading or (lambda message: None)
        resolved = materialize(model.source, progress=say)
        say(resolved.description)
        model_job = ModelJob(
            model=model,
            resolved=resolved,
            device=job.device,
            dtype=job.dtype,
            batch_size=job.batch_size,
            tasks=list(job.tasks),
            tasks_resolution=job.tasks_resolution,
            generation=job.generation,
            gpus=job.gpus,
            layout=job.layout,
        )
        outcomes = (runner or _default_runner()).run_model(model_job)
        while len(done) < len(job.tasks):
            upcoming = next(t for t in job.tasks if t.key.digest() not in done)
            if on_task is not None:
                on_task(upcoming)
            started = dt.datetime.now(dt.timezone.utc)
            clock = time.perf_counter()
            task, outcome = next(outcomes, (None, None))
            if task is None or outcome is None:
                raise RuntimeError("the runner stopped before every task was done")
            done.add(task.key.digest())
            if isinstance(outcome, TaskFailure):  # that task alone failed; the next one runs
                yield task.key.digest(), job.failure(task, outcome.error)
                continue
            if isinstance(outcome, ShardOutcome):  # merged by the driver with its siblings
                yield task.key.digest(), shard_result(job, task, outcome, started, clock)
                continue
            record = build_record(job, task, outcome, started, time.perf_counter() - clock)
            yield record.key, record
    except job_ends:
        raise
    except Exception as exc:  # one broken model or task must not lose the others' records
        left = [t for t in job.tasks if t.key.digest() not in done]
        for failure in job.failures(one_line_error(exc), left):
            yield failure.key, failure


def shard_result(
    job: Job, task: TaskJob, outcome: ShardOutcome, started: dt.datetime, clock: float
) -> ShardResult:
    assert task.shard is not None and task.parent is not None
    return ShardResult(
        key=task.key.digest(),
        parent_key=task.parent.digest(),
        model_id=job.model.id,
        task=task.task,
        index=task.shard.index,
        of=task.shard.of,
        results=outcome.results,
        started_at=started,
        wall_time_s=round(time.perf_counter() - clock, 3),
        host=socket.gethostname(),
    )


def build_record(
    job: Job, task: TaskJob, outcome: TaskOutcome, started: dt.datetime, wall_time_s: float
) -> ResultRecord:
    model = job.model
    packages = {name: package_version(name) for name in _TRACKED_PACKAGES}
    if model.backend == "vllm":
        packages["vllm"] = package_version("vllm")
    packages["python"] = platform.python_version()
    return ResultRecord(
        key=task.key.digest(),
        cache_key=task.key,
        model=model_info(model, outcome.revision),
        task=TaskInfo(
            name=task.task,
            version=outcome.version,
            lmeval_task_hash=outcome.task_hash,
            num_fewshot=task.num_fewshot,
            limit=task.limit,
            n_samples=outcome.n_samples,
            n_total=outcome.n_total,
            data_source=job.data_sources.get(task.task, "hub"),
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
            config_name=job.config_name,
            config_hash=job.config_hash,
            host=socket.gethostname(),
        ),
    )


def model_info(spec: ModelSpec, revision: str | None) -> ModelInfo:
    """The stored description of a config's model, at the revision that was run (a run
    of gaptrack's own or an imported one)."""
    return ModelInfo(
        id=spec.id,
        name=spec.name,
        origin=spec.origin,
        organisation=spec.organisation,
        released=spec.released,
        params_b=spec.params_b,
        size_class=spec.size_class,
        variant=spec.variant,
        open_weights=spec.open_weights,
        source=spec.source,
        revision=revision,
        quantization=spec.quantization,
    )
