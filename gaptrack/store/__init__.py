"""Results on disk: one JSON record per (model, task, settings), written atomically."""

from gaptrack.store.records import (
    SCHEMA_VERSION,
    CacheKey,
    FailedAttempt,
    Item,
    Metric,
    ModelInfo,
    Provenance,
    ResultRecord,
    TaskInfo,
)
from gaptrack.store.store import RecordProblem, Store

__all__ = [
    "SCHEMA_VERSION",
    "CacheKey",
    "FailedAttempt",
    "Item",
    "Metric",
    "ModelInfo",
    "Provenance",
    "RecordProblem",
    "ResultRecord",
    "Store",
    "TaskInfo",
]
