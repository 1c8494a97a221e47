"""`gaptrack check` and `gaptrack import-reported`: claims against evidence. A thin layer
over gaptrack.api; errors are not caught here: the app prints a GaptrackError as one
line, exit 2."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from gaptrack.cli.options import AsOfOpt, OptionalConfigOpt, ReportedOpt, ResultsOpt, VerboseOpt


def check_cmd(
    config: OptionalConfigOpt = None,
    results: ResultsOpt = None,
    claim: Annotated[
        str | None, typer.Option("--claim", metavar="CLAIM_ID", help="Check only this claim id.")
    ] = None,
    claims: Annotated[
        Path | None,
        typer.Option(
            "--claims", metavar="FILE", help="Claims registry (default: seeds/claims.yaml)."
        ),
    ] = None,
    reported: ReportedOpt = None,
    strict: Annotated[
        bool,
        typer.Option(
            "--strict",
            help="Weigh only reported rows verified at their primary source (no copies).",
        ),
    ] = False,
    as_of: AsOfOpt = None,
    verbose: VerboseOpt = False,
) -> None:
    """Give every claim a verdict from measured and reported evidence; write
    RESULTS/claims/CLAIM_ID.json and the source copies read (claims/sources.csv). Prints
    a summary; --verbose (or --claim) every evaluation and its evidence."""
    from gaptrack.api import CheckRequest, check
    from gaptrack.publish.check_console import print_checked

    request = CheckRequest(
        config=config,
        results=results,
        claim=claim,
        claims_file=claims,
        reported=tuple(reported or ()),
        strict=strict,
        as_of=as_of,
    )
    print_checked(check(request), verbose)


def import_reported_cmd(
    file: Annotated[
        Path, typer.Argument(metavar="CSV", help="CSV with the columns of evidence/reported.csv.")
    ],
    config: OptionalConfigOpt = None,
    results: ResultsOpt = None,
) -> None:
    """Validate reported figures and merge them into RESULTS/reported/imported.csv."""
    from gaptrack.api import resolve_results
    from gaptrack.compare.evidence import import_reported
    from gaptrack.compare.evidence.csvio import user_reported_dir
    from gaptrack.publish.files import check_folder

    _, results_dir = resolve_results(config, results, "write")
    check_folder(user_reported_dir(results_dir))
    result = import_reported(file, results_dir)
    typer.echo(
        f"{result.path}: read {result.read} rows: {result.added} added, "
        f"{result.replaced} replaced, {result.unchanged} unchanged; "
        f"{result.total} rows in the file"
    )


def register(app: typer.Typer) -> None:
    app.command("check")(check_cmd)
    app.command("import-reported")(import_reported_cmd)
