"""The Slurm executor: each job a Slurm job submitted with submitit, asking for the
partition, time limit and GPUs from the config or flags. submitit's `local` cluster runs
the same jobs as subprocesses (the tests use it).

A Slurm job returns all its task records at once when it ends (submitit has no
streaming); the driver stores them in the one store, so a re-run after a timeout runs only
what is missing."""

from __future__ import annotations

import time
from collections.abc import Iterator

from gaptrack.run.device import pick_device
from gaptrack.run.executors.base import Events, ExecutorOptions, missing
from gaptrack.run.jobs import Job, JobResult, run_job


def _import_submitit():
    try:
        import submitit
    except ImportError as exc:
        raise missing("submitit", "slurm", exc) from None
    return submitit


def _job_body(job: Job, runner) -> list[tuple[str, JobResult]]:
    """What one Slurm job runs: the same `run_job` the local executor calls."""
    return list(run_job(job, runner))


class SlurmExecutor:
    def __init__(self, options: ExecutorOptions | None = None) -> None:
        self.options = options or ExecutorOptions()

    def _remote(self) -> bool:
        """Jobs go to Slurm: asked for, or (unset) where `sbatch` exists, as submitit decides."""
        import shutil

        if self.options.slurm_cluster is None:
            return shutil.which("sbatch") is not None
        return self.options.slurm_cluster == "slurm"

    def device(self, requested: str) -> str:
        if requested != "auto":
            return requested
        # The login node that submits has no GPU to look at; the jobs get what they ask for.
        if self._remote() and self.options.gpus_per_job != 0:
            return "cuda"
        return pick_device(requested)

    def _executor(self):
        submitit = _import_submitit()
        folder = self.options.slurm_folder / "%j"
        return submitit.AutoExecutor(folder=folder, cluster=self.options.slurm_cluster)

    def run(self, jobs: list[Job], events: Events) -> Iterator[tuple[str, JobResult]]:
        executor = self._executor()
        pending = {}
        for job in jobs:
            params = dict(
                name=f"gaptrack-{job.model.id}",
                timeout_min=self.options.time_limit_min,
                gpus_per_node=job.gpus,
                cpus_per_task=self.options.cpus_per_job,
            )
            if self.options.partition:
                params["slurm_partition"] = self.options.partition
            executor.update_parameters(**params)
            submitted = executor.submit(_job_body, job, self.options.runner)
            pending[submitted.job_id] = (submitted, job)
            events.submitted(job, f"slurm job {submitted.job_id}")
        while pending:
            finished = [job_id for job_id, (s, _) in pending.items() if s.done()]
            if not finished:
                time.sleep(self.options.poll_s)
                continue
            for job_id in finished:
                submitted, job = pending.pop(job_id)
                yield from self._results(submitted, job)

    @staticmethod
    def _results(submitted, job: Job) -> Iterator[tuple[str, JobResult]]:
        try:
            results = submitted.result()
        except Exception as exc:  # timeout, node failure, out of memory: this job only
            why = " ".join(str(exc).split())[-300:]
            error = f"slurm job {submitted.job_id} failed: {why}"
            for failure in job.failures(error):
                yield failure.key, failure
            return
        yield from results
