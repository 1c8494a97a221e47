"""Evidence of two kinds as one typed row: measured (gaptrack's own store records) and
reported (published scores, ratings and figures in CSV files, each row with its source)."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import re
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator
from pydantic.json_schema import SkipJsonSchema

from gaptrack.base import Frozen
from gaptrack.compare.benchmarks import BENCHMARKS, FIGURES, benchmark_for_task
from gaptrack.compare.dates import normalise, period_end
from gaptrack.config.countries import ISO_3166_ALPHA2
from gaptrack.config.schema import size_class
from gaptrack.errors import ConfigError
from gaptrack.paths import project_root
from gaptrack.store.atomic import write_text_atomic
from gaptrack.store.records import Item, ResultRecord
from gaptrack.store.store import Store

Quantity = Literal["score", "gap_rel", "gap_abs", "figure", "event", "release"]
Status = Literal["verified", "secondary", "unverified"]
STATUS_ORDER: dict[str, int] = {"unverified": 0, "secondary": 1, "verified": 2}
"""Weakest first: a verdict states the weakest status of the rows it rests on."""

_ROW_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:+-]*$")
_SHA256 = re.compile(r"^[0-9a-f]{64}$")

CSV_COLUMNS = [
    "id",
    "quantity",
    "model",
    "model_id",
    "organisation",
    "origin",
    "origin_b",
    "family",
    "released",
    "open_weights",
    "params_b",
    "benchmark",
    "metric",
    "value",
    "stderr",
    "ci_low",
    "ci_high",
    "approximate",
    "snapshot",
    "report",
    "edition",
    "published",
    "source",
    "source_kind",
    "note",
    "status",
    "excerpt",
    "locator",
    "derived_from",
    "reporter",
    "measured_by",
    "source_digest",
]
"""Columns of a reported-evidence CSV, in the order gaptrack writes them."""


class EvidenceRow(Frozen):
    """One piece of evidence: a model's score, a published gap, a figure or a date."""

    model_config = ConfigDict(extra="forbid", frozen=True, protected_namespaces=())

    row_id: str = ""
    """Stable id: the record key (measured); for reported rows the CSV's `id` column
    (human-readable, e.g. `gpt-4.mmlu.openai-tr`), or a digest of the row's identity
    (`r-<12 hex>`) where a user's file leaves it empty."""
    kind: Literal["measured", "reported"]
    """Where the number comes from: gaptrack's own run, or a publication."""
    quantity: Quantity = "score"
    """`score` (a model's score), `gap_rel`/`gap_abs` (a published gap between origins, in
    percent or in points), `figure` (a non-benchmark number), `event` (a dated event, no
    value), `release` (a model's release date only)."""
    model: str
    """Model display name; for figures and events the subject (a family or a country)."""
    model_id: str | None = None
    """gaptrack's model id, where the model is in gaptrack's catalogue."""
    organisation: str | None = None
    """Developer."""
    origin: str | None = None
    """ISO 3166-1 alpha-2 country of the developer (side A for a published gap)."""
    origin_b: str | None = None
    """Side B's origin, for a published gap."""
    family: str | None = None
    """Model family (Qwen, DeepSeek, ...): release cadence is computed per family."""
    released: dt.date | None = None
    """Public release date of the model."""
    open_weights: bool | None = None
    """Weights downloadable; None where the source does not say which model it was."""
    params_b: float | None = None
    """Parameters in billions, where published."""
    benchmark: str = ""
    """Benchmark id (benchmarks.BENCHMARKS) or figure/event id (benchmarks.FIGURES)."""
    metric: str = ""
    """Metric or setting as the source states it (`acc`, `5-shot`, `0-shot CoT`, `rating`)."""
    value: float | None = None
    """Score in the benchmark's unit (accuracy in percent 0-100, rating in Elo)."""
    stderr: float | None = None
    """Standard error, where published or measured."""
    ci_low: float | None = None
    """Lower end of a published 95 % interval, or of a published range."""
    ci_high: float | None = None
    """Upper end of a published 95 % interval, or of a published range."""
    approximate: bool = False
    """The source gives the value as approximate ("about 400", "over 20 %")."""
    n_samples: int | None = None
    """Items scored (measured rows)."""
    snapshot: dt.date | None = None
    """Leaderboard snapshot date; for figures and events the date they refer to."""
    report: str | None = None
    """Periodic report the row comes from (e.g. `AI Index`), if any."""
    edition: str | None = None
    """Edition of that report (e.g. `2025`): one month may carry different figures in
    two editions, and claims pick one."""
    published: dt.date | None = None
    """When the source was published."""
    source: str
    """URL or document the figure was taken from."""
    source_kind: Literal["primary", "secondary", "derived", "measured"] = "primary"
    """`primary`: the developer's or report's own text; `secondary`: a copy or summary;
    `derived`: computed from published figures (the note says how); `measured`: gaptrack."""
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
    items: list[Item] = Field(default=[], exclude=True, repr=False)
    """Per-item results of a measured row, for paired statistics (never serialised)."""
    item_source: SkipJsonSchema[Callable[[], list[Item]] | None] = Field(
        default=None, exclude=True, repr=False
    )
    """Reads the items when first needed instead (a store record's `all_items`): only the
    rows a gap pairs ever have theirs read."""

    def row_items(self) -> list[Item]:
        """`items`, or those `item_source` reads."""
        if self.items or self.item_source is None:
            return self.items
        return self.item_source()

    @field_validator("origin", "origin_b")
    @classmethod
    def _iso(cls, value: str | None) -> str | None:
        if value is not None and value not in ISO_3166_ALPHA2:
            raise ValueError(f"{value!r} is not an ISO 3166-1 alpha-2 country code")
        return value

    @field_validator("row_id")
    @classmethod
    def _id(cls, value: str) -> str:
        if value and not _ROW_ID.match(value):
            raise ValueError(f"id: {value!r} is not a row id (letters, digits and . _ : + - only)")
        return value

    @field_validator("source")
    @classmethod
    def _source(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("source: every row names its source")
        return value

    @field_validator("source_digest")
    @classmethod
    def _digest(cls, value: str) -> str:
        if value and not _SHA256.match(value):
            raise ValueError(f"source_digest: {value!r} is not a sha256 hex digest")
        return value

    @model_validator(mode="after")
    def _coherent(self) -> EvidenceRow:
        # measured rows may carry any lm-eval task; reported ones must use the vocabulary
        scored = self.quantity in ("score", "gap_rel", "gap_abs")
        if scored and self.kind == "reported" and self.benchmark not in BENCHMARKS:
            raise ValueError(
                f"benchmark: {self.benchmark!r} is not a known benchmark "
                f"(known: {', '.join(sorted(BENCHMARKS))})"
            )
        if self.quantity in ("figure", "event") and self.benchmark not in FIGURES:
            raise ValueError(
                f"benchmark: {self.benchmark!r} is not a known figure "
                f"(known: {', '.join(sorted(FIGURES))})"
            )
        if self.quantity in ("score", "gap_rel", "gap_abs", "figure") and self.value is None:
            raise ValueError(f"value: a {self.quantity} row needs a value")
        if self.quantity in ("score", "release") and not self.origin:
            raise ValueError(f"origin: a {self.quantity} row needs an origin")
        if self.quantity == "release" and self.released is None:
            raise ValueError("released: a release row needs a release date")
        if self.quantity == "event" and self.snapshot is None:
            raise ValueError("snapshot: an event row needs the event's date")
        if self.quantity == "score" and self.snapshot is None and self.released is None:
            raise ValueError(
                "released: a score outside a leaderboard snapshot needs the model's release date"
            )
        if (self.report is None) != (self.edition is None):
            raise ValueError("edition: report and edition go together")
        return self

    @property
    def size_class(self) -> str | None:
        return size_class(self.params_b) if self.params_b else None

    @property
    def edition_label(self) -> str | None:
        return f"{self.report} {self.edition}" if self.report else None

    def identity(self) -> tuple:
        """What makes two rows the same measurement (duplicates share it)."""
        return (
            self.quantity,
            self.model,
            self.origin or "",
            self.origin_b or "",
            self.benchmark,
            self.metric,
            self.snapshot.isoformat() if self.snapshot else "",
            self.report or "",
            self.edition or "",
            self.source,
        )


def _row_id(row: EvidenceRow) -> str:
    digest = hashlib.sha256("\x1f".join(row.identity()).encode()).hexdigest()
    return f"r-{digest[:12]}"


# ---------------------------------------------------------------- reported (CSV)


def shipped_reported_files() -> list[Path]:
    """Every `evidence/*.csv` of the project, in name order (sub-folders such as
    `evidence/epoch/` hold source data in their own formats and are not read here)."""
    return sorted((project_root() / "evidence").glob("*.csv"))


def user_reported_dir(results_dir: str | Path) -> Path:
    return Path(results_dir) / "reported"


def _cell_date(text: str) -> dt.date | None:
    return period_end(normalise(text)) if text else None


def _cell_bool(text: str) -> bool | None:
    lowered = text.strip().lower()
    if not lowered:
        return None
    if lowered in ("true", "yes", "1"):
        return True
    if lowered in ("false", "no", "0"):
        return False
    raise ValueError(f"{text!r} is not true or false")


def _cell_float(text: str) -> float | None:
    if not text.strip():
        return None
    try:
        value = float(text)
    except ValueError:
        raise ValueError(f"{text!r} is not a number") from None
    if value != value or value in (float("inf"), float("-inf")):
        raise ValueError(f"{text!r} is not a finite number")
    return value


def _cell_ids(text: str) -> tuple[str, ...] | None:
    ids = tuple(part.strip() for part in text.split(";") if part.strip())
    return ids or None


_PARSERS = {
    "released": _cell_date,
    "snapshot": _cell_date,
    "published": _cell_date,
    "open_weights": _cell_bool,
    "approximate": lambda t: bool(_cell_bool(t)),
    "params_b": _cell_float,
    "value": _cell_float,
    "stderr": _cell_float,
    "ci_low": _cell_float,
    "ci_high": _cell_float,
    "derived_from": _cell_ids,
}


def _parse_row(raw: dict[str, str], where: Path, row_no: int) -> EvidenceRow:
    fields: dict[str, object] = {"kind": "reported"}
    for column in CSV_COLUMNS:
        text = (raw.get(column) or "").strip()
        parser = _PARSERS.get(column)
        try:
            value = parser(text) if parser else (text or None)
        except ValueError as exc:  # each parser words its own message
            raise ConfigError(
                str(exc), file=where, field=f"row {row_no}, column {column}"
            ) from None
        if value is not None:
            fields["row_id" if column == "id" else column] = value
    try:
        row = EvidenceRow.model_validate(fields)
    except ValidationError as exc:
        first = exc.errors()[0]
        message = re.sub(r"^Value error, ", "", first["msg"])
        column = str(first["loc"][0]) if first["loc"] else ""
        column = "id" if column == "row_id" else column
        if first["type"] == "missing":
            message = f"{column} is empty: every row needs one"
        if first["type"] == "literal_error":
            message = f"{first['input']!r} is not one of {first['ctx']['expected']}"
        if not column and ": " in message and message.split(": ", 1)[0] in CSV_COLUMNS:
            column, message = message.split(": ", 1)
        raise ConfigError(
            message, file=where, field=f"row {row_no}, column {column or '?'}"
        ) from None
    return row if row.row_id else row.model_copy(update={"row_id": _row_id(row)})


Numbered = list[tuple[Path, int, EvidenceRow]]
"""Rows with the file and row number they came from, for messages about links."""


def _read_numbered(path: str | Path) -> Numbered:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"cannot read evidence file: {exc.strerror}", file=path) from None
    except UnicodeDecodeError as exc:
        raise ConfigError(f"not UTF-8 text (byte {exc.start})", file=path) from None
    reader = csv.DictReader(io.StringIO(text))
    header = reader.fieldnames or []
    unknown = [c for c in header if c not in CSV_COLUMNS]
    if unknown:
        raise ConfigError(
            f"unknown column {unknown[0]!r} (known: {', '.join(CSV_COLUMNS)})",
            file=path,
            field="header",
        )
    for required in ("quantity", "model", "source"):
        if required not in header:
            raise ConfigError(f"missing column {required!r}", file=path, field="header")
    rows: Numbered = []
    seen: dict[str, int] = {}
    for row_no, raw in enumerate(reader, start=1):
        if None in raw:
            raise ConfigError("more cells than header columns", file=path, field=f"row {row_no}")
        if not any((v or "").strip() for v in raw.values()):
            continue
        row = _parse_row(raw, path, row_no)
        if row.row_id in seen:
            raise ConfigError(
                f"id {row.row_id!r} repeats row {seen[row.row_id]}",
                file=path,
                field=f"row {row_no}, column id",
            )
        seen[row.row_id] = row_no
        rows.append((path, row_no, row))
    return rows


