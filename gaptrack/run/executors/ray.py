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


def _has_vllm() -> bool:
    """Run on a Ray worker: whether vllm is importable there (the driver may lack it)."""
    import importlib.util

    return importlib.util.find_spec("vllm") is not None


class _Unplaceable(Exception):
    """A multi-node job whose placement group did not come up in time."""


def placement(job: Job) -> tuple[list[dict[str, float]], str]:
    """The placement group of a job over several nodes: one bundle per node with that
    node's share of the GPUs, on distinct nodes (STRICT_SPREAD)."""
    layout = job.layout
    assert layout is not None
    return [{"GPU": layout.gpus_per_node, "CPU": 1}] * layout.nodes, "STRICT_SPREAD"


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
        options: dict = dict(
            num_gpus=job.gpus,
            num_cpus=1,
            max_retries=0,  # the driver retries with what is missing (see the docstring)
            retry_exceptions=False,  # run_job reports its own errors as failures
            name=f"gaptrack:{job.model.id}",
        )
        if job.layout is not None and job.layout.nodes > 1:
            # A job over several nodes: one bundle of GPUs per node, reserved at once. The
            # job's own task takes no GPU: vLLM's Ray workers, started inside the group,
            # take them all (a task holding them would starve its own workers).
            from ray.util.scheduling_strategies import PlacementGroupSchedulingStrategy

            bundles, strategy = placement(job)
            group = ray.util.placement_group(bundles, strategy=strategy)
            if not group.wait(timeout_seconds=self.settings.placement_timeout_s):
                ray.util.remove_placement_group(group)
                raise _Unplaceable(
                    f"no {job.layout.nodes} nodes with {job.layout.gpus_per_node} free GPUs "
                    f"each came up in {self.settings.placement_timeout_s:g} s on this Ray "
                    "cluster (a placement group across nodes)"
                )
            options["num_gpus"] = 0
            options["scheduling_strategy"] = PlacementGroupSchedulingStrategy(
                group, placement_group_capture_child_tasks=True
            )
        return remote.options(**options).remote(job, self.runner)

    def _check(self, ray, jobs: list[Job]) -> None:
        """Refuse, before anything is submitted, what Ray would wait for forever: a
        one-node job asking more GPUs than any node has, and vLLM data parallel inside a
        job (lm-eval starts its replicas as Ray tasks that can never get the GPUs the job
        itself holds)."""
        largest = max(
            (n.get("Resources", {}).get("GPU", 0) for n in ray.nodes() if n.get("Alive")),
            default=0,
        )
        if any(job.model.backend == "vllm" for job in jobs):
            probe = ray.remote(_has_vllm).options(num_cpus=0, num_gpus=0)
            if not ray.get(probe.remote()):
                model = next(job.model.id for job in jobs if job.model.backend == "vllm")
                raise GaptrackError(
                    f"model {model}: backend 'vllm' needs the vllm package on the Ray "
                    "workers, which lack it: pip install 'gaptrack[vllm]' on every node"
                )
        for job in jobs:
            layout = job.layout
            if layout is not None and job.model.backend == "vllm" and layout.data_parallel > 1:
                raise GaptrackError(
                    f"{job.model.id}: vLLM data_parallel_size {layout.data_parallel} inside "
                    "a Ray job deadlocks (its replicas wait for the GPUs the job holds): set "
                    "data_parallel_size 1 and let the jobs of other models share the cluster"
                )
            one_node = layout is None or layout.nodes == 1
            if one_node and job.gpus > largest:
                raise GaptrackError(
                    f"{job.model.id} needs {job.gpus} GPUs on one node and the largest node "
                    f"of this Ray cluster has {largest:g}: Ray would wait for it forever"
                )

    def run(self, jobs: list[Job], events: Events) -> Iterator[tuple[str, JobResult]]:
        ray = self._connect()
        self._check(ray, jobs)
        pending = {}
        for job in jobs:
            try:
                pending[self._submit(ray, job)] = (job, set(), 1)
            except _Unplaceable as exc:
                yield from self._left(job, set(), str(exc))
                continue
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
                    try:
                        pending[self._submit(ray, retry)] = (retry, set(), attempt + 1)
                    except _Unplaceable as again:
                        yield from self._left(job, seen, str(again))
                        continue
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
