"""Checking a config without running anything: the schema, that every task name is known to
lm-eval, and (check_config) what the run will need: device, data sources, models."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from gaptrack.config import Config, load_config
from gaptrack.errors import ConfigError

if TYPE_CHECKING:
    from gaptrack.run.preflight import Preflight


def validate_config(path: str | Path) -> Config:
    """Raise ConfigError (file, field, message) on the first problem; return the config."""
    config = load_config(path)
    from gaptrack.tasks import unknown_tasks

    names = [t.name for t in config.suite.tasks]
    missing = set(unknown_tasks(names, list(config.suite.task_paths)))
    for i, name in enumerate(names):
        if name in missing:
            raise ConfigError(
                f"unknown task {name!r} (not an lm-eval task nor in suite.task_paths)",
                file=config.source_file,
                field=f"suite.tasks[{i}].name",
            )
    return config


def check_config(
    path: str | Path, device: str = "auto", probe: bool = True
) -> tuple[Config, Preflight]:
    """validate_config, then the preflight of a run on ``device``: where each task's data comes
    from and every problem that would make the run fail (before any model loads)."""
    from gaptrack.run.preflight import preflight

    config = validate_config(path)
    return config, preflight(config, device, probe)
