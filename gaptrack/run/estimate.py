"""What a job costs before it runs: requests, tokens and compute per (model, task), and
the GPUs a model needs. Plain arithmetic on the config and a table of task sizes; no torch,
no lm-eval, no network, so `gaptrack plan` answers in a moment."""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass
from importlib import resources

import yaml

from gaptrack.config.schema import ModelSpec

BYTES_PER_PARAM = {"float32": 4, "bfloat16": 2, "float16": 2}
# Weights are not all of it: activations, the KV cache of a batch and the CUDA context
# take about a tenth more for log-likelihood batches, plus about 1 GB per process.
_OVERHEAD = 1.1
_FIXED_GB = 1.0
DEFAULT_GPU_MEMORY_GB = 80.0


@functools.cache
def task_sizes() -> dict[str, dict]:
    from gaptrack.config.loader import StrictLoader

    text = resources.files("gaptrack").joinpath("data/task_sizes.yaml").read_text()
    return yaml.load(text, Loader=StrictLoader)  # noqa: S506 (a SafeLoader subclass)


@dataclass(frozen=True)
class TaskCost:
    """Work of one (model, task): None where the task's size is unknown."""

    items: int | None
    requests: int | None
    """Log-likelihood requests (items x choices) or generation requests (items)."""
    tokens: int | None
    """Tokens the model processes: prompts with their few-shot examples, plus generated ones."""
    flop: float | None
    """2 x parameters x tokens (a forward pass costs about 2 FLOP per parameter per token)."""


def task_cost(
    task: str, params_b: float, num_fewshot: int | None, limit: int | None, max_gen: int | None
) -> TaskCost:
    size = task_sizes().get(task)
    if size is None:
        return TaskCost(None, None, None, None)
    items = size["items"]
    if limit is not None:  # lm-eval applies --limit to each leaf of a group
        items = min(items, limit * size.get("subtasks", 1))
    prompt = size["tokens"] * ((num_fewshot or 0) + 1)
    if "generate" in size:
        requests = items
        tokens = items * (prompt + (max_gen or size["generate"]))
    else:
        requests = items * size["choices"]
        tokens = requests * prompt
    return TaskCost(items, requests, tokens, 2.0 * params_b * 1e9 * tokens)


def gpus_needed(
    model: ModelSpec, dtype: str | None = None, gpu_memory_gb: float = DEFAULT_GPU_MEMORY_GB
) -> int:
    """The model entry's own `gpus`, else vLLM's tensor x data parallel sizes where the
    entry sets them, else enough GPUs of `gpu_memory_gb` to hold the weights in `dtype` with
    room to run (times vLLM's data-parallel copies)."""
    if model.gpus is not None:
        return model.gpus
    if model.backend == "vllm" and model.tensor_parallel_size is not None:
        return model.tensor_parallel_size * model.data_parallel_size
    resolved = dtype or model.dtype
    resolved = "bfloat16" if resolved == "auto" else resolved  # what `auto` is on CUDA
    need_gb = model.params_b * BYTES_PER_PARAM[resolved] * _OVERHEAD + _FIXED_GB
    copies = model.data_parallel_size if model.backend == "vllm" else 1
    return max(1, math.ceil(need_gb / gpu_memory_gb)) * copies


def human(number: float | None, unit: str = "") -> str:
    """12345678 -> '12.3M'; None -> '?'."""
    if number is None:
        return "?"
    for scale, suffix in (
        (1e18, "E"),
        (1e15, "P"),
        (1e12, "T"),
        (1e9, "G"),
        (1e6, "M"),
        (1e3, "k"),
    ):
        if abs(number) >= scale:
            return f"{number / scale:.1f}{suffix}{unit}"
    return f"{number:.0f}{unit}"


@dataclass(frozen=True)
class JobEstimate:
    """One job of a plan (a model and its pending tasks) with its size."""

    model: ModelSpec
    tasks: tuple[str, ...]
    cached: int
    """Tasks of this model already in the store (not part of the job)."""
    costs: tuple[TaskCost, ...]
    gpus: int
    """GPUs the job needs on CUDA."""
    dtype: str
    """dtype on CUDA."""

    def total(self, field: str) -> float | None:
        values = [getattr(c, field) for c in self.costs]
        return None if any(v is None for v in values) else sum(values)

    @property
    def unknown(self) -> tuple[str, ...]:
        return tuple(t for t, c in zip(self.tasks, self.costs, strict=True) if c.items is None)


def estimate_plan(
    plan, gpus_per_job: int | None = None, gpu_memory_gb: float = DEFAULT_GPU_MEMORY_GB
) -> list[JobEstimate]:
    """Every model of `plan` with pending tasks, its work and its GPUs on CUDA."""
    suite = plan.config.suite
    estimates = []
    # by id: a model spec is not hashable where its source holds a list (a packaged
    # model's parts), and ids are unique within a config
    models = {e.model.id: e.model for e in plan.entries}
    for model in models.values():
        entries = [e for e in plan.entries if e.model.id == model.id]
        pending = [e for e in entries if not e.cached]
        if not pending:
            continue
        dtype = "bfloat16" if model.dtype == "auto" else model.dtype
        max_gen = suite.generation_for(model).max_gen_toks
        costs = tuple(
            task_cost(e.task, model.params_b, e.num_fewshot, e.limit, max_gen) for e in pending
        )
        gpus = (
            gpus_per_job if gpus_per_job is not None else gpus_needed(model, dtype, gpu_memory_gb)
        )
        estimates.append(
            JobEstimate(
                model=model,
                tasks=tuple(e.task for e in pending),
                cached=len(entries) - len(pending),
                costs=costs,
                gpus=gpus,
                dtype=dtype,
            )
        )
    return estimates
