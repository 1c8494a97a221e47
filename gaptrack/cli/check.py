"""`gaptrack check` and `gaptrack import-reported`: claims against evidence. Errors are
not caught here: the app prints a GaptrackError as one line, exit 2."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from gaptrack.cli.options import DEFAULT_CHECK_CONFIG, AsOfOpt, OptionalConfigOpt, ResultsOpt
from gaptrack.errors import GaptrackError


def _results_dir(config: str, results: Path | None) -> Path:
    """--results, else the config's results_dir: the same rule as `eval`."""
    if results is None:
        from gaptrack.api import load_config

        results = load_config(config).results_dir
    if results.exists() and not results.is_dir():
        raise GaptrackError(f"--results {results} is a file, not a folder")
    return results


def check_cmd(
    config: OptionalConfigOpt = DEFAULT_CHECK_CONFIG,
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
    reported: Annotated[
        list[Path] | None,
        typer.Option("--reported", metavar="CSV", help="Extra reported-evidence CSV (repeatable)."),
    ] = None,
    strict: Annotated[
        bool,
        typer.Option(
            "--strict",
            help="Weigh only reported rows verified at their primary source (no copies).",
        ),
    ] = False,
    as_of: AsOfOpt = None,
) -> None:
    """Give every claim a verdict from measured and reported evidence; write
    <results>/claims/<claim_id>.json and the source copies read (claims/sources.csv)."""
    from gaptrack.update.active import as_of as reading_as_of

    with reading_as_of(as_of):
        _check(config, results, claim, claims, reported, strict)


def _check(config, results, claim, claims, reported, strict) -> None:
    from gaptrack.api import CheckOptions, check_claims
    from gaptrack.compare.check import (
        excluded_rows,
        load_evidence,
        reproduction_checks,
        status_share,
        tier_share,
    )
    from gaptrack.publish.check_console import print_check, print_published_table
    from gaptrack.publish.claim_files import claims_dir, write_claim_files
    from gaptrack.publish.files import check_folder
    from gaptrack.store import Store
    from gaptrack.update.active import sources_line, write_copy_set

    results_dir = _results_dir(config, results)
    check_folder(claims_dir(results_dir))  # before the work: a bad folder is one line
    options = CheckOptions(claims_file=claims, reported_files=list(reported or []), strict=strict)
    evidence = load_evidence(results_dir, options)  # once: the verdicts and the tables
    verdicts = check_claims(results_dir, claim, options, evidence)
    Store(results_dir).remember_checked_items()  # the items paired: not read again next time
    write_claim_files(verdicts, results_dir)
    write_copy_set(claims_dir(results_dir))
    repro = reproduction_checks(evidence) if claim is None else []
    print_check(
        verdicts,
        results_dir,
        status_share(evidence),
        repro,
        tier_share(evidence),
        excluded_rows(evidence) if claim is None else (),
    )
    if claim is None:
        print_published_table(evidence)
    typer.echo(f"Evidence {sources_line()}")  # the copies read: claims/sources.csv


def import_reported_cmd(
    file: Annotated[
        Path, typer.Argument(metavar="CSV", help="CSV with the columns of evidence/reported.csv.")
    ],
    config: OptionalConfigOpt = DEFAULT_CHECK_CONFIG,
    results: ResultsOpt = None,
) -> None:
    """Validate reported figures and merge them into <results>/reported/imported.csv."""
    from gaptrack.api import import_reported
    from gaptrack.compare.evidence.csvio import user_reported_dir
    from gaptrack.publish.files import check_folder

    results_dir = _results_dir(config, results)
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
