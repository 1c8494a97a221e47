"""`gaptrack status`: where a config's evaluation stands. Stored and left (by items,
from the task-size table), every job of the runs in progress (queued, running, done or
failed with its error), the keys each run holds claimed and whether its driver is still
alive, and an ETA from the run's pace so far. Reads files only: the store, the plan, the
run files `eval` keeps in `<results>/runs/`."""

from __future__ import annotations

import datetime as dt

import typer

from gaptrack.cli.options import OptionalConfigOpt, ResultsOpt


def _items(entries) -> int:
    from gaptrack.run.estimate import task_cost

    total = 0
    for e in entries:
        items = task_cost(e.task, e.model.params_b, e.num_fewshot, e.limit, None).items
        total += items if items is not None else (e.limit or 0)
    return total


def _duration(seconds: float) -> str:
    if seconds < 90:
        return f"{seconds:.0f}s"
    if seconds < 5400:
        return f"{seconds / 60:.0f}m"
    return f"{seconds / 3600:.1f}h"


def slurm_states(runs) -> dict[str, str]:
    """Slurm's own word on the jobs of live runs (PENDING, RUNNING, ...), from `squeue`
    where it exists: the driver only knows a job was submitted until its first record."""
    import re
    import shutil
    import subprocess

    ids = {
        match.group(1)
        for run in runs
        for job in run.jobs
        if job.state in ("queued", "running") and (match := re.match(r"slurm job (\d+)", job.where))
    }
    if not ids or shutil.which("squeue") is None:
        return {}
    try:
        out = subprocess.run(
            ["squeue", "-h", "-o", "%i %T", "-j", ",".join(sorted(ids))],  # noqa: S607
            capture_output=True,
            text=True,
            timeout=20,
        ).stdout
    except (OSError, subprocess.TimeoutExpired):
        return {}
    return dict(line.split(maxsplit=1) for line in out.splitlines() if " " in line)


def status_cmd(config: OptionalConfigOpt = None, results: ResultsOpt = None) -> None:
    """Show a config's progress: stored and left, the jobs of running evals, claimed keys, ETA."""
    from gaptrack.api import DEFAULT_CONFIG, EvalRequest, load_config, make_plan, resolve_results
    from gaptrack.publish.console import _table
    from gaptrack.run.device import guess_device
    from gaptrack.run.progress import read_runs

    named, folder = resolve_results(config, results, "write")  # before any eval: 0 stored
    cfg = named or load_config(DEFAULT_CONFIG)
    plan = make_plan(cfg, EvalRequest(device=guess_device("auto"), results_dir=folder))
    stored = [e for e in plan.entries if e.cached]
    left = [e for e in plan.entries if not e.cached]
    done_items, left_items = _items(stored), _items(left)
    typer.echo(
        f"{cfg.name}: {len(stored)} of {len(plan.entries)} (model, task) pairs stored, "
        f"{len(left)} left; items {done_items:,} done, {left_items:,} left "
        f"(from the task-size table) in {plan.store.root}"
    )
    entries = {e.key.digest(): e for e in plan.entries}
    runs = [r for r in read_runs(plan.store.root) if r.config == cfg.name]
    active = [r for r in runs if r.finished_at is None]
    shown = active or runs[-1:]
    now = dt.datetime.now(dt.timezone.utc)
    queue = slurm_states(active)
    rows = []
    for run in shown:
        alive = run.alive()
        who = f"{run.host}:{run.pid}"
        life = {True: "running", False: "ended" if run.finished_at else "DIED", None: "?"}[alive]
        for job in run.jobs:
            error = next(iter(job.failed.values()), "")
            slurm = queue.get(job.where.split()[2]) if job.where.startswith("slurm job") else None
            rows.append(
                [
                    run.run_id,
                    f"{who} ({life})",
                    job.model_id,
                    job.where or "-",
                    job.state if slurm is None else f"{job.state} ({slurm.lower()})",
                    f"{len(job.done)}/{len(job.tasks)}",
                    error[:80],
                ]
            )
    if rows:
        headers = ["run", "driver", "model", "where", "state", "tasks", "error"]
        typer.echo(_table(headers, rows))
    else:
        typer.echo("no eval has run on this store yet (gaptrack eval starts one)")
    claimed_by: dict[str, str] = {}
    for run in active:
        for key in run.claimed:
            claimed_by[key] = f"{run.host}:{run.pid}"
    if claimed_by:
        owners: dict[str, list[str]] = {}
        for key, owner in claimed_by.items():
            entry = entries.get(key)
            name = f"{entry.model.id}/{entry.task}" if entry else key[:12]
            owners.setdefault(owner, []).append(name)
        for owner, names in owners.items():
            typer.echo(
                f"claimed by {owner}: {len(names)} keys ({', '.join(sorted(names)[:8])}"
                f"{', ...' if len(names) > 8 else ''})"
            )
    unclaimed = [e for e in left if e.key.digest() not in claimed_by]
    if unclaimed:
        typer.echo(
            f"{len(unclaimed)} pairs left that no run holds: gaptrack eval -c {config} runs them"
        )
    for run in active:
        if run.alive() is False:
            typer.echo(
                f"run {run.run_id} died without finishing ({run.host}:{run.pid}); its Slurm jobs "
                "may still be running: the next `gaptrack eval` stores what they spooled"
            )
            continue
        keys = [k for job in run.jobs for k in job.keys]
        finished = {
            k
            for job in run.jobs
            for k, task in zip(job.keys, job.tasks, strict=True)
            if task in job.done or task in job.failed
        }
        done_entries = [entries[k] for k in finished if k in entries]
        left_entries = [entries[k] for k in keys if k not in finished and k in entries]
        run_done, run_left, unit = _items(done_entries), _items(left_entries), "items"
        if not run_done or not run_left:  # tasks of unknown size: the pace in tasks
            run_done, run_left, unit = len(done_entries), len(left_entries), "tasks"
        elapsed = (now - run.started_at).total_seconds()
        if run_done and run_left:
            eta = elapsed * run_left / run_done
            typer.echo(
                f"run {run.run_id}: {run_done:,} {unit} done in {_duration(elapsed)}, "
                f"{run_left:,} left: about {_duration(eta)} more at this pace"
            )
        elif run_left:
            typer.echo(f"run {run.run_id}: started {_duration(elapsed)} ago, no task finished yet")


def register(app: typer.Typer) -> None:
    app.command("status")(status_cmd)
