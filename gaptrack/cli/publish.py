"""`gaptrack leaderboard` and `gaptrack report`: a thin layer over gaptrack.api."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from gaptrack.cli.options import AsOfOpt, ReportedOpt, ResultsOpt

ConfigOpt = Annotated[
    str | None,
    typer.Option(
        "--config", "-c", metavar="FILE|NAME", help="Config whose results to publish (optional)."
    ),
]
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
    config: ConfigOpt = None,
    results: ResultsOpt = None,
    out: OutOpt = None,
    reported: ReportedOpt = None,
    as_of: AsOfOpt = None,
) -> None:
    """Write leaderboard.csv, gaps.csv and claims.csv (columns: results/README.md)."""
    from gaptrack.update.active import as_of as reading_as_of

    with reading_as_of(as_of):
        _leaderboard(config, results, out, reported)


def _leaderboard(config, results, out, reported) -> None:
    from gaptrack.api import collect_findings, publication_folder
    from gaptrack.publish.files import check_folder
    from gaptrack.publish.outputs import write_tables
    from gaptrack.publish.rich_tables import print_tables

    folder = check_folder(publication_folder(config, results, out))  # before the work
    findings = collect_findings(config, results, reported or [])
    print_tables(findings.leaderboard, findings.gaps)
    for path in write_tables(findings, folder):
        typer.echo(str(path))


def report(
    config: ConfigOpt = None,
    results: ResultsOpt = None,
    out: OutOpt = None,
    reported: ReportedOpt = None,
    as_of: AsOfOpt = None,
    archive: ArchiveOpt = None,
) -> None:
    """Write the report site (report.html: the overview; a page per claim and per
    benchmark) and report.md, with plots in plots/."""
    from gaptrack.update.active import as_of as reading_as_of

    with reading_as_of(as_of):
        _report(config, results, out, reported, archive)


def _report(config, results, out, reported, archive=None) -> None:
    from gaptrack.api import (
        capability_index,
        collect_findings,
        index_headline,
        publication_folder,
    )
    from gaptrack.publish.files import check_folder
    from gaptrack.publish.outputs import archive_site, start_figures, write_site
    from gaptrack.update.figures import write_report_extras

    folder = check_folder(publication_folder(config, results, out))  # before the work
    check_folder(folder / "plots")
    if archive is not None:
        check_folder(archive)
    findings = collect_findings(config, results, reported or [])
    figures = start_figures(findings, folder)  # drawn on the other cores while the index fits
    index = capability_index(config, results, reported or [])
    headline = index_headline(config, results, index, reported or [])
    written = write_site(findings, folder, index, figures, headline)
    for path in written[:2]:
        typer.echo(str(path))
    typer.echo(f"and {len(written) - 2} more files of the site (claims/, benchmarks/, ...)")
    # the figures a dated series of reports plots (python -m gaptrack.update.dated), and
    # the source copies read
    typer.echo(str(write_report_extras(findings, index, folder)))
    if archive is not None:
        typer.echo(str(archive_site(folder, written, archive)[-1]))


def register(app: typer.Typer) -> None:
    app.command("leaderboard")(leaderboard)
    app.command("report")(report)