def _check_links(rows: Numbered, known: set[str]) -> None:
    """Every `derived_from` id names a loaded row, and no row derives from itself."""
    for path, row_no, row in rows:
        for ref in row.derived_from:
            if ref not in known or ref == row.row_id:
                what = "itself" if ref == row.row_id else "no loaded row"
                raise ConfigError(
                    f"{ref!r} names {what}", file=path, field=f"row {row_no}, column derived_from"
                )


def read_reported(path: str | Path) -> list[EvidenceRow]:
    """Validate one reported-evidence CSV; rows are numbered from 1 after the header."""
    return [row for _, _, row in _read_numbered(path)]


def merge_rows(*groups: Iterable[EvidenceRow]) -> list[EvidenceRow]:
    """Deduplicate by id; a later group's row replaces an earlier one (rows without an
    explicit id carry a digest of their identity, so identical rows merge)."""
    merged: dict[str, EvidenceRow] = {}
    for group in groups:
        for row in group:
            merged[row.row_id] = row
    return list(merged.values())


def _shipped_numbered() -> Numbered:
    """All shipped files; an id may appear in only one of them."""
    out: Numbered = []
    where: dict[str, Path] = {}
    for path in shipped_reported_files():
        for entry in _read_numbered(path):
            row_id = entry[2].row_id
            if row_id in where:
                raise ConfigError(
                    f"id {row_id!r} is also used in {where[row_id]}",
                    file=path,
                    field=f"row {entry[1]}, column id",
                )
            where[row_id] = path
            out.append(entry)
    return out


