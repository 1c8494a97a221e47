"""The headline figures an update can move, computed the way the report computes them:
months China trails the US on the capability index (latest month and average, 95 %
bootstrap intervals), the index's frontier gap, the frontier gap per benchmark (latest
month end, reported evidence, all models) and every claim's verdict."""

from __future__ import annotations

import math
from pathlib import Path

from gaptrack.base import Frozen
from gaptrack.errors import GaptrackError

SIDES = "CN behind US"
MONTHS_BEHIND = "months CN behind US, latest month (index)"


class Figure(Frozen):
    name: str
    at: str = ""
    """Date or month the figure refers to."""
    value: float | None = None
    lo: float | None = None
    hi: float | None = None
    unit: str = ""

    def text(self) -> str:
        if self.value is None:
            return "none"
        iv = (
            f" [{self.lo:.1f}, {self.hi:.1f}]"
            if self.lo is not None and self.hi is not None
            else ""
        )
        at = f" ({self.at})" if self.at else ""
        return f"{self.value:.1f}{iv}{at}"


class Headline(Frozen):
    figures: list[Figure] = []
    verdicts: dict[str, str] = {}
    problem: str = ""
    """Why the index figures are missing (too little evidence), if they are."""


def _num(value) -> float | None:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def _estimate(name: str, estimate, at: str = "", unit: str = "") -> Figure:
    return Figure(
        name=name,
        at=at,
        value=_num(estimate.value),
        lo=_num(estimate.lo),
        hi=_num(estimate.hi),
        unit=unit,
    )


def index_figures(index) -> list[Figure]:
    """Months behind (latest month, average) and the index's frontier gap, from an
    IndexReport or the StoredIndex the report reads."""
    figures: list[Figure] = []
    months = index.months
    mine = months[(months["sides"] == SIDES)].dropna(subset=["lag_months"])
    if len(mine):
        last = mine.iloc[-1]
        figures.append(
            Figure(
                name=MONTHS_BEHIND,
                at=str(last["month"]),
                value=_num(last["lag_months"]),
                lo=_num(last["lag_lo"]),
                hi=_num(last["lag_hi"]),
                unit="months",
            )
        )
    summary = index.summary.get(SIDES, {})
    if "average" in summary:
        figures.append(
            _estimate("months CN behind US, average (index)", summary["average"], unit="months")
        )
    if "gap_points" in summary:
        figures.append(
            _estimate("frontier gap US - CN (index points)", summary["gap_points"], unit="points")
        )
    return figures


def gap_figures(gaps) -> list[Figure]:
    """The frontier gap per benchmark at its latest month end (reported, all models; the
    third-party series where the benchmark has one, else the first tier it has)."""
    latest = {}
    rank = {"third_party_run": 0, "developer_reported": 1, "compilation": 2}
    for row in gaps:
        if row.pool == "all" and row.evidence == "reported" and row.marker is None:
            held = latest.get(row.benchmark)
            if held is None or rank[row.tier] <= rank[held.tier]:
                latest[row.benchmark] = row  # rows come in date order
    figures = []
    for bench, row in sorted(latest.items()):
        iv = row.interval
        figures.append(
            Figure(
                name=f"frontier gap US - CN: {bench}",
                at=row.at.isoformat(),
                value=_num(row.gap),
                lo=_num(iv.low) if iv else None,
                hi=_num(iv.high) if iv else None,
                unit="points",
            )
        )
    return figures


def headline(results_dir: Path) -> Headline:
    """The figures of the evidence in view now (the caller sets the copies: active.py)."""
    from gaptrack.compare.publication import capability_index, collect

    findings = collect(Path(results_dir))
    figures: list[Figure] = []
    problem = ""
    index = capability_index(Path(results_dir))
    if isinstance(index, GaptrackError):
        problem = index.one_line()
    elif index is not None:
        figures = index_figures(index)
    figures += gap_figures(findings.gaps)
    verdicts = {v.claim.id: str(v.verdict) for v in findings.verdicts}
    return Headline(figures=figures, verdicts=verdicts, problem=problem)


HEADLINE_CSV = "headline.csv"


def headline_csv(figures: list[Figure]) -> str:
    lines = ["figure,at,value,lo,hi,unit"]
    for f in figures:
        cells = [
            f.name,
            f.at,
            *("" if v is None else repr(v) for v in (f.value, f.lo, f.hi)),
            f.unit,
        ]
        lines.append(",".join(f'"{c}"' if "," in c else c for c in cells))
    return "\n".join(lines) + "\n"


def write_report_extras(findings, index, folder: Path) -> Path:
    """Beside a report: headline.csv (its headline figures) and sources.csv (the source
    copies it read)."""
    from gaptrack.publish.files import write_if_changed
    from gaptrack.update.active import write_copy_set

    figures = (
        index_figures(index) if index is not None and not isinstance(index, GaptrackError) else []
    )
    write_copy_set(folder)
    return write_if_changed(
        Path(folder) / HEADLINE_CSV, headline_csv([*figures, *gap_figures(findings.gaps)])
    )
