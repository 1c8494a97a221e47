"""The claims registry (`seeds/claims.yaml`): what each source document asserts, quoted
exactly, and, where it can be tested, a typed statement of what would make it true."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from gaptrack.base import Frozen
from gaptrack.compare.dates import PartialDate, PastPartialDate, period_end, period_start
from gaptrack.compare.evidence.rows import EvidenceKind
from gaptrack.compare.vocabulary import check_benchmark, check_figure
from gaptrack.config.countries import Country
from gaptrack.config.loader import read_yaml
from gaptrack.config.schema import SIZE_CLASSES
from gaptrack.errors import ConfigError, read_text_file
from gaptrack.paths import shipped

Origin = Country
BenchmarkId = Annotated[str, AfterValidator(check_benchmark)]
FigureId = Annotated[str, AfterValidator(check_figure)]
Op = Literal["<", "<=", ">", ">=", "=="]

ClaimKind = Literal[
    "benchmark_gap",
    "competitiveness",
    "lead",
    "trend",
    "cadence",
    "adoption",
    "release",
    "forecast",
    "investment",
    "market",
    "policy",
    "constraint",
    "cost",
    "qualitative",
]


class EditionRef(Frozen):
    """One edition of a periodic report, as the evidence's `report` and `edition` name it."""

    report: str
    """Report name, e.g. `AI Index`."""
    edition: str
    """Edition, e.g. `2025`."""

    def label(self) -> str:
        return f"{self.report} {self.edition}"


class GapQuantity(Frozen):
    """The gap between the best model of origin A and the best model of origin B."""

    benchmarks: list[BenchmarkId] = Field(min_length=1)
    """Benchmark ids; several make a named aggregate (the mean over them, per model)."""
    origin_a: Origin = "US"
    """Origin whose frontier is subtracted from (the leader in the AI Index's formula)."""
    origin_b: Origin = "CN"
    """Origin compared against; the relative gap divides by its score."""
    unit: Literal["points", "relative"]
    """`points`: A - B in the benchmark's unit (accuracy points, Elo points);
    `relative`: (A - B) / B * 100, percent of B's score (the AI Index's formula)."""
    open_weights_a: bool | None = None
    """Restrict side A to open-weight (true) or closed (false) models; None: any."""
    open_weights_b: bool | None = None
    """Restrict side B to open-weight (true) or closed (false) models; None: any."""
    size_class: str | None = None
    """Compare only models of this size class (`<1B`, `~7B`, ...); None: any size."""
    edition: EditionRef | None = None
    """Report edition the reported evidence must come from; None: per report, the latest
    edition published on or before the claim's date."""
    evidence: list[EvidenceKind] = [EvidenceKind.REPORTED, EvidenceKind.MEASURED]
    """Evidence kinds to evaluate, in order of preference (the first decides the verdict)."""

    @field_validator("size_class")
    @classmethod
    def _known_size(cls, value: str | None) -> str | None:
        labels = [label for _, label in SIZE_CLASSES]
        if value is not None and value not in labels:
            raise ValueError(f"{value!r} is not a size class ({', '.join(labels)})")
        return value

    @model_validator(mode="after")
    def _distinct_sides(self) -> GapQuantity:
        same_filter = self.open_weights_a == self.open_weights_b
        if self.origin_a == self.origin_b and same_filter:
            raise ValueError(
                "origin_a and origin_b are the same and no open_weights filter "
                "tells the sides apart"
            )
        return self


class Condition(Frozen):
    """One comparison of the gap at one date with a value."""

    at: PartialDate
    """Date of the gap; a month or year means its last day."""
    op: Op
    """Comparison the claim makes: gap `op` value."""
    value: float
    """Claimed value, in the quantity's unit."""
    tolerance: float = Field(default=0.0, ge=0)
    """For `==`: the largest difference still counted as equal (source rounding)."""


class GapThreshold(Frozen):
    """ "Gap at 2024-01 > 9 % and gap at 2025-02 < 2 %": every condition must hold."""

    kind: Literal["gap_threshold"] = "gap_threshold"
    quantity: GapQuantity
    """The gap compared."""
    conditions: list[Condition] = Field(min_length=1)
    """All must hold for the claim to be supported."""