def load_reported(
    results_dir: str | Path | None, extra: Iterable[str | Path] = ()
) -> list[EvidenceRow]:
    """The shipped evidence (`evidence/*.csv`), then the user's imports under
    `<results>/reported/*.csv`, then extra files: a later row replaces an earlier one with
    the same id. Every `derived_from` must name a loaded row."""
    groups = [_shipped_numbered()]
    if results_dir is not None:
        user_dir = user_reported_dir(results_dir)
        if user_dir.is_dir():
            groups += [_read_numbered(p) for p in sorted(user_dir.glob("*.csv"))]
    groups += [_read_numbered(p) for p in extra]
    merged = merge_rows(*([row for _, _, row in group] for group in groups))
    known = {row.row_id for row in merged}
    for group in groups:
        _check_links(group, known)
    return merged


def rows_to_csv(rows: Iterable[EvidenceRow]) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=CSV_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        data = row.model_dump(include=set(CSV_COLUMNS) | {"row_id"})
        data["id"] = data.pop("row_id")
        out = {}
        for column in CSV_COLUMNS:
            value = data.get(column)
            if isinstance(value, (tuple, list)):
                value = ";".join(value)
            elif isinstance(value, bool):
                value = "true" if value else "false"
            elif isinstance(value, dt.date):
                value = value.isoformat()
            out[column] = "" if value is None else value
        if not row.approximate:
            out["approximate"] = ""
        writer.writerow(out)
    return buffer.getvalue()


