"""lm-eval tasks by name: user task folders, built-in tasks on packaged local data, or the hub."""

from gaptrack.tasks.resolve import (
    Mode,
    ResolvedTask,
    TaskResolution,
    UnknownTaskError,
    known_tasks,
    resolve_tasks,
    task_manager,
    unknown_tasks,
)

__all__ = [
    "Mode",
    "ResolvedTask",
    "TaskResolution",
    "UnknownTaskError",
    "known_tasks",
    "resolve_tasks",
    "task_manager",
    "unknown_tasks",
]
