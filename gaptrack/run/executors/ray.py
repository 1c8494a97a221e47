"""The Ray executor: each job a Ray task that asks for the GPUs its model needs, on a
running cluster (by address) or on a local one started on the spot.

A job is a Ray generator task, so each task's record streams back to the driver the
moment it is done and is stored there: the one store, with the local executor's caching,
claiming and record format. A worker that dies (killed, out of memory, node lost) is
retried by Ray `max_retries` times; after that its unfinished tasks are reported failed
and the other jobs go on."""

from __future__ import annotations

from collections.abc import Iterator

from gaptrack.run.device import pick_device
from gaptrack.run.executors.base import Events, ExecutorOptions, missing
from gaptrack.run.jobs import Job, JobResult, run_job


def _import_ray():
    try:
        import ray
    except ImportError as exc:
        raise missing("ray", "ray", exc) from None
    return ray


def _job_task(job: Job, runner) -> Iterator[tuple[str, JobResult]]:
    """The body of one Ray task: the same `run_job` the local executor calls."""
    yield from run_job(job, runner)


class RayExecutor:
    def __init__(self, options: ExecutorOptions | None = None) -> None:
        self.options = options or ExecutorOptions()

    def _connect(self):
        ray = _import_ray()
        if not ray.is_initialized():
            # address None starts a local cluster with this machine's CPUs and GPUs.
            ray.init(address=self.options.ray_address, log_to_driver=False)
        return ray

    def device(self, requested: str) -> str:
        if requested != "auto":
            return requested
        if self.options.gpus_per_job == 0:
            return pick_device("cpu")
        ray = self._connect()
        return "cuda" if ray.cluster_resources().get("GPU", 0) > 0 else "cpu"

    def run(self, jobs: list[Job], events: Events) -> Iterator[tuple[str, JobResult]]:
        ray = self._connect()
        remote = ray.remote(_job_task)
        pending = {}
        for job in jobs:
            generator = remote.options(
                num_gpus=job.gpus,
                num_cpus=1,
                max_retries=self.options.max_retries,
                retry_exceptions=False,  # run_job reports its own errors as failures
                name=f"gaptrack:{job.model.id}",
            ).remote(job, self.options.runner)
            pending[generator] = (job, set())
            events.submitted(job, f"ray, {job.gpus} GPU(s)")
        while pending:
            ready, _ = ray.wait(list(pending), num_returns=1)
            generator = ready[0]
            job, seen = pending[generator]
            try:
                key, result = ray.get(next(generator))
            except StopIteration:
                del pending[generator]
                yield from self._left(job, seen, "the Ray task ended without its records")
                continue
            except ray.exceptions.RayError as exc:
                del pending[generator]
                why = " ".join(str(exc).split())[:300]
                tries = self.options.max_retries + 1
                yield from self._left(job, seen, f"Ray gave up after {tries} tries: {why}")
                continue
            seen.add(key)
            yield key, result

    @staticmethod
    def _left(job: Job, seen: set[str], error: str) -> Iterator[tuple[str, JobResult]]:
        for failure in job.failures(error, [t for t in job.tasks if t.key.digest() not in seen]):
            yield failure.key, failure
