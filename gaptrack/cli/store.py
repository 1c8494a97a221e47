"""`gaptrack verify` and `gaptrack schema`: the store's integrity and its public schema."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from gaptrack.cli.options import OptionalConfigOpt, ResultsOpt


def verify(config: OptionalConfigOpt = None, results: ResultsOpt = None) -> None:
    """Check every record and items file of a store; exit 2 if anything is wrong.

    Checks digests, items against their metrics, schema versions, stray files, and the
    summary cache and remembered items against the records they summarise. Nothing is
    changed or deleted."""
    from gaptrack.api import VerifyRequest
    from gaptrack.api import verify as check

    result = check(VerifyRequest(config=config, results=results))
    for problem in result.problems:
        typer.echo(f"BAD {problem.one_line()}")
    for failure in result.failures:
        typer.echo(
            f"failed attempt (no record yet): {failure.model_id} on {failure.task}: {failure.error}"
        )
    typer.echo(
        f"{result.records_dir}: {result.good} records ok, {len(result.problems)} problems, "
        f"{len(result.failures)} failed attempts"
    )
    if not result.ok:  # a store with bad files is bad input: exit 2, as for any other
        raise typer.Exit(2)


def schema(
    out: Annotated[
        Path,
        typer.Option("--out", metavar="DIR", help="Folder the JSON Schema files are written to."),
    ] = Path("."),
) -> None:
    """Write the JSON Schema of a result record and of a claim result, for other tools."""
    from gaptrack.api import write_schemas

    for path in write_schemas(out):
        typer.echo(str(path))


def register(app: typer.Typer) -> None:
    app.command("verify")(verify)
    app.command("schema")(schema)
