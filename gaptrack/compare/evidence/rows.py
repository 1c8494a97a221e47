"""Evidence rows, one typed kind per quantity: a model's score, a published gap between
origins, a non-benchmark figure, a dated event, a model's release. Each kind carries
only the fields that apply to it, so a row cannot say something it does not mean."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Callable
from enum import Enum
from typing import Annotated, Literal

from pydantic import ConfigDict, Field, field_validator, model_validator
from pydantic.json_schema import SkipJsonSchema

from gaptrack.base import Frozen
from gaptrack.compare.evidence.tiers import Tier, tier_of, verified_at_source
from gaptrack.compare.vocabulary import BENCHMARKS, FIGURES
from gaptrack.config.countries import Country
from gaptrack.config.schema import size_class
from gaptrack.errors import FieldProblem
from gaptrack.store.records import Item, ItemKey


class EvidenceKind(str, Enum):
    """Where a number comes from."""

    MEASURED = "measured"
    """A store record: gaptrack's own run, or one imported with `gaptrack import-run`."""
    REPORTED = "reported"
    """A publication (a row of an evidence CSV)."""

    def __str__(self) -> str:  # f-strings print the value, as they did for the old strings
        return self.value


SourceKind = Literal["primary", "secondary", "derived", "measured"]
Status = Literal["verified", "secondary", "unverified"]
STATUS_ORDER: dict[str, int] = {"unverified": 0, "secondary": 1, "verified": 2}
"""Weakest first: a verdict states the weakest status of the rows it rests on."""

_ROW_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:+-]*$")
_SHA256 = re.compile(r"^[0-9a-f]{64}$")


class _Row(Frozen):
    """What every row has: what it is about, where it comes from."""

    model_config = ConfigDict(extra="forbid", frozen=True, protected_namespaces=())

    row_id: str = ""
    """Stable id: the record key (measured); for reported rows the CSV's `id` column
    (human-readable, e.g. `gpt-4.mmlu.openai-tr`), or a digest of the row's identity
    (`r-<12 hex>`) where a user's file leaves it empty."""
    kind: EvidenceKind = EvidenceKind.REPORTED
    """Where the number comes from: gaptrack's own run, or a publication."""
    model: str
    """Model display name; for figures and events the subject (a family or a country)."""
    source: str
    """URL or document the figure was taken from."""
    source_kind: SourceKind = "primary"
    """`primary`: the developer's or report's own text; `secondary`: a copy or summary;
    `derived`: computed from published figures (the note says how); `measured`: gaptrack."""
    published: dt.date | None = None
    """When the source was published."""
    report: str | None = None
    """Periodic report the row comes from (e.g. `AI Index`), if any."""
    edition: str | None = None
    """Edition of that report (e.g. `2025`): one month may carry different figures in
    two editions, and claims pick one."""
    note: str = ""
    """Caveats: settings, derivations, which model a leaderboard row probably is."""
    status: Status = "unverified"
    """`verified` (the figure was found at the source), `secondary` (found only in a
    secondary summary) or `unverified`; measured rows are `verified` (gaptrack's record)."""
    excerpt: str = ""
    """Short verbatim text at the source that contains the figure."""
    locator: str = ""
    """Where in the source: page, table or section, or `repo path@commit` for data files."""
    derived_from: tuple[str, ...] = ()
    """Ids of the rows this one was computed from (empty if not derived): a check never
    compares a figure with rows derived from it."""
    reporter: Literal["developer", "third_party"] | None = None
    """Who published the figure: the model's developer or a third party."""
    measured_by: str = ""
    """Who ran the evaluation (`OpenAI`, `Epoch AI`, `LMArena`, `gaptrack`)."""
    source_digest: str = ""
    """sha256 of the source data file the row was taken from; empty otherwise."""

    @field_validator("row_id")
    @classmethod
    def _id(cls, value: str) -> str:
        if value and not _ROW_ID.match(value):
            raise FieldProblem(
                "id", f"{value!r} is not a row id (letters, digits and . _ : + - only)"
            )
        return value

    @field_validator("source")
    @classmethod
    def _source(cls, value: str) -> str:
        if not value.strip():
            raise FieldProblem("source", "source is empty: every row names its source")
        return value

    @field_validator("source_digest")
    @classmethod
    def _digest(cls, value: str) -> str:
        if value and not _SHA256.match(value):
            raise FieldProblem("source_digest", f"{value!r} is not a sha256 hex digest")
        return value

    @model_validator(mode="after")
    def _report_with_edition(self):
        if (self.report is None) != (self.edition is None):
            raise FieldProblem("edition", "report and edition go together")
        return self

    @property
    def tier(self) -> Tier:
        """Whose number this is (evidence/tiers.py: the rule)."""
        return tier_of(self)

    @property
    def verified_at_source(self) -> bool:
        """`verified` at the primary source, not only in a compilation's copy."""
        return verified_at_source(self)

    @property
    def edition_label(self) -> str | None:
        return f"{self.report} {self.edition}" if self.report else None

    def identity(self) -> tuple[str, ...]:
        """What makes two rows the same measurement (duplicates share it)."""
        snapshot = getattr(self, "snapshot", None)
        return (
            self.quantity,
            self.model,
            getattr(self, "origin", None) or "",
            getattr(self, "origin_b", None) or "",
            getattr(self, "benchmark", ""),
            getattr(self, "metric", ""),
            snapshot.isoformat() if snapshot else "",
            self.report or "",
            self.edition or "",
            self.source,
        )

    def with_id(self):
        """The row with an id: its own, else a digest of its identity."""
        if self.row_id:
            return self
        digest = hashlib.sha256("\x1f".join(self.identity()).encode()).hexdigest()
        return self.model_copy(update={"row_id": f"r-{digest[:12]}"})


