"""Checking a config without running anything: the schema, and that every task name is known
to lm-eval. What a run will need (device, data sources, models) is run.preflight's: the
config layer knows nothing of runs."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from gaptrack.config import Config, load_config
from gaptrack.errors import ConfigError

if TYPE_CHECKING:
    from gaptrack.tasks import UnknownTaskError


def validate_config(path: str | Path) -> Config:
    """Raise ConfigError (file, field, message) on the first problem; return the config."""
    config = load_config(path)
    from gaptrack.tasks import UnknownTaskError, known_tasks

    known = known_tasks(list(config.suite.task_paths))
    for task in config.suite.tasks:
        if task.name not in known:
            raise task_error(config, UnknownTaskError(task.name, known))
    return config


def task_error(config: Config, exc: UnknownTaskError) -> ConfigError:
    """An unknown task as a one-line error naming the config file and the suite's entry."""
    names = [t.name for t in config.suite.tasks]
    index = names.index(exc.name) if exc.name in names else None
    return ConfigError(
        exc.message,
        file=config.source_file,
        field=f"suite.tasks[{index}]" if index is not None else "suite.tasks",
    )
