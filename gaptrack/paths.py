"""Where gaptrack keeps things. Every location can be moved by an environment variable,
which is how the tests keep each run inside its own temporary directory."""

from __future__ import annotations

import os
from pathlib import Path


def home() -> Path:
    """gaptrack's own cache: converted models, generated task folders, fingerprints."""
    explicit = os.environ.get("GAPTRACK_HOME")
    if explicit:
        return Path(explicit)
    xdg = os.environ.get("XDG_CACHE_HOME")
    return (Path(xdg) if xdg else Path.home() / ".cache") / "gaptrack"


def models_cache() -> Path:
    return home() / "models"


def tasks_cache() -> Path:
    return home() / "tasks"


def project_root() -> Path:
    """The checkout this package runs from (configs/, seeds/ live there)."""
    return Path(__file__).resolve().parent.parent
