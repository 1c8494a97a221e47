"""The model registry (evidence/models.yaml): every model any evidence source names, under
one canonical id, with its aliases per source and one release date per version.

Why: the same model reaches gaptrack under many names (Epoch AI's `claude-3-5-sonnet-20241022`,
a paper's "Claude 3.5 Sonnet (2024-10-22)", Arena's `Claude 3.5 Sonnet (20240620)`), and
sources disagree on dates (LLMStats dates DeepSeek-V2.5 to V2's May 2024). Fitting each
name as its own model, or pooling versions under the earliest date, credits a later model's
scores to an earlier month. The registry decides once:

* a **model** (canonical `id`) holds organisation, origin, open weights, reasoning, size;
* each of its **versions** is one dated release (reasoning efforts, providers' copies and
  a base with its chat model released the same week are aliases of one version); a
  version's date comes with its source, and the developer's own announcement wins over a
  compilation (`date_kind`);
* an alias (any name a source writes, compared without case, spaces or punctuation, as the
  index always compared names) belongs to exactly one version.

`resolve(source, name)` is the one lookup the index and the gap engine use; `conflicts()`
lists every date a source gives that differs from the registry's (`gaptrack models
--conflicts`). Bad input is one ConfigError naming the file and the field (exit 2)."""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Annotated, Literal, get_args

from pydantic import AfterValidator, Field, ValidationError, model_validator

from gaptrack.base import Frozen
from gaptrack.compare.dates import PastPartialDate, period_end, period_start
from gaptrack.config.countries import check_country
from gaptrack.errors import FieldProblem
from gaptrack.paths import shipped

Source = Literal[
    "epoch",
    "epoch_model",
    "reported",
    "llmstats",
    "developer_reports",
    "arena_history",
    "arena_catalog",
    "gaptrack",
    "other",
]
"""Where an alias comes from: Epoch AI's model versions (`epoch`) and model names
(`epoch_model`), each evidence CSV by its stem, gaptrack's catalogue ids (`gaptrack`), and
`other` for names added by hand."""
SOURCES: tuple[str, ...] = get_args(Source)
DateKind = Literal["developer", "compilation", "none"]
_ID = r"^[a-z0-9][a-z0-9._+-]*$"


def name_key(name: str) -> str:
    """Identity of a name across sources: case, spaces and punctuation (but dots) do not
    count (the index's long-standing pool key, so nothing that matched before stops
    matching)."""
    return re.sub(r"[^a-z0-9.]", "", str(name).lower())


def _origin(value: str) -> str:
    # A joint development of two countries (Epoch's multi-country rows) is "US+CN":
    # it belongs to neither side of a US-CN comparison.
    for part in value.split("+"):
        check_country(part)
    return value


Origin = Annotated[str, AfterValidator(_origin)]


class VersionSpec(Frozen):
    """One dated release of a model, as the registry file writes it."""

    id: str = Field(pattern=_ID)
    """Canonical version id (unique over the registry)."""
    name: str
    """Display name."""
    released: PastPartialDate | None = None
    """Public release date (YYYY-MM-DD, YYYY-MM or YYYY); empty where no source gives one."""
    date_source: str = ""
    """Where the date comes from (URL or file and row)."""
    date_kind: DateKind = "none"
    """`developer`: the developer's own announcement (page, repository, paper);
    `compilation`: a third party's table (Epoch AI, LLMStats, gaptrack's catalogue)."""
    date_excerpt: str = ""
    """Short text at the source that gives the date, where it was checked by hand."""
    aliases: dict[Source, list[str]] = {}
    """Names of this version, per source."""

    @model_validator(mode="after")
    def _dated(self):
        if self.released is not None and self.date_kind == "none":
            raise FieldProblem(
                "date_kind", "a release date needs its kind: developer or compilation"
            )
        if self.released is not None and not self.date_source.strip():
            raise FieldProblem("date_source", "a release date needs its source")
        return self


class ModelSpec(Frozen):
    """One model and its versions, as the registry file writes it."""

    id: str = Field(pattern=_ID)
    """Canonical model id (unique over the registry)."""
    name: str
    organisation: str | None = None
    origin: Origin | None = None
    """ISO 3166-1 alpha-2 code of the developer's country (`US+CN` for a joint one)."""
    open_weights: bool | None = None
    reasoning: bool = False
    """Reasons at inference time (a chain of thought before the answer: o1, R1, QwQ...)."""
    params_b: float | None = Field(default=None, gt=0)
    """Parameters in billions (total for mixture-of-experts), where public."""
    family: str | None = None
    """Model family (release cadence is computed per family)."""
    versions: list[VersionSpec] = Field(min_length=1)


