"""`gaptrack leaderboard` and `gaptrack report`: a thin layer over gaptrack.api."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from gaptrack.cli.options import AsOfOpt, OptionalConfigOpt, ReportedOpt, ResultsOpt

ArchiveOpt = Annotated[
    Path | None,
    typer.Option(
        "--archive",
        metavar="DIR",
        help="Also keep a dated copy in DIR/DATE/ and rewrite DIR/index.html (the headline "
        "months-behind figure over report dates).",
    ),
]
OutOpt = Annotated[
    Path | None,
    typer.Option("--out", metavar="DIR", help="Where to write (default: the results folder)."),
]


def leaderboard(
    config: OptionalConfigOpt = None,
    results: ResultsOpt = None,
    out: OutOpt = None,
    reported: ReportedOpt = None,
    as_of: AsOfOpt = None,
) -> None:
    """Write leaderboard.csv, gaps.csv and claims.csv (columns: results/README.md)."""
    from gaptrack.api import LeaderboardRequest
    from gaptrack.api import leaderboard as publish
    from gaptrack.publish.rich_tables import print_tables

    request = LeaderboardRequest(
        config=config, results=results, out=out, reported=tuple(reported or ()), as_of=as_of
    )
    result = publish(request)
    print_tables(result.findings.leaderboard, result.findings.gaps)
    for path in result.written:
        typer.echo(str(path))


def report(
    config: OptionalConfigOpt = None,
    results: ResultsOpt = None,
    out: OutOpt = None,
    reported: ReportedOpt = None,
    as_of: AsOfOpt = None,
    archive: ArchiveOpt = None,
) -> None:
    """Write the report site (report.html: the overview; a page per claim and per
    benchmark) and report.md, with plots in plots/."""
    from gaptrack.api import ReportRequest
    from gaptrack.api import report as publish

    request = ReportRequest(
        config=config,
        results=results,
        out=out,
        reported=tuple(reported or ()),
        as_of=as_of,
        archive=archive,
    )
    result = publish(request)
    for path in result.written[:2]:
        typer.echo(str(path))
    typer.echo(f"and {len(result.written) - 2} more files of the site (claims/, benchmarks/, ...)")
    # the figures a dated series of reports plots (python -m gaptrack.update.dated), and
    # the source copies read
    typer.echo(str(result.extras))
    if result.archived:
        typer.echo(str(result.archived[-1]))


def register(app: typer.Typer) -> None:
    app.command("leaderboard")(leaderboard)
    app.command("report")(report)
