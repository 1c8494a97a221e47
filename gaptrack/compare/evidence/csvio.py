"""Reported evidence on disk: reading and validating CSV files (one flat layout for
every row kind), writing them back, and importing a user's file into the store."""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
from collections.abc import Callable, Iterable
from pathlib import Path

from pydantic import BaseModel, TypeAdapter, ValidationError

from gaptrack.compare.dates import normalise, period_end, period_start
from gaptrack.compare.evidence.rows import EvidenceKind, EvidenceRow
from gaptrack.config.checks import future_problem
from gaptrack.csv_safe import restore, safe_cell
from gaptrack.errors import ConfigError, OutputError, field_problem, read_text_file
from gaptrack.paths import evidence_file, shipped
from gaptrack.store.atomic import write_text_atomic

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

_ROW = TypeAdapter(EvidenceRow)


def shipped_reported_files() -> list[Path]:
    """Every `evidence/*.csv` of the project, in name order (sub-folders such as
    `evidence/epoch/` hold source data in their own formats and are not read here), each
    as the file in use: shipped, or the user's newer copy from `gaptrack update`."""
    names = sorted(p.name for p in shipped("evidence").glob("*.csv"))
    return [evidence_file(name) for name in names]


def user_reported_dir(results_dir: str | Path) -> Path:
    return Path(results_dir) / "reported"


class CellProblem(ValueError):
    """A cell that is not of its column's type."""


def _cell_date(text: str) -> dt.date:
    try:
        return period_end(normalise(text))
    except ValueError as exc:
        raise CellProblem(str(exc)) from None


def _cell_past_date(text: str) -> dt.date:
    """A release or publication date: no later than FUTURE_MARGIN_DAYS after today (a
    month or year counts from its first day, so the current one is accepted)."""
    end = _cell_date(text)
    problem = future_problem(period_start(normalise(text)), repr(text))
    if problem is not None:
        raise CellProblem(problem)
    return end


def _cell_bool(text: str) -> bool:
    lowered = text.lower()
    if lowered in ("true", "yes", "1"):
        return True
    if lowered in ("false", "no", "0"):
        return False
    raise CellProblem(f"{text!r} is not true or false")


def _cell_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise CellProblem(f"{text!r} is not a number") from None
    if not math.isfinite(value):
        raise CellProblem(f"{text!r} is not a finite number")
    return value


def _cell_ids(text: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in text.split(";") if part.strip())


_PARSERS: dict[str, Callable[[str], object]] = {
    "released": _cell_past_date,
    "snapshot": _cell_date,  # may be a date a figure projects to
    "published": _cell_past_date,
    "open_weights": _cell_bool,
    "approximate": _cell_bool,
    "params_b": _cell_float,
    "value": _cell_float,
    "stderr": _cell_float,
    "ci_low": _cell_float,
    "ci_high": _cell_float,
    "derived_from": _cell_ids,
}


def _article(word: str) -> str:
    return "an" if word[:1] in "aeiou" else "a"


def _row_error(exc: ValidationError, quantity: str) -> tuple[str, str]:
    """(column, message) of the first problem of a row that failed validation."""
    first = exc.errors()[0]
    loc = [str(part) for part in first["loc"] if str(part) != quantity]
    column = loc[0] if loc else "quantity"
    column = "id" if column == "row_id" else column
    problem = field_problem(first)
    if problem is not None:
        return problem.field, problem.message
    if first["type"] == "missing":
        need = f"{_article(quantity)} {quantity} row needs {_article(column)} {column}"
        return column, f"{column} is empty: {need}"
    if first["type"] == "extra_forbidden":
        return column, f"does not apply to {_article(quantity)} {quantity} row"
    if first["type"] == "literal_error":
        return column, f"{first['input']!r} is not one of {first['ctx']['expected']}"
    if first["type"] == "union_tag_invalid":
        return (
            "quantity",
            f"{quantity!r} is not one of score, gap_rel, gap_abs, figure, event, release",
        )
    if isinstance((first.get("ctx") or {}).get("error"), ValueError):
        return column, str(first["ctx"]["error"])
    return column, first["msg"]


def parse_row(raw: dict[str, str], where: Path, row_no: int) -> EvidenceRow:
    """One CSV row as a typed row; empty cells are absent."""
    fields: dict[str, object] = {"kind": EvidenceKind.REPORTED}
    for column in CSV_COLUMNS:
        # restore: the quote csv_safe puts before a formula-like cell of imported.csv
        text = restore((raw.get(column) or "").strip())
        if not text:
            continue
        parser = _PARSERS.get(column)
        try:
            fields["row_id" if column == "id" else column] = parser(text) if parser else text
        except CellProblem as exc:
            raise ConfigError(
                str(exc), file=where, field=f"row {row_no}, column {column}"
            ) from None
    try:
        row = _ROW.validate_python(fields)
    except ValidationError as exc:
        column, message = _row_error(exc, str(fields.get("quantity", "")))
        raise ConfigError(message, file=where, field=f"row {row_no}, column {column}") from None
    return row.with_id()


Numbered = list[tuple[Path, int, EvidenceRow]]
"""Rows with the file and row number they came from, for messages about links."""


def _read_numbered(path: str | Path) -> Numbered:
    path = Path(path)
    text = read_text_file(path, "evidence file")
    if "\x00" in text:
        raise ConfigError("evidence file holds a NUL byte (not a CSV text file)", file=path)
    reader = csv.DictReader(io.StringIO(text))
    try:
        return _numbered_rows(reader, path)
    except csv.Error as exc:  # a cell over the field size limit, a stray quote
        raise ConfigError(
            f"not a readable CSV: {exc}", file=path, field=f"line {reader.line_num}"
        ) from None


def _numbered_rows(reader: csv.DictReader, path: Path) -> Numbered:
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
        row = parse_row(raw, path, row_no)
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


def _cell_text(value: object) -> object:
    if isinstance(value, (tuple, list)):
        return ";".join(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.date):
        return value.isoformat()
    return "" if value is None else value


def rows_to_csv(rows: Iterable[EvidenceRow]) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=CSV_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        data = row.model_dump(include=set(CSV_COLUMNS) | {"row_id"})
        data["id"] = data.pop("row_id")
        # text a spreadsheet would run gets a quote (csv_safe); parse_row takes it off
        out = {column: safe_cell(_cell_text(data.get(column))) for column in CSV_COLUMNS}
        if not getattr(row, "approximate", False):
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
    try:
        write_text_atomic(target, rows_to_csv(merged))
    except OSError as exc:  # read-only, a file in the way, no space: one line, old file kept
        raise OutputError(f"cannot write: {exc.strerror or exc}", file=target) from None
    return ImportResult(
        path=target,
        read=len(new_rows),
        added=added,
        replaced=replaced,
        unchanged=unchanged,
        total=len(merged),
    )
