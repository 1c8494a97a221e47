"""The Slurm executor: each job a Slurm job submitted with submitit, asking for the
partition, time limit, GPUs, account, QOS, constraint and memory from the config or
flags. submitit's `local` cluster runs the same jobs as subprocesses (the tests use it).

A Slurm job cannot stream its records back (submitit returns a value only when the job
ends, and a killed job never does), so it writes each finished task's record to the
spool on the shared filesystem the moment it is done (`gaptrack.run.spool`), and the
driver stores it from there while the job runs. Jobs are checkpointable: at the time
limit or on preemption Slurm signals the job, submitit requeues it, and the requeued job
runs only what is not spooled or stored yet (`max_retries` timeouts, then its unfinished
tasks are reported failed as timed out). A driver that dies leaves its jobs running; the
next `eval` stores what they spooled (`spool.ingest`) and runs only what is missing."""

from __future__ import annotations

import time
from collections.abc import Iterator

from gaptrack.config.schema import ClusterSettings
from gaptrack.run import spool
from gaptrack.run.device import pick_device
from gaptrack.run.executors.base import Events, missing
from gaptrack.run.jobs import Job, JobResult, run_job
from gaptrack.run.runner import Runner


def _import_submitit():
    try:
        import submitit
    except ImportError as exc:
        raise missing("submitit", "slurm", exc) from None
    return submitit


class SlurmJob:
    """What one Slurm job runs: the tasks of `job` not yet spooled or stored, through the
    same `run_job` the local executor calls, each record spooled as it finishes.
    Checkpointable (submitit calls `checkpoint` at the time limit or on preemption): the
    requeued job is this same object, and skips what the first attempt finished."""

    def __init__(self, job: Job, runner: Runner | None) -> None:
        self.job = job
        self.runner = runner

    def __call__(self) -> int:
        import dataclasses

        layout = self.job.layout
        if layout is not None and layout.nodes > 1 and not _multi_node_ray(layout.nodes):
            return 0  # a node that only lends its GPUs to the first node's vLLM
        left = spool.remaining(self.job)
        if not left:
            return 0
        folder = spool.spool_dir(self.job.store_root or ".")
        todo = dataclasses.replace(self.job, tasks=tuple(left))
        # submitit raises this from its signal handler when the job timed out once too
        # often: the job's end (the driver says "timed out"), not a broken model
        ends = (_import_submitit().core.utils.UncompletedJobError,)
        for key, result in run_job(todo, self.runner, job_ends=ends):
            spool.write(folder, todo, key, result)
        return len(left)

    def checkpoint(self, *args, **kwargs):
        submitit = _import_submitit()
        return submitit.helpers.DelayedSubmission(self)


def _multi_node_ray(nodes: int, port: int = 6379, wait_s: float = 600) -> bool:
    """A multi-node job (one Slurm task per node) makes its nodes one Ray cluster, for
    vLLM's pipeline stages across nodes: the first node starts the head, and runs the job
    once every node has joined (True); the others join and lend their GPUs until the head
    goes at the job's end (False). NOT run on a real multi-node allocation in this work."""
    import os
    import subprocess

    submitit = _import_submitit()
    env = submitit.JobEnvironment()
    head = f"{env.hostnames[0]}:{port}"
    if env.global_rank != 0:
        subprocess.run(["ray", "start", f"--address={head}", "--block"], check=False)  # noqa: S607
        return False
    subprocess.run(["ray", "start", "--head", f"--port={port}"], check=True)  # noqa: S607
    os.environ["RAY_ADDRESS"] = head  # vLLM's Ray backend connects to this cluster
    import ray

    ray.init(address=head)
    deadline = time.monotonic() + wait_s
    while sum(1 for n in ray.nodes() if n.get("Alive")) < nodes:
        if time.monotonic() > deadline:
            raise RuntimeError(f"only some of the job's {nodes} nodes joined its Ray cluster")
        time.sleep(2)
    return True


def slurm_parameters(settings: ClusterSettings, job: Job, remote: bool) -> dict:
    """submitit parameters of one job: what the job reserves, and nothing else."""
    import math

    per_node = min(job.gpus, settings.gpus_per_node) if job.gpus else 0
    nodes = max(1, math.ceil(job.gpus / settings.gpus_per_node)) if job.gpus else 1
    params: dict = dict(
        name=f"gaptrack-{job.model.id}",
        # Slurm counts whole minutes; submitit's local mode takes a fraction (the tests)
        timeout_min=math.ceil(settings.time_limit_min) if remote else settings.time_limit_min,
        gpus_per_node=per_node,
        cpus_per_task=settings.cpus_per_job,
        nodes=nodes,
        tasks_per_node=1,  # one driver process per node; vLLM spreads over the node's GPUs
    )
    if not remote:  # submitit's LocalExecutor, built directly: it takes these names
        keep = ("timeout_min", "gpus_per_node", "nodes", "tasks_per_node")
        return {k: params[k] for k in keep} | {"signal_delay_s": settings.signal_delay_s}
    if remote:
        params["slurm_signal_delay_s"] = settings.signal_delay_s
        optional = {
            "slurm_partition": settings.partition,
            "slurm_account": settings.account,
            "slurm_qos": settings.qos,
            "slurm_constraint": settings.constraint,
            "slurm_mem": f"{settings.mem_gb}G" if settings.mem_gb else None,
            "slurm_setup": list(settings.setup) or None,
        }
        params.update({k: v for k, v in optional.items() if v is not None})
    return params