class ImportResult(BaseModel):
    """What `import-reported` did."""

    path: Path
    """The user evidence file written."""
    read: int
    """Rows read from the imported file."""
    added: int
    """Rows new to the user file."""
    replaced: int
    """Rows that replaced an earlier import with the same identity."""
    unchanged: int
    """Rows already present with the same content."""
    total: int
    """Rows in the user file now."""


def import_reported(path: str | Path, results_dir: str | Path) -> ImportResult:
    """Validate every row of `path` first (an error writes nothing), then merge it into
    `<results>/reported/imported.csv`, written atomically."""
    numbered = _read_numbered(path)
    new_rows = [row for _, _, row in numbered]
    target = user_reported_dir(results_dir) / "imported.csv"
    old_rows = read_reported(target) if target.is_file() else []
    known = {r.row_id for r in load_reported(results_dir)} | {r.row_id for r in new_rows}
    _check_links(numbered, known)
    old = {row.row_id: row for row in old_rows}
    added = replaced = unchanged = 0
    for row in new_rows:
        previous = old.get(row.row_id)
        if previous is None:
            added += 1
        elif previous == row:
            unchanged += 1
        else:
            replaced += 1
    merged = merge_rows(old_rows, new_rows)
    write_text_atomic(target, rows_to_csv(merged))
    return ImportResult(
        path=target,
        read=len(new_rows),
        added=added,
        replaced=replaced,
        unchanged=unchanged,
        total=len(merged),
    )


