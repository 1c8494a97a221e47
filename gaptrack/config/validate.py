"""Checking a config without running anything: the schema, the model folders and
packages, and that every task name is known to lm-eval."""

from __future__ import annotations

from pathlib import Path

from gaptrack.config import Config, load_config
from gaptrack.errors import ConfigError


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