class RegistryFile(Frozen):
    models: list[ModelSpec]

    @model_validator(mode="after")
    def _unique(self):
        models = self.models
        model_ids: dict[str, int] = {}
        version_ids: dict[str, str] = {}
        owner: dict[str, str] = {}
        for i, model in enumerate(models):
            if model.id in model_ids:
                raise FieldProblem(f"models[{i}].id", f"model id {model.id!r} is used twice")
            model_ids[model.id] = i
            for j, version in enumerate(model.versions):
                where = f"models[{i}].versions[{j}]"
                if version.id in version_ids:
                    raise FieldProblem(f"{where}.id", f"version id {version.id!r} is used twice")
                version_ids[version.id] = version.id
                for source, names in version.aliases.items():
                    for name in names:
                        key = name_key(name)
                        if not key:
                            raise FieldProblem(f"{where}.aliases.{source}", "an empty alias")
                        if owner.setdefault(key, version.id) != version.id:
                            raise FieldProblem(
                                f"{where}.aliases.{source}",
                                f"alias {name!r} is also an alias of version {owner[key]!r}: "
                                "a name belongs to one model version",
                            )
        return self


class ModelEntry(Frozen):
    """What a name resolves to: one version of one model, with the model's facts."""

    id: str
    """Canonical model id."""
    version: str
    """Canonical version id: the unit the index fits and the gap engine ranks."""
    name: str
    """The version's display name."""
    model_name: str
    organisation: str | None
    origin: str | None
    open_weights: bool | None
    reasoning: bool
    params_b: float | None
    family: str | None
    released: str | None
    """Release date as written (a day, month or year)."""
    date_source: str
    date_kind: DateKind
    date_excerpt: str
    aliases: dict[str, tuple[str, ...]]

    @property
    def released_on(self) -> dt.date | None:
        """The release date as a date: a month or year counts as its last day, so a
        version is never taken as known before its period is over."""
        return period_end(self.released) if self.released else None


class DateConflict(Frozen):
    """A source's date for a version that differs from the registry's."""

    version: str
    """Canonical version id."""
    name: str
    """The version's display name."""
    released: str
    """The registry's date."""
    date_kind: DateKind
    date_source: str
    source: str
    """The disagreeing source (`epoch`, `llmstats`, `reported`, `gaptrack`, ...)."""
    alias: str
    """The name that source uses."""
    source_date: str
    """The date it gives."""
    days: int
    """source date minus registry date, in days (to the nearest end of a partial date)."""
    rows: int
    """How many of the source's rows carry that date."""


class Registry:
    """The loaded registry: lookups by name and by version id."""

    def __init__(self, spec: RegistryFile, path: Path):
        self.path = path
        self.entries: list[ModelEntry] = []
        self._by_key: dict[str, ModelEntry] = {}
        self._by_version: dict[str, ModelEntry] = {}
        for model in spec.models:
            for version in model.versions:
                entry = ModelEntry(
                    id=model.id,
                    version=version.id,
                    name=version.name,
                    model_name=model.name,
                    organisation=model.organisation,
                    origin=model.origin,
                    open_weights=model.open_weights,
                    reasoning=model.reasoning,
                    params_b=model.params_b,
                    family=model.family,
                    released=version.released,
                    date_source=version.date_source,
                    date_kind=version.date_kind,
                    date_excerpt=version.date_excerpt,
                    aliases={s: tuple(n) for s, n in version.aliases.items()},
                )
                self.entries.append(entry)
                self._by_version[version.id] = entry
                for names in version.aliases.values():
                    for name in names:
                        self._by_key[name_key(name)] = entry
        self.models = {m.id: m for m in spec.models}

    def resolve(self, source: str, name: str | None) -> ModelEntry | None:
        """The version a source's name stands for; None where the registry does not know
        it (a user's own model: callers then keep the row's own name and date). Aliases
        are unique over all sources, so `source` only documents where the name came from."""
        if not name:
            return None
        return self._by_key.get(name_key(name))

    def version(self, version_id: str) -> ModelEntry | None:
        return self._by_version.get(version_id)

    def __len__(self) -> int:
        return len(self.entries)


def registry_path() -> Path:
    return shipped("evidence") / "models.yaml"


def read_registry(path: str | Path) -> Registry:
    """Load and validate a registry file; any problem is one ConfigError naming the file
    and the field."""
    from gaptrack.config.loader import read_yaml, validation_error

    path = Path(path)
    data = read_yaml(path, what="model registry")
    try:
        spec = RegistryFile.model_validate(data)
    except ValidationError as exc:
        raise validation_error(exc, path) from None
    return Registry(spec, path)


@functools.cache
def _shipped() -> Registry:
    return read_registry(registry_path())


def load_registry(path: str | Path | None = None) -> Registry:
    """The shipped registry (read once per process), or the file at `path`."""
    return _shipped() if path is None else read_registry(path)


