"""`gaptrack configs`: what there is to run, without reading the source."""

from __future__ import annotations

from pathlib import Path

import typer


def _configs_in(folder: Path) -> list[Path]:
    return sorted(p for p in folder.glob("*.yaml") if p.is_file()) if folder.is_dir() else []


def configs_cmd() -> None:
    """List the configs -c NAME can find: here, in ./configs/, and those gaptrack ships."""
    from gaptrack.config.loader import SHIPPED_CATALOGUES, read_yaml, shipped_configs_dir
    from gaptrack.errors import GaptrackError

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


def register(app: typer.Typer) -> None:
    app.command("configs")(configs_cmd)
