"""`gaptrack index`: capability per model and months behind, with intervals."""

from __future__ import annotations

from pathlib import Path

import typer

from gaptrack.cli.options import AsOfOpt


def index(
    results: Path = typer.Option(
        Path("results"), "--results", help="Results folder: the store, and where index/*.csv go."
    ),
    reported: list[Path] = typer.Option(
        [], "--reported", help="Extra reported-evidence CSV (repeatable)."
    ),
    boot: int = typer.Option(100, "--boot", min=0, help="Bootstrap replicates."),
    seed: int = typer.Option(0, "--seed", help="Bootstrap seed."),
    top: int = typer.Option(25, "--top", min=1, help="Models to print (all go to the CSV)."),
    epoch_check: bool = typer.Option(
        True, "--epoch-check/--no-epoch-check", help="Check against Epoch AI's figures."
    ),
    as_of: AsOfOpt = None,
) -> None:
    """Fit one capability per model over all evidence; print ranks, difficulties, months behind."""
    from gaptrack.update.active import as_of as reading_as_of

    with reading_as_of(as_of):
        _index(results, reported, boot, seed, top, epoch_check)


def _index(results, reported, boot, seed, top, epoch_check) -> None:
    import warnings

    from gaptrack.compare.index import cache
    from gaptrack.compare.index.outcome import run
    from gaptrack.publish.files import OutputError, check_folder
    from gaptrack.publish.index_out import print_outcome, write_csvs
    from gaptrack.update.active import COPY_SET_FILE, copy_set_csv, sources_line

    folder = check_folder(results / "index")  # before the fit: a bad folder costs nothing
    with warnings.catch_warnings():
        # all-NaN months (before a side has any model) are expected, and shown as NaN
        warnings.simplefilter("ignore", RuntimeWarning)
        outcome = run(results, reported, n_boot=boot, seed=seed, epoch_check=epoch_check)
    print_outcome(outcome, typer.echo, top=top)
    try:
        # no key while the tables change: files of two fits are never taken for one
        cache.forget(folder)
    except OSError as exc:
        raise OutputError(f"cannot write: {exc.strerror}", file=folder / cache.KEY_FILE) from None
    # one batch with the source copies the fit read; the key, written last, lets `report`
    # reuse this fit
    sources = {folder / COPY_SET_FILE: copy_set_csv()}
    written = write_csvs(outcome, folder, cache.key_text(outcome.inputs_digest), sources)
    typer.echo(f"\nWrote {', '.join(p.name for p in written)} to {folder}")
    typer.echo(f"Evidence {sources_line()}")


def register(app: typer.Typer) -> None:
    app.command("index")(index)