class _ModelRow(_Row):
    """A row about one model."""

    model_id: str | None = None
    """gaptrack's model id, where the model is in gaptrack's catalogue."""
    organisation: str | None = None
    """Developer."""
    origin: Country
    """ISO 3166-1 alpha-2 country of the developer."""
    family: str | None = None
    """Model family (Qwen, DeepSeek, ...): release cadence is computed per family."""
    released: dt.date | None = None
    """Public release date of the model."""
    open_weights: bool | None = None
    """Weights downloadable; None where the source does not say which model it was."""
    params_b: float | None = Field(default=None, gt=0)
    """Parameters in billions, where published."""

    @property
    def size_class(self) -> str | None:
        return size_class(self.params_b) if self.params_b else None


class _Valued(Frozen):
    """A number with its published uncertainty."""

    metric: str = ""
    """Metric or setting as the source states it (`acc`, `5-shot`, `0-shot CoT`, `rating`)."""
    value: float
    """The number, in the unit of its benchmark or figure."""
    stderr: float | None = None
    """Standard error, where published or measured."""
    ci_low: float | None = None
    """Lower end of a published 95 % interval, or of a published range."""
    ci_high: float | None = None
    """Upper end of a published 95 % interval, or of a published range."""
    approximate: bool = False
    """The source gives the value as approximate ("about 400", "over 20 %")."""
    snapshot: dt.date | None = None
    """Leaderboard snapshot date; for figures the date they refer to."""

    @model_validator(mode="after")
    def _possible(self):
        if self.stderr is not None and self.stderr < 0:
            raise FieldProblem("stderr", f"{self.stderr:g} is negative: not a standard error")
        if self.ci_low is not None and self.ci_high is not None and self.ci_low > self.ci_high:
            raise FieldProblem("ci_low", f"{self.ci_low:g} is above ci_high {self.ci_high:g}")
        # A value outside the interval published with it is a transcription error (a
        # swapped column, a digit lost): one of the three numbers is wrong.
        if self.ci_low is not None and self.value < self.ci_low:
            raise FieldProblem(
                "value", f"{self.value:g} is below its own interval's ci_low {self.ci_low:g}"
            )
        if self.ci_high is not None and self.value > self.ci_high:
            raise FieldProblem(
                "value", f"{self.value:g} is above its own interval's ci_high {self.ci_high:g}"
            )
        return self


def _known_benchmark(value: str) -> None:
    if value not in BENCHMARKS:
        raise FieldProblem(
            "benchmark",
            f"{value!r} is not a known benchmark (known: {', '.join(sorted(BENCHMARKS))})",
        )


def _known_figure(value: str, event: bool) -> None:
    known = sorted(f.id for f in FIGURES.values() if f.event == event)
    if value not in known:
        what = "event" if event else "figure"
        raise FieldProblem(
            "benchmark", f"{value!r} is not a known {what} (known: {', '.join(known)})"
        )


