"""What a running `eval` tells other processes: one JSON file per run in
`<results>/runs/<run id>.json`, rewritten (atomically) as its jobs are submitted, start
and finish. `gaptrack status` reads these files, the store and the plan; it never asks
the driver anything, so it works from any shell on the machine (or one sharing the
results folder), and for a driver that died the file says so (its process is gone).

Why a file and not the claims: a claim is an OS lock, which says that a key is held but
not by whom, since when, or how far its job got."""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import socket
import uuid
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ValidationError

from gaptrack.store.atomic import write_text_atomic

RUNS = "runs"
JobState = Literal["queued", "running", "done", "failed"]


def _now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


class JobProgress(BaseModel):
    model_id: str
    tasks: list[str]
    keys: list[str]
    where: str = ""
    """Where it was sent: `local`, `ray, 2 GPU(s)`, `slurm job 1234`."""
    state: JobState = "queued"
    done: list[str] = []
    """Tasks with a stored record."""
    failed: dict[str, str] = {}
    """Tasks that failed, with their error."""
    started_at: dt.datetime | None = None
    finished_at: dt.datetime | None = None


class RunProgress(BaseModel):
    run_id: str
    config: str
    host: str
    pid: int
    executor: str
    started_at: dt.datetime
    updated_at: dt.datetime
    finished_at: dt.datetime | None = None
    jobs: list[JobProgress] = []
    claimed: list[str] = []
    """Keys this run holds claimed (evaluating them now or soon)."""

    def alive(self) -> bool | None:
        """Whether the driver process still runs: None where it ran on another host
        (this machine cannot see its processes)."""
        if self.finished_at is not None:
            return False
        if self.host != socket.gethostname():
            return None
        try:
            os.kill(self.pid, 0)
        except ProcessLookupError:
            return False
        except PermissionError:  # someone else's process: it exists
            return True
        return True


class RunLog:
    """The driver's side: keeps its run file current."""

    def __init__(self, root: Path, config: str, executor: str) -> None:
        self.path = Path(root) / RUNS / f"{_now():%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:8]}.json"
        now = _now()
        self.run = RunProgress(
            run_id=self.path.stem,
            config=config,
            host=socket.gethostname(),
            pid=os.getpid(),
            executor=executor,
            started_at=now,
            updated_at=now,
        )
        self._by_key: dict[str, JobProgress] = {}

    def write(self) -> None:
        self.run.updated_at = _now()
        # progress is advice: a full disk must not stop a run whose records still fit
        with contextlib.suppress(OSError):
            self.path.parent.mkdir(parents=True, exist_ok=True)
            write_text_atomic(self.path, self.run.model_dump_json(indent=1) + "\n")

    def planned(self, jobs, claimed: list[str]) -> None:
        for job in jobs:
            progress = JobProgress(
                model_id=job.model.id, tasks=[t.task for t in job.tasks], keys=job.keys
            )
            self.run.jobs.append(progress)
            for key in job.keys:
                self._by_key[key] = progress
        self.run.claimed = list(claimed)
        self.write()

    def submitted(self, job, where: str) -> None:
        progress = self._by_key.get(job.keys[0]) if job.keys else None
        if progress is not None:
            progress.where = where
            self.write()

    def started(self, key: str) -> None:
        progress = self._by_key.get(key)
        if progress is not None and progress.state == "queued":
            progress.state = "running"
            progress.started_at = _now()
            self.write()

    def finished(self, key: str, task: str, error: str | None) -> None:
        progress = self._by_key.get(key)
        if progress is None:
            return
        if progress.started_at is None:
            progress.started_at = _now()
        if error is None:
            progress.done.append(task)
        else:
            progress.failed[task] = error
        if len(progress.done) + len(progress.failed) == len(progress.tasks):
            progress.state = "failed" if progress.failed else "done"
            progress.finished_at = _now()
        else:
            progress.state = "running"
        if key in self.run.claimed:
            self.run.claimed.remove(key)
        self.write()

    def released(self, key: str) -> None:
        """A key no job of this run reports on (a sharded task's, once merged or failed)."""
        if key in self.run.claimed:
            self.run.claimed.remove(key)
            self.write()

    def close(self) -> None:
        self.run.finished_at = _now()
        self.run.claimed = []
        self.write()


def read_runs(root: Path) -> list[RunProgress]:
    """Every run file of the store at `root`, oldest first; unreadable ones are skipped
    (status is a view, not a check)."""
    runs = []
    for path in sorted((Path(root) / RUNS).glob("*.json")):
        with contextlib.suppress(OSError, ValidationError, ValueError):
            runs.append(RunProgress.model_validate_json(path.read_text("utf-8")))
    return runs
