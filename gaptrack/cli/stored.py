"""`gaptrack models` and `gaptrack results`: what a config's store holds."""

from __future__ import annotations

import typer

from gaptrack.cli.options import ConfigOpt, ResultsOpt


def models_cmd(config: ConfigOpt, results: ResultsOpt = None) -> None:
    """List a config's models, their origin and size, and what is stored for each."""
    from gaptrack.api import EvalRequest, load_config, make_plan
    from gaptrack.publish.console import print_models

    cfg = load_config(config)
    print_models(make_plan(cfg, EvalRequest(results_dir=results)))


def results_cmd(config: ConfigOpt, results: ResultsOpt = None) -> None:
    """Print a config's stored scores and the best-US vs best-CN gap per benchmark."""
    from gaptrack.api import EvalRequest, load_config, make_plan
    from gaptrack.publish.console import print_summary
    from gaptrack.run.evaluate import EvalSummary

    plan = make_plan(load_config(config), EvalRequest(results_dir=results))
    print_summary(EvalSummary(plan), show_missing=True)


def register(app: typer.Typer) -> None:
    app.command("models")(models_cmd)
    app.command("results")(results_cmd)
