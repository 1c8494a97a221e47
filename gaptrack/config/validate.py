"""Checking a config without running anything: the schema, that every task name is known to
lm-eval, and (check_config) what the run will need: device, data sources, models."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from gaptrack.config import Config, load_config
from gaptrack.errors import ConfigError

if TYPE_CHECKING:
    from gaptrack.run.preflight import Preflight
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


def check_config(
    path: str | Path, device: str = "auto", probe: bool = True
) -> tuple[Config, Preflight]:
    """validate_config, then the preflight of a run on ``device``: where each task's data comes
    from and every problem that would make the run fail (before any model loads)."""
    from gaptrack.run.preflight import preflight

    config = validate_config(path)
    return config, preflight(config, device, probe)
