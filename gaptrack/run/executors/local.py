"""The local executor: today's loop. Jobs run one after the other in this process."""

from __future__ import annotations

from collections.abc import Iterator

from gaptrack.run.device import pick_device
from gaptrack.run.executors.base import Events, ExecutorOptions
from gaptrack.run.jobs import Job, JobResult, run_job


class LocalExecutor:
    def __init__(self, options: ExecutorOptions | None = None) -> None:
        self.options = options or ExecutorOptions()

    def device(self, requested: str) -> str:
        return pick_device(requested)

    def run(self, jobs: list[Job], events: Events) -> Iterator[tuple[str, JobResult]]:
        for job in jobs:
            yield from run_job(
                job,
                self.options.runner,
                on_loading=lambda message, job=job: events.loading(job, message),
                on_task=lambda task, job=job: events.started(job, task),
            )
