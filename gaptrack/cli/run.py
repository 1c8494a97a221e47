"""`gaptrack eval`: run a config's models on its suite."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from gaptrack.cli.options import (
    BackendOpt,
    DeviceOpt,
    ForceOpt,
    LimitOpt,
    OnlyOpt,
    OptionalConfigOpt,
    ResultsOpt,
    TasksOpt,
    VerboseOpt,
)

GpusPerJobOpt = Annotated[
    int | None,
    typer.Option("--gpus-per-job", min=0, metavar="N", help="GPUs every job asks for."),
]


def _executor(cfg, executor, ray_address, partition, time_limit, gpus_per_job, max_retries):
    from gaptrack.run.executors import make_executor

    flags = {
        "ray_address": ray_address,
        "partition": partition,
        "time_limit_min": time_limit,
        "gpus_per_job": gpus_per_job,
        "max_retries": max_retries,
    }
    settings = cfg.cluster.model_copy(update={k: v for k, v in flags.items() if v is not None})
    return make_executor(executor or settings.executor, settings)


def eval_cmd(
    config: OptionalConfigOpt = None,
    device: DeviceOpt = "auto",
    only: OnlyOpt = None,
    tasks: TasksOpt = None,
    limit: LimitOpt = None,
    force: ForceOpt = False,
    results: ResultsOpt = None,
    backend: BackendOpt = None,
    executor: Annotated[
        str | None,
        typer.Option(
            "--executor",
            metavar="NAME",
            help="local (default), ray or slurm; default: the config's.",
        ),
    ] = None,
    ray_address: Annotated[
        str | None,
        typer.Option(
            "--ray-address", metavar="ADDRESS", help="Ray cluster to use (default: start one)."
        ),
    ] = None,
    partition: Annotated[
        str | None, typer.Option("--partition", metavar="NAME", help="Slurm partition.")
    ] = None,
    time_limit: Annotated[
        int | None,
        typer.Option("--time-limit", min=1, metavar="MINUTES", help="Slurm minutes per job."),
    ] = None,
    gpus_per_job: GpusPerJobOpt = None,
    max_retries: Annotated[
        int | None,
        typer.Option(
            "--max-retries", min=0, metavar="N", help="Ray re-runs of a job whose worker died."
        ),
    ] = None,
    wait: Annotated[
        bool | None,
        typer.Option(
            "--wait/--no-wait",
            help="Wait for (model, task) pairs another run is evaluating, then show them "
            "(default: wait when run from a terminal); --no-wait leaves them and exits 3.",
        ),
    ] = None,
    verbose: VerboseOpt = False,
) -> None:
    """Evaluate every model of a config on its suite; store each result in results/.

    Exit status: 0 all done, 1 a task failed, 2 bad input or an unwritable store, 3 some
    pairs are still being evaluated by another run (--no-wait): their results are not in
    the table yet."""
    import sys

    from gaptrack.api import DEFAULT_CONFIG, EvalRequest, evaluate, load_config
    from gaptrack.publish.console import ConsoleReporter, print_summary

    cfg = load_config(config or DEFAULT_CONFIG)
    chosen = _executor(cfg, executor, ray_address, partition, time_limit, gpus_per_job, max_retries)
    request = EvalRequest(
        device=device,
        only=tuple(only or ()),
        tasks=tuple(tasks or ()),
        limit=limit,
        force=force,
        results_dir=results,
        backend=backend,
        wait=sys.stdin.isatty() if wait is None else wait,
    )
    try:
        summary = evaluate(cfg, request, reporter=ConsoleReporter(), executor=chosen)
    except KeyboardInterrupt:
        _interrupted(results or cfg.results_dir)
    print_summary(summary, verbose=verbose)
    if summary.failed:
        raise typer.Exit(1)
    if summary.elsewhere:  # a script must not publish before the other run is done
        typer.echo(
            f"{len(summary.elsewhere)} (model, task) pairs are being evaluated by another run, "
            "not by this one: their results are not in the table yet (--wait waits for them)",
            err=True,
        )
        raise typer.Exit(3)


def _interrupted(results_dir: Path) -> None:
    """Ctrl-C: every (model, task) finished before it is already stored (atomic writes), so
    say how much and the command that resumes; exit 130 as shells expect."""
    import shlex
    import sys

    kept = len(list((Path(results_dir) / "records").glob("*.json")))
    again = " ".join(["gaptrack", *(shlex.quote(a) for a in sys.argv[1:])])
    typer.echo(
        f"interrupted: {kept} stored records kept in {results_dir} (each finished (model, task)); "
        f"resume with: {again}",
        err=True,
    )
    raise typer.Exit(130)


def plan_cmd(
    config: OptionalConfigOpt = None,
    device: DeviceOpt = "auto",
    only: OnlyOpt = None,
    tasks: TasksOpt = None,
    limit: LimitOpt = None,
    results: ResultsOpt = None,
    backend: BackendOpt = None,
    gpu_memory: Annotated[
        float | None,
        typer.Option("--gpu-memory", metavar="GB", help="GB of one GPU (default: config's, 80)."),
    ] = None,
    gpus_per_job: GpusPerJobOpt = None,
) -> None:
    """Print the jobs `eval` would run (what the store lacks), their work and GPU needs."""
    from gaptrack.api import DEFAULT_CONFIG, EvalRequest, load_config, make_plan
    from gaptrack.publish.plan_table import print_plan
    from gaptrack.run.device import guess_device
    from gaptrack.run.estimate import estimate_plan
    from gaptrack.run.plan import check_stored

    cfg = load_config(config or DEFAULT_CONFIG)
    request = EvalRequest(
        device=guess_device(device),  # no torch import: the plan must answer at once
        only=tuple(only or ()),
        tasks=tuple(tasks or ()),
        limit=limit,
        results_dir=results,
        backend=backend,
    )
    plan = make_plan(cfg, request)
    check_stored(plan)
    memory = gpu_memory or cfg.cluster.gpu_memory_gb
    per_job = gpus_per_job if gpus_per_job is not None else cfg.cluster.gpus_per_job
    settings = cfg.cluster.model_copy(update={"gpu_memory_gb": memory, "gpus_per_job": per_job})
    print_plan(plan, estimate_plan(plan, per_job, memory, settings), memory, settings)


def register(app: typer.Typer) -> None:
    app.command("eval")(eval_cmd)
    app.command("plan")(plan_cmd)
