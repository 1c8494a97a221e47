"""The local executor: today's loop. Jobs run one after the other in this process."""

from __future__ import annotations

from collections.abc import Iterator

from gaptrack.config.schema import ClusterSettings
from gaptrack.run.device import pick_device
from gaptrack.run.executors.base import Events
from gaptrack.run.jobs import Job, JobResult, run_job
from gaptrack.run.runner import Runner


def check_backends(jobs: list[Job]) -> None:
    """A vLLM model where vllm is not installed stops the run before any model loads."""
    import importlib.util

    for job in jobs:
        if job.model.backend == "vllm" and importlib.util.find_spec("vllm") is None:
            from gaptrack.errors import GaptrackError

            raise GaptrackError(
                f"model {job.model.id}: backend 'vllm' needs the vllm package: "
                "pip install 'gaptrack[vllm]' on a CUDA machine"
            )


class LocalExecutor:
    def __init__(self, settings: ClusterSettings | None = None, runner: Runner | None = None):
        self.settings = settings or ClusterSettings()
        self.runner = runner

    def device(self, requested: str) -> str:
        return pick_device(requested)

    def run(self, jobs: list[Job], events: Events) -> Iterator[tuple[str, JobResult]]:
        check_backends(jobs)
        for job in jobs:
            yield from run_job(
                job,
                self.runner,
                on_loading=lambda message, job=job: events.loading(job, message),
                on_task=lambda task, job=job: events.started(job, task),
            )
