"""`gaptrack status`: stored and left, the jobs of the runs on a store with their state
and errors, who holds which keys, a driver that died, and an ETA from the run's pace."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from typer.testing import CliRunner

from gaptrack.api import EvalRequest, evaluate, load_config, make_plan
from gaptrack.cli import app
from gaptrack.run.jobs import make_jobs
from gaptrack.run.progress import RunLog, read_runs
from tests.fakes import FakeRunner


def status(config: Path) -> str:
    result = CliRunner().invoke(app, ["status", "-c", str(config)])
    assert result.exit_code == 0, result.output
    return result.output


def test_status_before_and_after_a_run(tiny_config: Path) -> None:
    assert "no eval has run" in status(tiny_config)
    assert "0 of 4 (model, task) pairs stored, 4 left" in status(tiny_config)
    config = load_config(tiny_config)
    evaluate(config, runner=FakeRunner(task_fails=("tiny-qwen2", "tiny_mc2")))
    out = status(tiny_config)
    assert "3 of 4 (model, task) pairs stored, 1 left" in out
    [run] = read_runs(config.results_dir)
    assert run.finished_at is not None and not run.claimed
    states = {job.model_id: job.state for job in run.jobs}
    assert states == {"tiny-llama": "done", "tiny-qwen2": "failed"}
    assert "no data for tiny_mc2 offline" in out  # the failed job's own error
    assert "1 pairs left that no run holds" in out


def test_status_of_a_run_in_progress_and_of_a_dead_one(tiny_config: Path, monkeypatch) -> None:
    bin_dir = tiny_config.parent / "bin"  # a squeue that says the job waits in the queue
    bin_dir.mkdir()
    (bin_dir / "squeue").write_text("#!/bin/sh\necho '4242 PENDING'\n")
    (bin_dir / "squeue").chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}:{os.environ['PATH']}")
    config = load_config(tiny_config)
    plan = make_plan(config, EvalRequest(device="cpu"))
    jobs = make_jobs(plan)
    live = RunLog(config.results_dir, config.name, "SlurmExecutor")  # this process: alive
    live.planned(jobs[:1], jobs[0].keys)
    live.submitted(jobs[0], "slurm job 4242")
    live.finished(jobs[0].keys[0], jobs[0].tasks[0].task, None)
    out = status(tiny_config)
    assert "slurm job 4242" in out and "running (pending)" in out and "1/2" in out
    assert "claimed by" in out and "tiny-llama/tiny_mc2" in out
    assert "left: about" in out  # an ETA from the pace so far

    gone = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        capture_output=True,
        text=True,
        check=True,
    )
    dead = RunLog(config.results_dir, config.name, "RayExecutor")
    dead.run.pid = int(gone.stdout)  # a process that has exited
    dead.planned(jobs[1:], jobs[1].keys)
    assert "died without finishing" in status(tiny_config)
