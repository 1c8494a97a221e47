"""The answer first: the few figures a report opens with, as typed data computed once from
the findings and the capability index, so the overview page, overview.json and report.md
show the same numbers (publish/ renders them, never recomputes them).

- months China's best trails the US best on the capability index, latest month and
  average, on third-party runs (the headline basis, index.headline) and on all evidence,
  all models and open weights only, each with its 95 % bootstrap interval and the evidence
  tier it rests on;
- the index's frontier gap (best US minus best CN, index points) at the last month and
  twelve month ends before;
- how many of the articles' claims got each verdict."""

from __future__ import annotations

import math
import typing

from gaptrack.base import Frozen
from gaptrack.compare.verdicts import ClaimVerdict, Label

VERDICT_ORDER: tuple[str, ...] = typing.get_args(Label)
"""Supported, contradicted, not reproduced, not independent, inconclusive, untestable."""
ALL_MODELS = "CN behind US"
OPEN_WEIGHTS = "CN behind US, open weights"
"""The index's side names (compare.index.analysis.SIDES)."""
THIRD_PARTY_TIER = "third-party runs"
ALL_TIER = "all evidence"
TIERS = {
    THIRD_PARTY_TIER: "third-party runs only (Epoch AI's, gaptrack's, other independent "
    "evaluators'), models with >= 4 benchmarks, released from 2023",
    ALL_TIER: "every tier (third-party runs, developers' own reports, compilations), models "
    "with >= 2 benchmarks",
}
"""The evidence tiers the figures rest on, in full."""


class Number(Frozen):
    """One headline figure with its 95 % interval and what it rests on."""

    key: str
    """Stable name: `months_latest`, `months_open_latest`, `gap_today`, ..."""
    label: str
    """What it is, in words."""
    value: float | None
    """None where the evidence gives no figure (then `missing` says why)."""
    lo: float | None = None
    hi: float | None = None
    unit: str
    """`months` or `index points`."""
    at: str = ""
    """The month (YYYY-MM) the figure refers to; empty for an average."""
    tier: str
    """The evidence tier behind it."""
    models: int | None = None
    """Models in the fit, where known."""
    missing: str = ""

    def interval(self) -> str:
        if self.lo is None or self.hi is None:
            return ""
        return f"[{self.lo:.1f}, {self.hi:.1f}]"

    def text(self) -> str:
        if self.value is None:
            return self.missing or "none"
        return f"{self.value:.1f} {self.interval()}".strip()


class VerdictCount(Frozen):
    verdict: str
    """A verdicts.base.Label."""
    claims: list[str]
    """Ids of the claims with that verdict, in the registry's order."""

    @property
    def count(self) -> int:
        return len(self.claims)

    @property
    def anchor(self) -> str:
        return "verdict-" + self.verdict.replace(" ", "-")


class Overview(Frozen):
    """What the report says first."""

    title: str
    as_of: str
    """The evidence's date (`2026-12-06`), from the sources line."""
    sources: str
    """`as of DATE (sources: ...)`, whole."""
    stale: str = ""
    """The sources that stop short of that date (`epoch-benchmarks to 2026-04-16, ...`:
    newest row more than 45 days older), from the sources line: the date alone would
    claim they are current."""
    months: list[Number] = []
    """Months behind, headline first."""
    gaps: list[Number] = []
    """The frontier gap today and a year ago (all models)."""
    tiers: dict[str, str] = TIERS
    """Each tier named in the figures, in full."""
    verdicts: list[VerdictCount]
    """Every verdict of the vocabulary, in order, zero counts included."""
    problem: str = ""
    """Why the index figures are missing, where they are."""
    updated: str = ""
    """The date of the latest `gaptrack update` by the as-of date, whose account of what
    changed the report carries; empty where there was none."""

    def lead(self) -> Number | None:
        """The figure the page opens with: the headline basis's latest month, else the
        first figure that has a value."""
        return next((n for n in self.months if n.value is not None), None)


def _num(value) -> float | None:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def _latest(index, sides: str, key: str, label: str, tier: str) -> Number:
    """The series' last month: its lag, or why it has none (China's best leads then)."""
    months = index.months
    mine = months[months["sides"] == sides]
    models = len(index.models)
    if not len(mine):
        return Number(key=key, label=label, value=None, unit="months", tier=tier, missing="none")
    last = mine.iloc[-1]
    lag = _num(last["lag_months"])
    if lag is None:
        leads = bool(last.get("b_leads", False))
        return Number(
            key=key,
            label=label,
            value=None,
            unit="months",
            at=str(last["month"]),
            tier=tier,
            models=models,
            missing="China's best leads" if leads else "no figure",
        )
    return Number(
        key=key,
        label=label,
        value=lag,
        lo=_num(last["lag_lo"]),
        hi=_num(last["lag_hi"]),
        unit="months",
        at=str(last["month"]),
        tier=tier,
        models=models,
    )


