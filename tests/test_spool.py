"""The spool: records a job writes as each task finishes, skipped by a requeued job and
stored by a restarted driver; a key another live run holds is left to that run."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from gaptrack.api import EvalRequest, Store, load_config, make_plan
from gaptrack.run import spool
from gaptrack.run.jobs import Failure, make_jobs, run_job
from gaptrack.store.locks import Locks
from tests.fakes import FakeRunner


def test_spooled_results_are_skipped_then_ingested(tiny_config: Path) -> None:
    config = load_config(tiny_config)
    plan = make_plan(config, EvalRequest(device="cpu"))
    job = make_jobs(plan)[0]
    folder = spool.spool_dir(config.results_dir)
    results = dict(run_job(job, FakeRunner(task_fails=("tiny-llama", "tiny_mc2"))))
    record_key, failure_key = job.keys
    assert isinstance(results[failure_key], Failure)
    spool.write(folder, job, record_key, results[record_key])
    assert spool.remaining(job) == [job.tasks[1]]  # a requeued job runs only the second
    spool.write(folder, job, failure_key, results[failure_key])
    assert spool.remaining(job) == []
    assert spool.read(folder, record_key).key == record_key
    assert spool.read(folder, failure_key).error == results[failure_key].error

    other = Locks(config.results_dir)  # another live run holds the failed key
    assert other.try_claim(failure_key)
    store = Store(config.results_dir)
    stored = spool.ingest(store, Locks(config.results_dir))
    assert [r.key for r in stored] == [record_key] and store.has(record_key)
    assert (folder / f"{failure_key}.failed.json").exists()  # left to the run holding it
    other.release_all()
    spool.ingest(store, Locks(config.results_dir))
    assert not list(folder.glob("*.json"))
    assert [f.key for f in store.failures()] == [failure_key]
    # a stored key needs no run, spooled or not
    assert spool.remaining(dataclasses.replace(job, tasks=job.tasks[:1])) == []


def test_a_cut_spool_file_counts_as_none(tiny_config: Path) -> None:
    config = load_config(tiny_config)
    job = make_jobs(make_plan(config, EvalRequest(device="cpu")))[0]
    folder = spool.spool_dir(config.results_dir)
    folder.mkdir(parents=True)
    (folder / f"{job.keys[0]}.json").write_text('{"key": "trunc')
    assert spool.read(folder, job.keys[0]) is None
    assert spool.remaining(job) == list(job.tasks)  # and is run again
