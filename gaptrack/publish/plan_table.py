"""What `gaptrack plan` prints: the jobs a config implies beyond what is stored, with the
work each means and the GPUs it needs, before anything starts."""

from __future__ import annotations

import typer

from gaptrack.publish.console import _table
from gaptrack.run.estimate import JobEstimate, human
from gaptrack.run.plan import Plan


def print_plan(plan: Plan, jobs: list[JobEstimate], gpu_memory_gb: float) -> None:
    stored = sum(e.cached for e in plan.entries)
    typer.echo(
        f"{plan.config.name}: {len(plan.entries)} (model, task) pairs, {plan.stored_text()}, "
        f"{len(plan.entries) - stored} to run in {len(jobs)} jobs (one per model)",
        err=True,
    )
    rows = []
    for job in jobs:
        rows.append(
            [
                job.model.id,
                f"{job.model.params_b:g}B",
                job.model.backend,
                f"{job.dtype}",
                str(job.gpus),
                ",".join(job.tasks),
                human(job.total("items")),
                human(job.total("requests")),
                human(job.total("tokens")),
                human(job.total("flop"), "FLOP"),
            ]
        )
    headers = ["model", "params", "backend", "dtype", "GPUs", "tasks", "items", "requests"]
    typer.echo(_table([*headers, "tokens", "compute"], rows))
    known = [j.total("flop") for j in jobs]
    total = sum(f for f in known if f is not None)
    typer.echo(
        f"\ntotal: {human(total, 'FLOP')} over {len(jobs)} jobs, "
        f"{sum(j.gpus for j in jobs)} GPU slots of {gpu_memory_gb:g} GB "
        f"(GPUs: weights in the dtype x1.1 + 1 GB; a model entry's `gpus` or vLLM's "
        f"parallel sizes win)"
    )
    typer.echo(
        "items x choices (log-likelihood requests) or items (generation), tokens with the "
        "few-shot examples and generated tokens, compute = 2 x parameters x tokens: an "
        "order of magnitude, from gaptrack/data/task_sizes.yaml"
    )
    unknown = sorted({t for j in jobs for t in j.unknown})
    if unknown:
        typer.echo(f"size unknown (not in the table): {', '.join(unknown)}")
    for job in jobs:
        model = job.model
        sized = (model.tensor_parallel_size or 1) * model.data_parallel_size
        if model.backend == "vllm" and sized < job.gpus:
            typer.echo(
                f"note: {model.id} needs {job.gpus} GPUs: set its tensor_parallel_size "
                f"(vLLM puts each copy on one GPU otherwise)"
            )
