"""Executors: where a plan's jobs run. Each takes jobs and yields `(key, record or
failure)` as they finish, in any order; `gaptrack.run.evaluate` stores each as it arrives.

Picked by name from EXECUTORS. Ray and submitit do the scheduling, queueing and transport:
gaptrack adds no scheduler of its own."""

from __future__ import annotations

from gaptrack.config.schema import ClusterSettings
from gaptrack.run.executors.base import Events, Executor
from gaptrack.run.executors.local import LocalExecutor
from gaptrack.run.executors.ray import RayExecutor
from gaptrack.run.executors.slurm import SlurmExecutor
from gaptrack.run.runner import Runner

EXECUTORS: dict[str, type] = {
    "local": LocalExecutor,
    "ray": RayExecutor,
    "slurm": SlurmExecutor,
}


def make_executor(
    name: str, settings: ClusterSettings | None = None, runner: Runner | None = None
) -> Executor:
    from gaptrack.errors import GaptrackError

    if name not in EXECUTORS:
        raise GaptrackError(f"--executor {name!r}: unknown (known: {', '.join(EXECUTORS)})")
    return EXECUTORS[name](settings or ClusterSettings(), runner)


__all__ = [
    "EXECUTORS",
    "ClusterSettings",
    "Events",
    "Executor",
    "LocalExecutor",
    "RayExecutor",
    "SlurmExecutor",
    "make_executor",
]
