"""`gaptrack update`: newer copies of the public evidence sources (gaptrack.update)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from gaptrack.cli.options import OptionalConfigOpt, ResultsOpt


def update_cmd(
    config: OptionalConfigOpt = None,
    results: ResultsOpt = None,
    offline: Annotated[
        bool,
        typer.Option(
            "--offline", help="Fetch nothing (also GAPTRACK_OFFLINE=1 or HF_HUB_OFFLINE=1)."
        ),
    ] = False,
    sources: Annotated[
        Path | None,
        typer.Option(
            "--sources",
            metavar="FILE",
            help="YAML changing or adding sources (default: $GAPTRACK_SOURCES, if set).",
        ),
    ] = None,
    timeout: Annotated[
        float, typer.Option("--timeout", min=0.01, metavar="S", help="Connect/read timeout.")
    ] = 30.0,
    retries: Annotated[
        int, typer.Option("--retries", min=0, metavar="N", help="Retries with backoff.")
    ] = 3,
    backoff: Annotated[
        float, typer.Option("--backoff", min=0.0, metavar="S", help="First retry's wait.")
    ] = 1.0,
    figures: Annotated[
        bool,
        typer.Option(
            "--figures/--no-figures",
            help="Recompute the headline figures and verdicts before and after (~20 s).",
        ),
    ] = True,
) -> None:
    """Fetch the newest public copy of each evidence source into $GAPTRACK_DATA/sources,
    check it with the shipped data's readers, keep it by sha256, and write what changed
    (RESULTS/changes.md, changes.csv). A rejected source: one line, exit 2, the copy
    in use stays."""
    from gaptrack.api import UpdateRequest
    from gaptrack.api import update as fetch
    from gaptrack.update.account import account_summary

    request = UpdateRequest(
        config=config,
        results=results,
        offline=offline,
        sources=sources,
        timeout_s=timeout,
        retries=retries,
        backoff_s=backoff,
        figures=figures,
    )
    report = fetch(request)
    result = report.fetched
    if result.offline:
        typer.echo(f"offline ({result.offline}): nothing fetched; the copies held stay in use")
        return
    for o in result.outcomes:
        if o.status == "rejected":
            typer.echo(f"error: update: {o.source}: {o.detail}", err=True)
        elif o.status == "new":
            counts = {
                k: sum(c.change == k for c in o.changes) for k in ("added", "changed", "removed")
            }
            typer.echo(
                f"{o.source}: new copy {o.sha256[:12]} ({o.detail}): {counts['added']} rows added, "
                f"{counts['changed']} changed, {counts['removed']} removed"
            )
        elif o.status == "not-modified":
            typer.echo(f"{o.source}: not modified (HTTP 304)")
        else:
            typer.echo(f"{o.source}: unchanged ({o.detail})")
    if report.stale:  # the copies are as new as the sources publish, not necessarily current
        typer.echo(report.stale)
    if report.account is not None:
        for line in account_summary(report.account):
            typer.echo(line)
        for path in report.written:
            typer.echo(str(path))
    else:
        typer.echo("nothing new: nothing written")
    if result.rejected:
        raise typer.Exit(2)


def register(app: typer.Typer) -> None:
    app.command("update")(update_cmd)