class GapParity(Frozen):
    """ "A's models are competitive with B's": the gap is within +-`within`."""

    kind: Literal["gap_parity"] = "gap_parity"
    quantity: GapQuantity
    """The gap compared."""
    at: PartialDate
    """Date of the comparison."""
    within: float = Field(gt=0)
    """Largest gap (either sign, quantity's unit) still counted as parity; gaptrack's
    reading of a vague word like "competitive", stated in the claim's interpretation."""


class GapTrend(Frozen):
    """ "The gap is widening / narrowing" between two dates."""

    kind: Literal["gap_trend"] = "gap_trend"
    quantity: GapQuantity
    """The gap followed."""
    start: PartialDate
    """Beginning of the period."""
    end: PartialDate
    """End of the period."""
    direction: Literal["narrowing", "widening"]
    """Claimed change of the gap from start to end."""

    @model_validator(mode="after")
    def _ordered(self) -> GapTrend:
        if period_end(self.start) >= period_end(self.end):
            raise ValueError(f"start {self.start} is not before end {self.end}")
        return self


class Cadence(Frozen):
    """ "Model iteration under three months": intervals between successive releases."""

    kind: Literal["cadence"] = "cadence"
    origin: Origin
    """Origin of the model families."""
    families: list[str] = Field(min_length=1)
    """Model families (the evidence's `family` column) whose releases count."""
    start: PartialDate
    """First release date counted."""
    end: PartialDate
    """Last release date counted."""
    op: Op
    """Comparison of the median interval with `days`."""
    days: float = Field(gt=0)
    """Claimed interval in days."""


class FigureCheck(Frozen):
    """A reported non-benchmark figure (downloads, model counts, investment) vs a value."""

    kind: Literal["figure"] = "figure"
    figure: FigureId
    """Figure id (benchmarks.FIGURES)."""
    subject: str
    """The evidence's `model` column for the figure: a model family or a country code."""
    start: PartialDate
    """Earliest snapshot counted."""
    end: PartialDate
    """Latest snapshot counted."""
    op: Op
    """Comparison: figure `op` value."""
    value: float
    """Claimed value, in the figure's unit."""


class EventDate(Frozen):
    """ "X happened in September 2024": the date of an event or a release."""

    kind: Literal["event"] = "event"
    event: FigureId | Literal["release"]
    """An event id (benchmarks.FIGURES with event=true) or `release` (a model's release)."""
    subject: str
    """The evidence's `model` column: the model or family the event concerns."""
    at: PartialDate
    """Claimed date; a month or year means any day within it."""
    tolerance_days: int = Field(default=0, ge=0)
    """Days either side of the claimed period still counted as agreeing."""


Statement = Annotated[
    GapThreshold | GapParity | GapTrend | Cadence | FigureCheck | EventDate,
    Field(discriminator="kind"),
]
STATEMENT_TAGS = frozenset(
    {"gap_threshold", "gap_parity", "gap_trend", "cadence", "figure", "event"}
)


def statement_dates(statement) -> list[str]:
    """The dates a gap statement writes (conditions' `at`, a parity's `at`, a trend's ends)."""
    if isinstance(statement, GapThreshold):
        return [c.at for c in statement.conditions]
    if isinstance(statement, GapParity):
        return [statement.at]
    if isinstance(statement, GapTrend):
        return [statement.start, statement.end]
    return []


class Document(Frozen):
    """A source document in seeds/."""

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9._-]*$")
    """Short id claims refer to."""
    file: str
    """Path relative to the claims file's folder, and inside it (load_claims refuses one
    that leads out)."""
    title: str
    """Headline as printed."""
    publisher: str
    """Outlet or site."""
    date: PastPartialDate
    """Publication date, to the precision known (not in the future)."""
    date_note: str | None = None
    """How the date was established when the document does not print it."""
    edition: EditionRef | None = None
    """The report edition the document relies on, when it restates a report's figures."""


class Vague(Frozen):
    """A vague word ("competitive", "significant", "close") and the thresholds it is read
    with: each is a specification of the claim's curve; the first is the main reading."""

    word: str
    """The word as the quote has it."""
    thresholds: list[float] = Field(min_length=1)
    """Values the statement's threshold takes (a parity's `within`, or the value of a
    threshold's single condition), in the quantity's unit; the first is the main reading."""
    rationale: str = Field(min_length=10)
    """Why these values, with the source the reading rests on."""


