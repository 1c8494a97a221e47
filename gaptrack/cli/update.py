"""`gaptrack update`: newer copies of the public evidence sources (gaptrack.update)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from gaptrack.cli.options import DEFAULT_CHECK_CONFIG, OptionalConfigOpt, ResultsOpt


def update_cmd(
    config: OptionalConfigOpt = DEFAULT_CHECK_CONFIG,
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
    (<results>/changes.md, changes.csv). A rejected source: one line, exit 2, the copy
    in use stays."""
    from gaptrack.cli.check import _results_dir
    from gaptrack.update.account import account_summary, make_account, write_account
    from gaptrack.update.active import copies_before
    from gaptrack.update.currency import reaches, stale_text
    from gaptrack.update.fetch import FetchOptions
    from gaptrack.update.figures import headline
    from gaptrack.update.run import update
    from gaptrack.update.sources import load_sources
    from gaptrack.update.store import parse_utc

    table = load_sources(sources)
    options = FetchOptions(timeout_s=timeout, retries=retries, backoff_s=backoff)
    result = update(table, options, offline=offline)
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
    stale = stale_text(reaches())
    if stale:  # the copies are as new as the sources publish, not necessarily current
        typer.echo(stale)
    if result.kept:
        folder = _results_dir(config, results)
        old = new = None
        if figures:
            new = headline(folder)
            with copies_before(min(parse_utc(o.fetched_at) for o in result.kept)):
                old = headline(folder)
        account = make_account(result, old, new)
        for line in account_summary(account):
            typer.echo(line)
        for path in write_account(account, folder):
            typer.echo(str(path))
    else:
        typer.echo("nothing new: nothing written")
    if result.rejected:
        raise typer.Exit(2)


def register(app: typer.Typer) -> None:
    app.command("update")(update_cmd)
