"""`gaptrack index`: capability per model and months behind, with intervals. A thin layer
over gaptrack.api.index."""

from __future__ import annotations

from typing import Annotated

import typer

from gaptrack.cli.options import AsOfOpt, OptionalConfigOpt, ReportedOpt, ResultsOpt, VerboseOpt


def index(
    config: OptionalConfigOpt = None,
    results: ResultsOpt = None,
    reported: ReportedOpt = None,
    boot: Annotated[
        int, typer.Option("--boot", min=0, metavar="N", help="Bootstrap replicates.")
    ] = 100,
    seed: Annotated[int, typer.Option("--seed", metavar="N", help="Bootstrap seed.")] = 0,
    top: Annotated[
        int | None,
        typer.Option(
            "--top",
            min=1,
            metavar="N",
            help="Models to print (default 10, 25 with --verbose; all go to the CSV).",
        ),
    ] = None,
    epoch_check: Annotated[
        bool,
        typer.Option("--epoch-check/--no-epoch-check", help="Check against Epoch AI's figures."),
    ] = True,
    as_of: AsOfOpt = None,
    verbose: VerboseOpt = False,
) -> None:
    """Fit one capability per model over all evidence; print ranks, difficulties, months
    behind; write the tables to RESULTS/index/. Prints a summary; --verbose every table."""
    from gaptrack.api import IndexRequest
    from gaptrack.api import index as fit
    from gaptrack.publish.index_out import SUMMARY_TOP, print_outcome

    request = IndexRequest(
        config=config,
        results=results,
        reported=tuple(reported or ()),
        boot=boot,
        seed=seed,
        epoch_check=epoch_check,
        as_of=as_of,
    )
    result = fit(request)
    shown = top or (25 if verbose else SUMMARY_TOP)
    print_outcome(result.outcome, typer.echo, top=shown, verbose=verbose)
    typer.echo(f"\nWrote {', '.join(p.name for p in result.written)} to {result.folder}")
    typer.echo(f"Evidence {result.sources_line}")


def register(app: typer.Typer) -> None:
    app.command("index")(index)