class DateReading(Frozen):
    """Another defensible reading of the statement's dates (the specification curve's date
    rule): e.g. "early 2025" as the board the AI Index's figures match (2025-02-14)
    rather than the month's end."""

    name: str
    """Short name of the reading, e.g. `the AI Index 2025's boards`."""
    dates: dict[str, PartialDate]
    """Date as the statement writes it -> the date read instead."""
    why: str = Field(min_length=10)
    """Why the reading is defensible."""


class Claim(Frozen):
    """One factual claim of one document."""

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9._-]*$")
    """Stable id: the file name of its results and the `--claim` argument."""
    document: str
    """Id of the document (documents[].id) the quote comes from."""
    quote: str = Field(min_length=10)
    """Exact words of the document (whitespace aside)."""
    date: PastPartialDate | None = None
    """Date of the claim (not in the future); None: the document's date (filled in on
    loading)."""
    made_by: str
    """Who asserts it: the speaker quoted, or the outlet when it speaks for itself."""
    kind: ClaimKind
    """What sort of claim it is."""
    statement: Statement | None = None
    """What would make it true, when evidence can test it."""
    source_measure: BenchmarkId | None = None
    """What the claim's own source measured (e.g. `chatbot_arena`) when the statement tests
    it with something else: the verdict then says so."""
    interpretation: str | None = None
    """Choices the quote leaves open and how the statement makes them."""
    cited_rows: list[str] = []
    """Evidence row ids that are the claim's own citation (the figure its source quotes,
    e.g. CB Insights as cited by the article). A verdict resting only on these rows, or on
    rows derived from them, is `not independent`: agreeing with one's own source proves
    nothing. Each id must name a loaded row (checked by `gaptrack check`)."""
    vague: Vague | None = None
    """Where the quote's word has no threshold of its own: the range it is tested over."""
    date_reading: DateReading | None = None
    """Another defensible reading of the statement's dates, tested beside the stated one."""
    reproduces: str | None = None
    """The published analysis whose figure the claim restates (e.g. `AI Index 2025`), where
    it restates a computed figure: gaptrack's data disagreeing with it is then `not
    reproduced` (another model set or setting gives another value), not `contradicted`."""
    untestable_reason: str | None = None
    """Why no statement: required exactly when statement is None."""

    @model_validator(mode="after")
    def _testable_or_reason(self) -> Claim:
        if self.statement is None and not self.untestable_reason:
            raise ValueError("a claim without a statement needs an untestable_reason")
        if self.statement is not None and self.untestable_reason:
            raise ValueError("a claim with a statement cannot have an untestable_reason")
        st = self.statement
        if self.vague is not None and not (
            isinstance(st, GapParity) or (isinstance(st, GapThreshold) and len(st.conditions) == 1)
        ):
            raise ValueError(
                "vague: only a gap_parity or a one-condition gap_threshold has a threshold to vary"
            )
        if self.date_reading is not None:
            stated = set(statement_dates(st)) if st is not None else set()
            for key in self.date_reading.dates:
                if key not in stated:
                    raise ValueError(f"date_reading: {key!r} is not a date of the statement")
        return self

    @property
    def testable(self) -> bool:
        return self.statement is not None


class ClaimsFile(Frozen):
    """The whole registry."""

    documents: list[Document] = Field(min_length=1)
    """Source documents."""
    claims: list[Claim] = Field(min_length=1)
    """Claims, in document order."""

    @model_validator(mode="after")
    def _consistent(self) -> ClaimsFile:
        doc_ids = {d.id for d in self.documents}
        if len(doc_ids) != len(self.documents):
            raise ValueError("documents: duplicate document id")
        seen: set[str] = set()
        for claim in self.claims:
            if claim.id in seen:
                raise ValueError(f"duplicate claim id {claim.id!r}")
            seen.add(claim.id)
        return self

    def document(self, doc_id: str) -> Document:
        return next(d for d in self.documents if d.id == doc_id)

    def claim(self, claim_id: str) -> Claim:
        for claim in self.claims:
            if claim.id == claim_id:
                return claim
        raise KeyError(claim_id)


