"""`gaptrack import-run` and `gaptrack export`: bring other people's lm-eval and
inspect_ai runs into the store, and give the store's records back as lm-eval results."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from gaptrack.cli.options import OptionalConfigOpt, ResultsOpt


def import_run_cmd(
    paths: Annotated[
        list[Path],
        typer.Argument(
            metavar="PATH...",
            help="lm-eval output folder or results_*.json (with its samples_*.jsonl), "
            "inspect_ai log (.eval, .json), or a folder of them.",
        ),
    ],
    config: OptionalConfigOpt = None,
    results: ResultsOpt = None,
    model_id: Annotated[
        str | None,
        typer.Option(
            "--model-id",
            metavar="ID",
            help="The config or catalogue model the runs evaluated, where the files name "
            "it otherwise (a local folder, an API model).",
        ),
    ] = None,
    task: Annotated[
        str | None,
        typer.Option("--task", metavar="TASK", help="gaptrack's task name for the run's task."),
    ] = None,
    measured_by: Annotated[
        str | None,
        typer.Option("--measured-by", metavar="WHO", help="Who ran the evaluation."),
    ] = None,
    developer: Annotated[
        bool,
        typer.Option(
            "--developer",
            help="The model's developer ran it: tier developer_reported, not third_party_run.",
        ),
    ] = False,
) -> None:
    """Import lm-eval output folders and inspect_ai logs as measured records, per item."""
    from gaptrack.api import DEFAULT_CONFIG, ImportRequest, import_run, load_config, resolve_results
    from gaptrack.publish.scores_csv import write_scores
    from gaptrack.store import Store

    named, folder = resolve_results(config, results, "write")
    cfg = named or load_config(DEFAULT_CONFIG)  # the models the runs are matched against
    request = ImportRequest(
        paths=tuple(paths),
        results_dir=folder,
        config=cfg,
        model_id=model_id,
        task=task,
        measured_by=measured_by,
        tier="developer_reported" if developer else "third_party_run",
    )
    result = import_run(request)
    for done in result.records:
        record = done.record
        metric = record.metric()
        origin = record.provenance.imported
        harness = f", {origin.harness} {origin.harness_version}" if origin else ""
        typer.echo(
            f"{'replaced' if done.replaced else 'stored'} {record.key}: {record.model.id} on "
            f"{record.task.name} (benchmark {done.benchmark}), {metric.label} "
            f"{metric.value:.4f} over {record.task.n_samples} items{harness}"
        )
        for note in done.notes:
            typer.echo(f"  note: {record.task.name}: {note}")
    store = Store(request.results_dir)
    write_scores(store.summaries(), store.root / "scores.csv")
    typer.echo(f"{len(result.records)} records in {request.results_dir}")


def export_cmd(
    out: Annotated[
        Path, typer.Option("--out", metavar="DIR", help="Folder for MODEL/results_*.json.")
    ],
    config: OptionalConfigOpt = None,
    results: ResultsOpt = None,
    only: Annotated[
        list[str] | None,
        typer.Option("--only", metavar="MODEL_ID", help="Only this model (repeatable)."),
    ] = None,
) -> None:
    """Write the store's records as lm-eval-style results JSON, one file per model."""
    from gaptrack.api import export_results, resolve_results

    _, folder = resolve_results(config, results, "read")  # an empty export says nothing
    written = export_results(folder, out, tuple(only or ()))
    for path in written:
        typer.echo(str(path))
    typer.echo(f"{len(written)} results files in {out}")


def register(app: typer.Typer) -> None:
    app.command("import-run")(import_run_cmd)
    app.command("export")(export_cmd)
