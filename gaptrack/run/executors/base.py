"""The executor interface: jobs in, `(key, record or failure)` out as each finishes."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from gaptrack.run.jobs import Job, JobResult
    from gaptrack.run.runner import Runner, TaskJob


@dataclass(frozen=True)
class ExecutorOptions:
    """Settings of every executor; each reads the ones it knows (from the config's
    `cluster:` section, overridden by `gaptrack eval` flags)."""

    runner: Runner | None = None
    """What runs a loaded model (default: lm-eval); must pickle for Ray and Slurm."""
    ray_address: str | None = None
    """Ray: a running cluster's address; None starts a local one (or reuses ray.init's)."""
    max_retries: int = 2
    """Ray: re-runs of a job whose worker died, before it is reported failed."""
    partition: str | None = None
    """Slurm: partition."""
    time_limit_min: int = 240
    """Slurm: time limit of one job in minutes."""
    gpus_per_job: int | None = None
    """GPUs every job asks for; None: each model's own need."""
    cpus_per_job: int = 8
    """Slurm: CPU cores per job."""
    gpu_memory_gb: float = 80.0
    """Memory of one GPU, for the estimate of a model's GPUs."""
    slurm_folder: Path = Path("slurm-logs")
    """Slurm: where submitit keeps job files and logs (shared by the nodes)."""
    slurm_cluster: str | None = None
    """submitit's cluster: None (Slurm where `sbatch` exists), `slurm`, `local` or `debug`."""
    poll_s: float = 2.0
    """Slurm: seconds between looks at the queue."""


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
