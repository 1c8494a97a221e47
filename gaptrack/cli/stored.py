"""`gaptrack models` and `gaptrack results`: what a config's store holds."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from gaptrack.cli.options import LimitOpt, OnlyOpt, OptionalConfigOpt, ResultsOpt, TasksOpt

if TYPE_CHECKING:
    from gaptrack.api import Access


def _plan(config: str | None, results, only, tasks, access: Access):
    """The plan of a config (default: demo) over its store (api.resolve_results: a
    folder that a reader needs must exist)."""
    from gaptrack.api import DEFAULT_CONFIG, EvalRequest, load_config, make_plan, resolve_results

    cfg, folder = resolve_results(config, results, access)
    request = EvalRequest(
        only=tuple(only or ()), tasks=tuple(tasks or ()), results_dir=folder, device="cpu"
    )
    return make_plan(cfg or load_config(DEFAULT_CONFIG), request)


def models_cmd(
    config: Annotated[
        str | None,
        typer.Option(
            "--config",
            "-c",
            metavar="FILE|NAME",
            help="Config whose models to list; without it, the packaged models gaptrack ships.",
        ),
    ] = None,
    results: ResultsOpt = None,
    only: OnlyOpt = None,
    tasks: TasksOpt = None,
    limit: LimitOpt = None,
    conflicts: Annotated[
        bool,
        typer.Option(
            "--conflicts",
            help="List the model registry's release dates that sources disagree on "
            "(the developer's own announcement wins over a compilation), and exit.",
        ),
    ] = False,
    registry: Annotated[
        Path | None,
        typer.Option(
            "--registry",
            metavar="FILE",
            help="With --conflicts: a registry file instead of the shipped evidence/models.yaml.",
        ),
    ] = None,
) -> None:
    """List a config's models, their origin and size, and how many of their tasks have a
    stored result (at any limit, or at --limit); without -c, the packaged catalogue.
    --conflicts: the model registry's date conflicts between sources."""
    from gaptrack.publish.console import print_catalogue, print_models
    from gaptrack.run.plan import stored_records

    if conflicts or registry is not None:
        from gaptrack.compare.evidence.registry import conflicts as date_conflicts
        from gaptrack.compare.evidence.registry import load_registry
        from gaptrack.publish.console import print_date_conflicts

        loaded = load_registry(registry)
        print_date_conflicts(loaded, date_conflicts(loaded, results))
        return

    if config is None:
        from gaptrack.config.loader import SHIPPED_CATALOGUES, load_catalogue, shipped_configs_dir

        path = shipped_configs_dir() / SHIPPED_CATALOGUES["packaged"]
        print_catalogue(list(load_catalogue(path).values()), path)
        return
    plan = _plan(config, results, only, tasks, "write")  # lists models before any eval
    print_models(plan, stored_records(plan, limit))


def results_cmd(
    config: OptionalConfigOpt = None,
    results: ResultsOpt = None,
    only: OnlyOpt = None,
    tasks: TasksOpt = None,
    limit: LimitOpt = None,
) -> None:
    """Print every stored score of a config's models and tasks (any limit, with the limit
    as a column; --limit N keeps one) and the best-US vs best-CN gap per benchmark."""
    from gaptrack.publish.console import print_summary
    from gaptrack.run.evaluate import EvalSummary
    from gaptrack.run.plan import stored_records

    plan = _plan(config, results, only, tasks, "read")
    print_summary(EvalSummary(plan), show_missing=True, records=stored_records(plan, limit))


def register(app: typer.Typer) -> None:
    app.command("models")(models_cmd)
    app.command("results")(results_cmd)