class ScoreRow(_ModelRow, _Valued):
    """A model's score on a benchmark (accuracy in percent 0-100, rating in Elo)."""

    quantity: Literal["score"] = "score"
    """Row kind."""
    benchmark: str
    """Benchmark id (benchmarks.yaml); measured rows may carry any lm-eval task name."""
    n_samples: int | None = None
    """Items scored (measured rows)."""
    backend: str | None = None
    """Measured rows: the backend the record was run with (`hf`, `vllm`)."""
    generation: str | None = None
    """Measured rows: the record's chat template and sampling settings in words
    (`lm-eval defaults`, or `key=value,...`); two sides of a gap run with different
    backends or settings are flagged wherever the gap is shown."""
    items: list[Item] = Field(default=[], exclude=True, repr=False)
    """Per-item results (store Items) of a measured row, for paired statistics (never
    serialised)."""
    item_source: SkipJsonSchema[Callable[[], list[Item]] | None] = Field(
        default=None, exclude=True, repr=False
    )
    """Reads the items when first needed instead (`Store.items_of` of a store record): only the
    rows a gap pairs ever have theirs read."""

    correct_source: SkipJsonSchema[Callable[[], dict[ItemKey, bool]] | None] = Field(
        default=None, exclude=True, repr=False
    )
    """Reads only whether each item was answered correctly (`Store.correct_of` of a store
    `Store.correct_of`): what pairing needs, without building an Item per row."""

    def row_items(self) -> list[Item]:
        """`items`, or those `item_source` reads."""
        if self.items or self.item_source is None:
            return self.items
        return self.item_source()

    def row_correct(self) -> dict[ItemKey, bool]:
        """Correctness by item identity (subtask, doc id, prompt hash), binary items only."""
        if not self.items and self.correct_source is not None:
            return self.correct_source()
        return {
            (i.subtask, i.doc_id, i.prompt_hash): i.correct
            for i in self.row_items()
            if i.correct is not None
        }

    @model_validator(mode="after")
    def _placed_in_time(self) -> ScoreRow:
        if self.kind == EvidenceKind.REPORTED:
            _known_benchmark(self.benchmark)
            if BENCHMARKS[self.benchmark].scale == "percent" and not 0 <= self.value <= 100:
                raise FieldProblem(
                    "value", f"{self.value:g} is outside 0-100 ({self.benchmark} is in percent)"
                )
        if self.snapshot is None and self.released is None:
            raise FieldProblem(
                "released",
                "a score outside a leaderboard snapshot needs the model's release date",
            )
        return self


class GapRow(_Row, _Valued):
    """A gap between two origins that a source publishes: relative (`gap_rel`, percent of
    side B's score) or absolute (`gap_abs`, points of the benchmark's unit)."""

    quantity: Literal["gap_rel", "gap_abs"]
    """Row kind: relative or absolute gap."""
    origin: Country | None = None
    """Side A's origin."""
    origin_b: Country | None = None
    """Side B's origin."""
    benchmark: str
    """Benchmark id (benchmarks.yaml)."""

    @model_validator(mode="after")
    def _known(self) -> GapRow:
        _known_benchmark(self.benchmark)
        return self


class FigureRow(_Row, _Valued):
    """A non-benchmark number (downloads, investment, counts) about a subject."""

    quantity: Literal["figure"] = "figure"
    """Row kind."""
    origin: Country | None = None
    """Country the figure concerns, where one does."""
    benchmark: str
    """Figure id (benchmarks.yaml, `figures`)."""

    @model_validator(mode="after")
    def _known(self) -> FigureRow:
        _known_figure(self.benchmark, event=False)
        return self


class EventRow(_Row):
    """A dated event about a subject (no value)."""

    quantity: Literal["event"] = "event"
    """Row kind."""
    origin: Country | None = None
    """Country the event concerns, where one does."""
    benchmark: str
    """Event id (benchmarks.yaml, `figures` with `event: true`)."""
    snapshot: dt.date
    """The date the event happened."""

    @model_validator(mode="after")
    def _known(self) -> EventRow:
        _known_figure(self.benchmark, event=True)
        return self


class ReleaseRow(_ModelRow):
    """A model's release date, for release cadence and release events."""

    quantity: Literal["release"] = "release"
    """Row kind."""
    released: dt.date
    """Public release date of the model."""


EvidenceRow = Annotated[
    ScoreRow | GapRow | FigureRow | EventRow | ReleaseRow, Field(discriminator="quantity")
]
"""Any evidence row; `quantity` says which kind."""
