"""What `gaptrack plan` prints: the jobs a config implies beyond what is stored, with the
work each means and the GPUs it needs, before anything starts."""

from __future__ import annotations

import typer

from gaptrack.config.schema import ClusterSettings
from gaptrack.publish.console import _table
from gaptrack.run.estimate import JobEstimate, human, throughput_table, weight_dtype
from gaptrack.run.plan import Plan


def _layout_text(job: JobEstimate) -> str:
    layout = job.layout
    if layout is None or job.gpus == 0:
        return "-"
    if job.model.backend != "vllm":
        return "layers split" if job.gpus > 1 else "1 GPU"
    text = f"TP{layout.tensor_parallel}"
    if layout.pipeline_parallel > 1:
        text += f"xPP{layout.pipeline_parallel}"
    if layout.data_parallel > 1:
        text += f"xDP{layout.data_parallel}"
    if layout.nodes > 1:
        text += f", {layout.nodes} nodes"
    return text


def _hours(hours: float | None) -> str:
    if hours is None:
        return "?"
    return f"{hours * 60:.0f}m" if hours < 1 else f"{hours:.1f}h"


def print_plan(
    plan: Plan,
    jobs: list[JobEstimate],
    gpu_memory_gb: float,
    settings: ClusterSettings | None = None,
) -> None:
    settings = settings or ClusterSettings()
    table = throughput_table()
    usd = settings.gpu_hour_usd if settings.gpu_hour_usd is not None else table["gpu_hour_usd"]
    stored = sum(e.cached for e in plan.entries)
    typer.echo(
        f"{plan.config.name}: {len(plan.entries)} (model, task) pairs, {plan.stored_text()}, "
        f"{len(plan.entries) - stored} to run in {len(jobs)} jobs (one per model)",
        err=True,
    )
    rows = []
    for job in jobs:
        hours = job.hours(settings.gpu)
        gpu_hours = None if hours is None else hours * job.gpus
        rows.append(
            [
                job.model.id,
                f"{job.model.params_b:g}B",
                job.model.backend,
                weight_dtype(job.model, job.dtype),
                str(job.gpus),
                _layout_text(job),
                ",".join(job.tasks),
                human(job.total("items")),
                human(job.total("requests")),
                human(job.total("tokens")),
                human(job.total("flop"), "FLOP"),
                _hours(hours),
                "?" if gpu_hours is None else f"{gpu_hours:.1f}",
                "?" if gpu_hours is None else f"${gpu_hours * usd:,.0f}",
            ]
        )
    headers = ["model", "params", "backend", "weights", "GPUs", "layout", "tasks", "items"]
    headers += ["requests", "tokens", "compute", "time", "GPU-h", "cost"]
    typer.echo(_table(headers, rows))
    known = [j.total("flop") for j in jobs]
    total = sum(f for f in known if f is not None)
    all_hours = [(j.hours(settings.gpu) or 0.0) * j.gpus for j in jobs]
    typer.echo(
        f"\ntotal: {human(total, 'FLOP')} over {len(jobs)} jobs, "
        f"{sum(j.gpus for j in jobs)} GPU slots of {gpu_memory_gb:g} GB, "
        f"{sum(all_hours):,.1f} GPU-hours, ${sum(all_hours) * usd:,.0f} at ${usd:g}/GPU-hour"
    )
    typer.echo(
        "GPUs: the weights as the checkpoint stores them (bf16, fp8, mxfp4, int4); hf: x1.1 "
        "+ 1 GB, layers split over one node; vLLM: x1.05 + the KV cache of max_model_len "
        "tokens within gpu_memory_utilization, tensor parallel dividing the attention heads, "
        "pipeline stages across nodes; a model entry's `gpus` or vLLM sizes win"
    )
    peak = table["gpus"][settings.gpu]["bf16_tflops"]
    use = table["utilisation"]
    typer.echo(
        "items x choices (log-likelihood requests) or items (generation), tokens with the "
        "few-shot examples and generated tokens, compute = 2 x parameters x tokens: an "
        "order of magnitude, from gaptrack/data/task_sizes.yaml; time = compute / (GPUs x "
        f"{peak:g} TFLOPS {settings.gpu} peak x {use['loglikelihood']:g} log-likelihood or "
        f"{use['generate']:g} generation utilisation, assumed, not measured), from "
        "gaptrack/data/gpu_throughput.yaml (sources in the file)"
    )
    unknown = sorted({t for j in jobs for t in j.unknown})
    if unknown:
        typer.echo(f"size unknown (not in the table): {', '.join(unknown)}")
    limit_h = settings.time_limit_min / 60
    for job in jobs:
        hours = job.hours(settings.gpu)
        if settings.executor == "slurm" and hours is not None and hours > limit_h:
            typer.echo(
                f"note: {job.model.id} takes about {_hours(hours)}, over the "
                f"{settings.time_limit_min:g}-minute Slurm limit: it is checkpointed and "
                "requeued at the limit (max_retries times); raise time_limit_min to finish it"
            )
        if job.layout is not None and job.layout.refused:
            typer.echo(f"refused: {job.layout.refused}")
    for line in split_notes(plan, settings.shard_items):
        typer.echo(line)


def split_notes(plan: Plan, bound: int | None) -> list[str]:
    """Where pending tasks are split into shards (`cluster.shard_items`), or why not."""
    from gaptrack.run.shards import plan_split

    notes: dict[str, str] = {}
    for entry in plan.pending():
        split = plan_split(entry.task, entry.limit, entry.num_fewshot, bound)
        if split is not None:
            notes.setdefault(
                entry.task, ("refused: " if split.refused else "shards: ") + split.note()
            )
    return list(notes.values())
