"""The one small interface between gaptrack and whatever runs models.

A runner takes one model with all its pending tasks, loads the model once, and yields
each task's outcome as soon as it is done, so the caller can store it before the next
task starts (a killed run keeps everything already yielded). lm-eval on one machine is
the runner today (with its `hf` or `vllm` backend). Where jobs run (this process, Ray,
Slurm) is the executors' business (`gaptrack.run.executors`), not the runner's."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

from gaptrack.refs import MetricRef
from gaptrack.store.records import CacheKey, Item, Metric

if TYPE_CHECKING:
    from gaptrack.config.schema import GenerationSettings, ModelSpec
    from gaptrack.run.estimate import Layout
    from gaptrack.run.shards import Shard
    from gaptrack.tasks import TaskResolution
    from gaptrack.weights import ResolvedModel


@dataclass(frozen=True)
class TaskJob:
    """One task to run for one model, with the key its record will be stored under."""

    task: str
    num_fewshot: int | None
    limit: int | None
    key: CacheKey
    shard: Shard | None = None
    """One shard of the task (gaptrack.run.shards): run that part alone; its result is
    merged with the other shards' under `parent`."""
    parent: CacheKey | None = None
    """The task's own key, for a shard."""


@dataclass
class ShardOutcome:
    """What a runner reports for a shard: the part of lm-eval's results the merge reads."""

    results: dict


@dataclass(frozen=True)
class ModelJob:
    """One model and every task it still has to run."""

    model: ModelSpec
    resolved: ResolvedModel
    device: str
    dtype: str
    batch_size: int | str
    tasks: list[TaskJob]
    tasks_resolution: TaskResolution
    generation: GenerationSettings | None = None
    """Chat template and sampling settings (None: lm-eval's defaults)."""
    gpus: int = 0
    """GPUs the model needs (`gaptrack plan`'s estimate); over one, an `hf` model's layers
    are split across the visible GPUs even where the entry does not say `parallelize`."""
    layout: Layout | None = None
    """The job's GPU layout: vLLM is given exactly its parallel sizes and max_model_len."""


@dataclass
class TaskOutcome:
    """What a runner reports for one task, already in gaptrack's schema."""

    metrics: list[Metric]
    items: list[Item]
    primary_metric: MetricRef
    n_samples: int
    n_total: int | None = None
    version: str | None = None
    task_hash: str | None = None
    revision: str | None = None
    extra: dict = field(default_factory=dict)


@dataclass
class TaskFailure:
    """A task that failed on its own (its data, its metrics), while the model is fine."""

    error: str
    """The error, as one line."""


def one_line_error(exc: BaseException) -> str:
    """An exception as one line of at most 500 characters, its type first."""
    return " ".join(f"{type(exc).__name__}: {exc}".split())[:500]


class Runner(Protocol):
    def run_model(
        self, job: ModelJob
    ) -> Iterator[tuple[TaskJob, TaskOutcome | ShardOutcome | TaskFailure]]:
        """Load `job.model` once and yield (task, outcome) per task, in order: a task that
        fails yields a TaskFailure and the next task still runs; raising means the model
        itself failed."""
        ...
