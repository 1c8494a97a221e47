"""The spool: where a job that cannot stream its records back to the driver (a Slurm job)
writes each finished task's record or failure the moment it is done, one JSON file per
key in `<results>/spool/`, on the filesystem the nodes share with the driver.

Why a folder and not the job's return value: a job killed for any reason (time limit,
preemption, node loss, out of memory) never returns, and a driver that died is not there
to receive it. A file written (atomically) when the task ends survives all of these: the
driver stores it while the job runs, a requeued job skips it, and a restarted driver
stores what jobs wrote while it was gone (`ingest`). The driver is still the only writer
of the store, so caching, claiming and the record format are those of a local run."""

from __future__ import annotations

import contextlib
import datetime as dt
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from pydantic import ValidationError

from gaptrack.run.shards import ShardResult, is_stored, store_shard
from gaptrack.store import FailedAttempt, ResultRecord, Store
from gaptrack.store.atomic import write_text_atomic

if TYPE_CHECKING:
    from gaptrack.run.jobs import Failure, Job, JobResult
    from gaptrack.run.runner import TaskJob
    from gaptrack.store.locks import Locks

SPOOL = "spool"


def spool_dir(root: str | Path) -> Path:
    return Path(root) / SPOOL


def _record_path(folder: Path, key: str) -> Path:
    return folder / f"{key}.json"


def _failure_path(folder: Path, key: str) -> Path:
    return folder / f"{key}.failed.json"


def write(folder: Path, job: Job, key: str, result: JobResult) -> Path:
    """Write one task's record or failure (the worker side), atomically: a reader sees the
    whole file or none."""
    from gaptrack.run.jobs import Failure

    folder.mkdir(parents=True, exist_ok=True)
    if isinstance(result, Failure):
        task = next(t for t in job.tasks if t.key.digest() == key)
        attempt = FailedAttempt(
            key=key,
            cache_key=task.key,
            model_id=result.model_id,
            task=result.task,
            error=result.error,
            attempted_at=dt.datetime.now(dt.timezone.utc),
            host=result.host or socket.gethostname(),
        )
        path = _failure_path(folder, key)
        write_text_atomic(path, attempt.model_dump_json() + "\n")
        return path
    path = _record_path(folder, key)
    write_text_atomic(path, result.model_dump_json() + "\n")
    return path


def as_failure(attempt: FailedAttempt) -> Failure:
    from gaptrack.run.jobs import Failure

    return Failure(attempt.model_id, attempt.task, attempt.error, attempt.key, attempt.host)


def read(folder: Path, key: str) -> JobResult | None:
    """The record or failure spooled for `key`, or None if there is none (yet). A file
    that does not parse (a copy cut short by hand) counts as none: the task runs again."""
    paths = (
        (_record_path(folder, key), ResultRecord),
        (_record_path(folder, key), ShardResult),  # a task's shard (gaptrack.run.shards)
        (_failure_path(folder, key), FailedAttempt),
    )
    for path, model in paths:
        try:
            raw = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            continue
        try:
            parsed = model.model_validate_json(raw)
        except ValidationError:
            continue
        return as_failure(parsed) if isinstance(parsed, FailedAttempt) else parsed
    return None


def finished(job: Job) -> set[str]:
    """Keys of `job` that need no run: their record is stored, or a record or failure is
    spooled (by an earlier attempt of this job, before it was requeued)."""
    if job.store_root is None:
        return set()
    store = Store(job.store_root)
    folder = spool_dir(job.store_root)
    # read, not just seen: a file that does not parse runs again, as the driver sees it
    return {
        key
        for key in job.keys
        if store.has(key) or is_stored(job.store_root, key) or read(folder, key) is not None
    }


def remaining(job: Job) -> list[TaskJob]:
    done = finished(job)
    return [t for t in job.tasks if t.key.digest() not in done]


def forget(folder: Path, keys: list[str]) -> None:
    """Remove the spool files of `keys` (the driver stored them, and no attempt of their
    job is left to skip them)."""
    for key in keys:
        for path in (_record_path(folder, key), _failure_path(folder, key)):
            with contextlib.suppress(OSError):
                path.unlink()


def leftovers(root: str | Path) -> Iterator[tuple[str, JobResult]]:
    """Every record and failure in the spool of the store at `root`: what jobs wrote
    after their driver died."""
    folder = spool_dir(root)
    if not folder.is_dir():
        return
    keys = sorted({p.name.split(".")[0] for p in folder.glob("*.json")})
    for key in keys:
        result = read(folder, key)
        if result is not None:
            yield key, result


def ingest(store: Store, claims: Locks) -> list[ResultRecord]:
    """Store what jobs spooled while no driver was there to store it (the driver was
    killed, or the login node rebooted), then clear the spool: a restarted `eval` picks up
    finished work instead of running it again. A key another live run holds claimed is
    left to that run (it is storing it). A stored record is never replaced by a spooled
    one; a spooled failure is kept as a failed attempt unless a record exists."""
    stored = []
    folder = spool_dir(store.root)
    for key, result in list(leftovers(store.root)):
        if not claims.try_claim(key):
            continue
        try:
            if not store.has(key):
                if isinstance(result, ResultRecord):
                    store.put(result)
                    stored.append(result)
                elif isinstance(result, ShardResult):  # merged when the task's run ends
                    store_shard(store.root, result)
                else:
                    path = _failure_path(folder, key)
                    store.put_failure(FailedAttempt.model_validate_json(path.read_text("utf-8")))
            forget(folder, [key])
        finally:
            claims.release(key)
    return stored