# ---------------------------------------------------------------- measured (store)


def measured_row(record: ResultRecord) -> EvidenceRow:
    """A store record's primary metric as evidence; accuracies become percent."""
    bench_id = benchmark_for_task(record.task.name)
    metric = record.metric()
    scale = 100.0 if bench_id not in BENCHMARKS or BENCHMARKS[bench_id].unit == "percent" else 1.0
    return EvidenceRow(
        row_id=record.key,
        kind="measured",
        model=record.model.name,
        model_id=record.model.id,
        organisation=record.model.organisation,
        origin=record.model.origin,
        released=record.model.released,
        open_weights=record.model.open_weights,
        params_b=record.model.params_b,
        benchmark=bench_id,
        metric=record.task.primary_metric,
        value=metric.value * scale,
        stderr=None if metric.stderr is None else metric.stderr * scale,
        n_samples=record.task.n_samples,
        source=f"store record {record.key} (task {record.task.name}, "
        f"{record.task.num_fewshot if record.task.num_fewshot is not None else 'default'}"
        f"-shot, limit {record.task.limit})",
        source_kind="measured",
        status="verified",
        measured_by="gaptrack",
        published=record.provenance.finished_at.date(),
        note=(f"quantized: {record.model.quantization}" if record.model.quantization else ""),
        item_source=record.all_items,
    )


def load_measured(results_dir: str | Path) -> list[EvidenceRow]:
    """One row per (model, benchmark): of several records, the one with most items (then
    the lowest key, so the choice never depends on file order)."""
    best: dict[tuple[str, str], tuple[tuple, ResultRecord]] = {}
    for record in Store(results_dir).records():
        rank = (-record.task.n_samples, record.key)
        key = (record.model.id, benchmark_for_task(record.task.name))
        if key not in best or rank < best[key][0]:
            best[key] = (rank, record)
    rows = [measured_row(record) for _, record in best.values()]
    return sorted(rows, key=lambda row: row.row_id)


# ---------------------------------------------------------------- edition selection


class EditionChoice(Frozen):
    """Which report editions a piece of reported evidence may use."""

    editions: dict[str, str]
    """Report -> edition chosen."""
    how: str
    """Why: named by the claim, or the latest published by the claim's date."""


def choose_editions(
    rows: Iterable[EvidenceRow], named: tuple[str, str] | None, as_of: dt.date
) -> EditionChoice:
    """A named (report, edition) wins; otherwise, per report, the latest edition published
    on or before `as_of` (what was known when the claim was made), else the earliest."""
    published: dict[str, dict[str, dt.date]] = {}
    for row in rows:
        if row.report and row.edition:
            when = row.published or dt.date.max
            per = published.setdefault(row.report, {})
            per[row.edition] = min(per.get(row.edition, dt.date.max), when)
    if named is not None:
        report, edition = named
        return EditionChoice(
            editions={report: edition}, how=f"{report} {edition} (named by the claim)"
        )
    chosen = {}
    for report, editions in sorted(published.items()):
        known = [(when, ed) for ed, when in editions.items() if when <= as_of]
        pick = max(known)[1] if known else min((w, e) for e, w in editions.items())[1]
        chosen[report] = pick
    labels = ", ".join(f"{r} {e}" for r, e in sorted(chosen.items())) or "none"
    return EditionChoice(editions=chosen, how=f"{labels} (latest published by {as_of.isoformat()})")


def apply_editions(
    rows: Iterable[EvidenceRow], choice: EditionChoice, exclusive: bool
) -> list[EvidenceRow]:
    """Rows of the chosen editions, plus rows from no report unless `exclusive` (a claim
    that names an edition relies on that edition alone)."""
    out = []
    for row in rows:
        if row.report is None:
            if not exclusive:
                out.append(row)
        elif choice.editions.get(row.report) == row.edition:
            out.append(row)
    return out
