"""What to run: typed configs (models, their origin and source, the benchmark suite)."""

from gaptrack.config.loader import find_config, load_config
from gaptrack.config.schema import (
    Config,
    HubSource,
    LocalSource,
    ModelSpec,
    PackagedPart,
    PackagedSource,
    Suite,
    TaskSpec,
)

__all__ = [
    "Config",
    "HubSource",
    "LocalSource",
    "ModelSpec",
    "PackagedPart",
    "PackagedSource",
    "Suite",
    "TaskSpec",
    "find_config",
    "load_config",
]