class SlurmExecutor:
    def __init__(self, settings: ClusterSettings | None = None, runner: Runner | None = None):
        self.settings = settings or ClusterSettings()
        self.runner = runner

    def _remote(self) -> bool:
        """Jobs go to Slurm: asked for, or (unset) where `sbatch` exists, as submitit decides."""
        import shutil

        if self.settings.slurm_cluster is None:
            return shutil.which("sbatch") is not None
        return self.settings.slurm_cluster == "slurm"

    def device(self, requested: str) -> str:
        if requested != "auto":
            return requested
        # The login node that submits has no GPU to look at; the jobs get what they ask for.
        if self._remote() and self.settings.gpus_per_job != 0:
            return "cuda"
        return pick_device(requested)

    def _executor(self):
        submitit = _import_submitit()
        folder = self.settings.slurm_folder / "%j"
        # timeouts a job may be requeued after (preemptions are not counted by submitit)
        retries = self.settings.max_retries
        if not self._remote():  # AutoExecutor hides the local executor's signal delay
            return submitit.LocalExecutor(folder=folder, max_num_timeout=retries)
        return submitit.AutoExecutor(folder=folder, cluster="slurm", slurm_max_num_timeout=retries)

    def run(self, jobs: list[Job], events: Events) -> Iterator[tuple[str, JobResult]]:
        executor = self._executor()
        remote = self._remote()
        waiting = list(jobs)
        pending: dict[str, tuple[object, Job, set[str]]] = {}
        cap = self.settings.max_concurrent or len(jobs) or 1
        while waiting or pending:
            while waiting and len(pending) < cap:
                job = waiting.pop(0)
                executor.update_parameters(**slurm_parameters(self.settings, job, remote))
                submitted = executor.submit(SlurmJob(job, self.runner))
                pending[submitted.job_id] = (submitted, job, set())
                # where its output goes: the job's own log, on the shared filesystem
                events.submitted(
                    job, f"slurm job {submitted.job_id} (log: {submitted.paths.stdout})"
                )
            for job_id in list(pending):
                submitted, job, seen = pending[job_id]
                done = submitted.done()  # before the sweep: nothing it spooled is missed
                yield from self._sweep(job, seen)
                if done:
                    del pending[job_id]
                    yield from self._ended(submitted, job, seen)
            if pending:
                time.sleep(self.settings.poll_s)

    @staticmethod
    def _sweep(job: Job, seen: set[str]) -> Iterator[tuple[str, JobResult]]:
        """The records and failures `job` has spooled since the last look."""
        folder = spool.spool_dir(job.store_root or ".")
        for key in job.keys:
            if key in seen:
                continue
            result = spool.read(folder, key)
            if result is not None:
                seen.add(key)
                yield key, result

    def _ended(self, submitted, job: Job, seen: set[str]) -> Iterator[tuple[str, JobResult]]:
        """A job is over: its spool files go (the driver stored them), and every task it
        did not finish is a failure saying why (timed out, preempted, failed)."""
        spool.forget(spool.spool_dir(job.store_root or "."), sorted(seen))
        left = [t for t in job.tasks if t.key.digest() not in seen]
        if not left:
            return
        error = self._why(submitted)
        for failure in job.failures(error, left):
            yield failure.key, failure

    def _why(self, submitted) -> str:
        try:
            submitted.result()
        except Exception as exc:  # timeout, node failure, out of memory: this job only
            text = " ".join(str(exc).split())
            lowered = text.lower()
            if "timed-out" in lowered or "timeout" in lowered or "time limit" in lowered:
                return (
                    f"slurm job {submitted.job_id} timed out (limit "
                    f"{self.settings.time_limit_min:g} min, requeued up to "
                    f"{self.settings.max_retries} times) before this task finished: raise "
                    "time_limit_min or split the task; the finished tasks are stored"
                )
            return f"slurm job {submitted.job_id} failed: {text[-300:]}"
        return f"slurm job {submitted.job_id} ended without this task's record"