def _estimate(index, sides: str, figure: str, key: str, label: str, unit: str, at: str) -> Number:
    est = index.summary.get(sides, {}).get(figure)
    if est is None:
        return Number(
            key=key, label=label, value=None, unit=unit, tier=ALL_TIER, missing="not computed"
        )
    return Number(
        key=key,
        label=label,
        value=_num(est.value),
        lo=_num(est.lo),
        hi=_num(est.hi),
        unit=unit,
        at=at,
        tier=ALL_TIER,
        models=len(index.models),
    )


def _headline_numbers(headline) -> list[Number]:
    """The third-party basis (index.headline.HeadlineFigure), latest then average."""
    out = []
    for f in headline or []:
        if f.basis != "headline":
            continue
        latest = f.figure == "latest"
        out.append(
            Number(
                key="months_third_party_" + f.figure,
                label="months China's best trails the US best"
                + ("" if latest else " (average since 2023)"),
                value=f.value,
                lo=f.lo,
                hi=f.hi,
                unit="months",
                at=f.month if latest else "",
                tier=THIRD_PARTY_TIER,
                models=f.models,
            )
        )
    return sorted(out, key=lambda n: not n.key.endswith("latest"))


def _month_before(month: str, months: int) -> str:
    year, mon = int(month[:4]), int(month[5:7])
    total = year * 12 + mon - 1 - months
    return f"{total // 12:04d}-{total % 12 + 1:02d}"


def index_numbers(index, headline) -> tuple[list[Number], list[Number]]:
    """(months behind, frontier gaps) from an IndexReport or a StoredIndex."""
    from gaptrack.compare.index.analysis import YEAR_MONTHS

    months = _headline_numbers(headline)
    months += [
        _latest(
            index,
            ALL_MODELS,
            "months_latest",
            "months China's best trails the US best",
            ALL_TIER,
        ),
        _latest(
            index,
            OPEN_WEIGHTS,
            "months_open_latest",
            "months behind, open-weight models only",
            ALL_TIER,
        ),
    ]
    grid = index.months["month"]
    last = str(grid.iloc[-1]) if len(grid) else ""
    before = _month_before(last, YEAR_MONTHS) if last else ""
    gaps = [
        _estimate(
            index,
            ALL_MODELS,
            "gap_points",
            "gap_today",
            "frontier gap US - CN, today",
            "index points",
            last,
        ),
        _estimate(
            index,
            ALL_MODELS,
            "gap_year_ago_points",
            "gap_year_ago",
            "frontier gap US - CN, a year earlier",
            "index points",
            before,
        ),
    ]
    return months, gaps


def verdict_counts(verdicts: typing.Sequence[ClaimVerdict]) -> list[VerdictCount]:
    return [
        VerdictCount(verdict=label, claims=[v.claim.id for v in verdicts if v.verdict == label])
        for label in VERDICT_ORDER
    ]


def _as_of_date(sources: str) -> str:
    # sources_line: `as of 2026-12-06 (sources: ...)`
    head = sources.removeprefix("as of ").split(" ", 1)[0]
    return head if len(head) >= 4 else ""


def _stale(sources: str) -> str:
    # sources_line ends `; stale: epoch-benchmarks to 2026-04-16, ...` where sources stop short
    return sources.split("; stale: ", 1)[1] if "; stale: " in sources else ""


def overview(findings, index=None, headline=None) -> Overview:
    """The overview of `findings` (compare.publication.Findings) and the capability index
    (an IndexReport, a StoredIndex, a GaptrackError or None) with its headline figures."""
    from gaptrack.errors import GaptrackError

    months: list[Number] = []
    gaps: list[Number] = []
    problem = ""
    if isinstance(index, GaptrackError):
        problem = f"capability index not computed: {index.one_line()}"
    elif index is None:
        problem = "no capability index in this gaptrack"
    else:
        months, gaps = index_numbers(index, headline)
    return Overview(
        title=findings.title,
        as_of=_as_of_date(findings.evidence_as_of),
        sources=findings.evidence_as_of,
        stale=_stale(findings.evidence_as_of),
        months=months,
        gaps=gaps,
        verdicts=verdict_counts(findings.verdicts),
        problem=problem,
        updated=findings.what_changed.updated_at[:10] if findings.what_changed else "",
    )