def default_claims_file() -> Path:
    return shipped("seeds") / "claims.yaml"


def normalise_space(text: str) -> str:
    """Quotes are compared with runs of whitespace collapsed to one space."""
    return " ".join(text.split())


def _field_path(loc: tuple) -> str:
    parts: list[str] = []
    previous = None
    for item in loc:
        if isinstance(item, int):
            parts[-1:] = [f"{parts[-1]}[{item}]"] if parts else [f"[{item}]"]
        elif previous == "statement" and item in STATEMENT_TAGS:
            pass  # pydantic puts the union tag in the path; the user never wrote it
        else:
            parts.append(str(item))
        previous = item
    return ".".join(parts)


def _message(error: dict) -> str:
    return re.sub(r"^(Value error|Assertion failed), ", "", error["msg"])


def load_claims(path: str | Path | None = None) -> ClaimsFile:
    """Read, validate and complete the registry; any problem is one ConfigError naming the
    file and the field, e.g. `claims[3].statement.quantity.origin_b`."""
    path = Path(path) if path is not None else default_claims_file()
    # The config reader: one-line errors for unreadable, non-UTF-8 or invalid YAML, and
    # dates left to pydantic (PyYAML would raise on `2025-02-30` with no field named).
    raw = read_yaml(
        path, "claims file", "a mapping with `documents` and `claims`", "not valid YAML"
    )
    try:
        registry = ClaimsFile.model_validate(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        raise ConfigError(_message(first), file=path, field=_field_path(first["loc"])) from None
    return _complete(registry, path)


def _inside(path: Path, folder: Path) -> bool:
    try:
        return path.resolve().is_relative_to(folder)
    except (OSError, RuntimeError):  # a link loop: Python < 3.13 raises RuntimeError
        return False


def _is_file(path: Path) -> bool:
    """Path.is_file, False (not an OSError) for a name too long for the file system."""
    try:
        return path.is_file()
    except (OSError, ValueError):
        return False


def _complete(registry: ClaimsFile, path: Path) -> ClaimsFile:
    """Fill claim dates from their documents and check every quote against its document."""
    texts: dict[str, str] = {}
    folder = path.parent.resolve()
    for i, doc in enumerate(registry.documents):
        doc_path = path.parent / doc.file
        # A claims file names its documents, and their text is printed in verdicts: a
        # shared claims file must not make gaptrack read any file of the machine, through
        # `..`, an absolute path, or a link that leads out of the folder.
        if "\x00" in doc.file:
            raise ConfigError(
                "a file name cannot hold a NUL byte", file=path, field=f"documents[{i}].file"
            )
        if not _inside(doc_path, folder):
            raise ConfigError(
                f"document {doc.file!r} lies outside the claims file's folder {folder}",
                file=path,
                field=f"documents[{i}].file",
            )
        if not _is_file(doc_path):
            raise ConfigError(
                f"document {doc.file!r} not found", file=path, field=f"documents[{i}].file"
            )
        texts[doc.id] = normalise_space(read_text_file(doc_path, "claim document"))
    claims = []
    for i, claim in enumerate(registry.claims):
        if claim.document not in texts:
            raise ConfigError(
                f"unknown document {claim.document!r}", file=path, field=f"claims[{i}].document"
            )
        if normalise_space(claim.quote) not in texts[claim.document]:
            raise ConfigError(
                f"quote not found in document {claim.document!r}",
                file=path,
                field=f"claims[{i}].quote",
            )
        _check_dates(claim, path, i)
        if claim.date is None:
            claim = claim.model_copy(update={"date": registry.document(claim.document).date})
        claims.append(claim)
    return registry.model_copy(update={"claims": claims})


def _check_dates(claim: Claim, path: Path, index: int) -> None:
    statement = claim.statement
    if isinstance(statement, (Cadence, FigureCheck)) and (
        period_start(statement.start) > period_end(statement.end)
    ):
        raise ConfigError(
            f"start {statement.start} is after end {statement.end}",
            file=path,
            field=f"claims[{index}].statement.start",
        )
