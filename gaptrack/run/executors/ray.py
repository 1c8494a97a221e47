"""The Ray executor: each job a Ray task that asks for the GPUs its model needs, on a
running cluster (by address) or on a local one started on the spot.

A job is a Ray generator task, so each task's record streams back to the driver the
moment it is done and is stored there: the one store, with the local executor's caching,
claiming and record format. A worker that dies (killed, out of memory, node lost) is
retried by the driver, not by Ray: Ray's own retry replays the whole generator (the model
load and every task already stored, hours for a 70B model), while the driver knows which
records it holds and submits a new job of only the tasks still missing, `max_retries`
times; after that they are reported failed and the other jobs go on."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator

from gaptrack.config.schema import ClusterSettings
from gaptrack.errors import GaptrackError
from gaptrack.run.device import pick_device
from gaptrack.run.executors.base import Events, missing
from gaptrack.run.jobs import Job, JobResult, run_job
from gaptrack.run.runner import Runner


def _import_ray():
    try:
        import ray
    except ImportError as exc:
        raise missing("ray", "ray", exc) from None
    return ray


def _job_task(job: Job, runner) -> Iterator[tuple[str, JobResult]]:
    """The body of one Ray task: the same `run_job` the local executor calls."""
    yield from run_job(job, runner)


def connect_error(address: str | None, exc: Exception) -> GaptrackError:
    """A failed `ray.init` as one line that says what to set: token authentication (Ray
    2.52 and later; on by default for every cluster from Ray 2.61) or an address that
    does not answer."""
    text = " ".join(str(exc).split())
    where = f"--ray-address {address}" if address else "a local Ray cluster"
    lowered = text.lower()
    if "token" in lowered or "auth" in lowered or "unauthenticated" in lowered:
        return GaptrackError(
            f"{where}: the cluster wants its authentication token: set RAY_AUTH_MODE=token "
            "and RAY_AUTH_TOKEN (or RAY_AUTH_TOKEN_PATH) to the token `ray get-auth-token` "
            "prints on the head node "
            f"({text[:200]})"
        )
    return GaptrackError(
        f"{where}: cannot connect ({text[:200]}); start it with `ray start --head` on the "
        "head node, or give its address (host:6379, or `auto` on a node of the cluster)"
    )


class RayExecutor:
    def __init__(self, settings: ClusterSettings | None = None, runner: Runner | None = None):
        self.settings = settings or ClusterSettings()
        self.runner = runner

    def _connect(self):
        ray = _import_ray()
        if not ray.is_initialized():
            # address None starts a local cluster with this machine's CPUs and GPUs.
            try:
                ray.init(address=self.settings.ray_address, log_to_driver=True)
            except (ConnectionError, RuntimeError, ValueError, PermissionError) as exc:
                raise connect_error(self.settings.ray_address, exc) from None
        return ray

    def device(self, requested: str) -> str:
        if requested != "auto":
            return requested
        if self.settings.gpus_per_job == 0:
            return pick_device("cpu")
        ray = self._connect()
        return "cuda" if ray.cluster_resources().get("GPU", 0) > 0 else "cpu"

    def _submit(self, ray, job: Job):
        remote = ray.remote(_job_task)
        return remote.options(
            num_gpus=job.gpus,
            num_cpus=1,
            max_retries=0,  # the driver retries with what is missing (see the docstring)
            retry_exceptions=False,  # run_job reports its own errors as failures
            name=f"gaptrack:{job.model.id}",
        ).remote(job, self.runner)

    def run(self, jobs: list[Job], events: Events) -> Iterator[tuple[str, JobResult]]:
        ray = self._connect()
        pending = {}
        for job in jobs:
            pending[self._submit(ray, job)] = (job, set(), 1)
            events.submitted(job, f"ray, {job.gpus} GPU(s)")
        while pending:
            ready, _ = ray.wait(list(pending), num_returns=1)
            generator = ready[0]
            job, seen, attempt = pending[generator]
            try:
                key, result = ray.get(next(generator))
            except StopIteration:
                del pending[generator]
                yield from self._left(job, seen, "the Ray task ended without its records")
                continue
            except ray.exceptions.RayError as exc:
                del pending[generator]
                left = [t for t in job.tasks if t.key.digest() not in seen]
                if attempt <= self.settings.max_retries and left:
                    retry = dataclasses.replace(job, tasks=tuple(left))
                    pending[self._submit(ray, retry)] = (retry, set(), attempt + 1)
                    events.submitted(retry, f"ray, retry {attempt} of {len(left)} task(s) left")
                    continue
                why = " ".join(str(exc).split())[:300]
                yield from self._left(job, seen, f"Ray gave up after {attempt} tries: {why}")
                continue
            seen.add(key)
            yield key, result

    @staticmethod
    def _left(job: Job, seen: set[str], error: str) -> Iterator[tuple[str, JobResult]]:
        for failure in job.failures(error, [t for t in job.tasks if t.key.digest() not in seen]):
            yield failure.key, failure
