"""The executor interface: jobs in, `(key, record or failure)` out as each finishes.

Every executor is built from the one settings type, `ClusterSettings` (the config's
`cluster:` section with the flags over it), and the runner that runs a loaded model."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from gaptrack.run.jobs import Job, JobResult
    from gaptrack.run.runner import TaskJob


class Events:
    """What an executor tells the driver while jobs run (the local one: everything; remote
    ones: submissions). No-ops here."""

    def submitted(self, job: Job, where: str) -> None: ...
    def loading(self, job: Job, message: str) -> None: ...
    def started(self, job: Job, task: TaskJob) -> None: ...


class Executor(Protocol):
    def device(self, requested: str) -> str:
        """Resolve `auto` to the device the jobs will run on (`cuda` or `cpu`)."""
        ...

    def run(self, jobs: list[Job], events: Events) -> Iterator[tuple[str, JobResult]]:
        """Run every job; yield (key, record or failure) for each of their tasks, in the
        order they finish. A failing job yields failures and never stops the others."""
        ...


def missing(package: str, extra: str, exc: ImportError) -> Exception:
    from gaptrack.errors import GaptrackError

    return GaptrackError(
        f"--executor {extra} needs the {package} package: pip install 'gaptrack[{extra}]' ({exc})"
    )