def resolve(source: str, name: str | None) -> ModelEntry | None:
    """`load_registry().resolve`: the one lookup of model names for the index and gaps."""
    return _shipped().resolve(source, name)


def id_alias(row_id: str | None) -> str | None:
    """The source's own model key where a row id carries one: LLMStats' rows are
    `llmstats.<model key>.<benchmark>`, and that key tells apart two versions LLMStats
    names alike ("Claude 3.5 Sonnet" of June and of October 2024)."""
    if row_id and row_id.startswith("llmstats."):
        return row_id.split(".", 1)[1].rsplit(".", 1)[0]
    return None


@functools.lru_cache(maxsize=65536)
def lookup(
    name: str | None, model_id: str | None = None, key: str | None = None
) -> ModelEntry | None:
    """The version a row stands for: by its source's own model key (`id_alias`), then
    gaptrack's catalogue id (measured rows), then its name. Cached: the gap engine asks
    once per row and date."""
    registry = _shipped()
    return (
        registry.resolve("llmstats", key)
        or registry.resolve("gaptrack", model_id)
        or registry.resolve("evidence", name)
    )


def row_entry(row) -> ModelEntry | None:
    """`lookup` for an evidence row (any kind with `model`; `model_id` and `row_id` where
    it has them)."""
    return lookup(row.model, getattr(row, "model_id", None), id_alias(getattr(row, "row_id", None)))


def row_identity(row) -> tuple[str, dt.date | None]:
    """(identity, release date) of an evidence row's model: the registry's version id and
    date where it knows the model, else the row's own id or name and date."""
    entry = row_entry(row)
    released = getattr(row, "released", None)
    if entry is None:
        return (getattr(row, "model_id", None) or row.model, released)
    return (entry.version, entry.released_on or released)


def _differs(registry_date: str, other: str) -> int | None:
    """Days from the registry's date to the other (None where they agree: a partial date
    agrees with a day inside its period)."""
    start, end = period_start(other), period_end(other)
    mine_start, mine_end = period_start(registry_date), period_end(registry_date)
    if start <= mine_end and mine_start <= end:
        return None
    return (end - mine_end).days if end < mine_start else (start - mine_start).days


def source_dates(
    results_dir: str | Path | None = None, extra: Iterable[str | Path] = ()
) -> list[tuple[str, str, str]]:
    """(source, name, date) of every dated model row gaptrack reads: Epoch AI's model
    table, the evidence CSVs (and the user's), gaptrack's catalogues."""
    from gaptrack.compare.evidence.csvio import (
        read_reported,
        shipped_reported_files,
        user_reported_dir,
    )
    from gaptrack.compare.evidence.epochdata import eci_table
    from gaptrack.config.loader import SHIPPED_CATALOGUES, load_catalogue, shipped_configs_dir

    out: list[tuple[str, str, str]] = []
    eci = eci_table()
    for version, day in zip(eci["Model version"], eci["Release date"], strict=True):
        if isinstance(day, str) and day:
            out.append(("epoch", version, day))
    files = [(p.stem, p) for p in shipped_reported_files()]
    if results_dir is not None and user_reported_dir(results_dir).is_dir():
        files += [("user", p) for p in sorted(user_reported_dir(results_dir).glob("*.csv"))]
    files += [("user", Path(p)) for p in extra]
    for source, file in files:
        for row in read_reported(file):
            released = getattr(row, "released", None)
            if row.quantity in ("score", "release") and released is not None:
                out.append((source, id_alias(row.row_id) or row.model, released.isoformat()))
    for file in SHIPPED_CATALOGUES.values():
        for spec in load_catalogue(shipped_configs_dir() / file).values():
            out.append(("gaptrack", spec.id, spec.released.isoformat()))
    return out


def conflicts(
    registry: Registry | None = None,
    results_dir: str | Path | None = None,
    extra: Iterable[str | Path] = (),
) -> list[DateConflict]:
    """Every (version, source, date) where a source's date differs from the registry's,
    largest difference first."""
    registry = registry or load_registry()
    counts: dict[tuple[str, str, str, str], int] = {}
    for source, name, day in source_dates(results_dir, extra):
        entry = registry.resolve(source, name)
        if entry is None or entry.released is None:
            continue
        if _differs(entry.released, day) is None:
            continue
        k = (entry.version, source, name, day)
        counts[k] = counts.get(k, 0) + 1
    out = []
    for (version, source, name, day), n in counts.items():
        entry = registry.version(version)
        out.append(
            DateConflict(
                version=version,
                name=entry.name,
                released=entry.released,
                date_kind=entry.date_kind,
                date_source=entry.date_source,
                source=source,
                alias=name,
                source_date=day,
                days=_differs(entry.released, day),
                rows=n,
            )
        )
    return sorted(out, key=lambda c: (-abs(c.days), c.version, c.source, c.alias))
