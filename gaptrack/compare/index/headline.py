"""The headline months-behind figure, read as Epoch AI reads its own index: third-party
runs only (Epoch's, gaptrack's, other independent evaluators'), models with scores on at
least four benchmarks, released from 2023. The all-evidence figure stands beside it, so the
difference self-reported and compiled rows make is shown, not hidden."""

from __future__ import annotations

import pandas as pd

from gaptrack.base import Frozen
from gaptrack.compare.index.analysis import SIDES, IndexReport, run_index
from gaptrack.compare.index.prepare import INDEX_SINCE, index_options

HEADLINE_OPTIONS = index_options(reporters=("third_party",), min_benchmarks=4)
"""Third-party rows, >= 4 benchmarks per model, models released from 2023 (Epoch AI's
Capabilities Index keeps models with enough benchmarks and starts in 2023)."""
HEADLINE_FILE = "headline_summary.csv"
"""Beside the index's CSVs: the headline and all-evidence figures (`report` reads it)."""
HEADLINE_LABEL = "third-party runs, >= 4 benchmarks per model, models from 2023"
ALL_LABEL = "all evidence, >= 2 benchmarks"


class HeadlineFigure(Frozen):
    """One months-behind figure with its 95 % bootstrap interval."""

    basis: str
    """`headline` or `all evidence`."""
    figure: str
    """`average` (over the monthly grid) or `latest` (the last month with a figure)."""
    month: str = ""
    """The month of a `latest` figure."""
    value: float | None
    lo: float | None = None
    hi: float | None = None
    models: int | None = None
    """Models fitted."""

    def text(self) -> str:
        if self.value is None:
            return "none"
        iv = f" [{self.lo:.1f}, {self.hi:.1f}]" if self.lo is not None else ""
        return f"{self.value:.1f}{iv}"


def headline_report(frame: pd.DataFrame, n_boot: int, seed: int) -> IndexReport:
    """The headline fit (CN behind US only)."""
    return run_index(
        frame, HEADLINE_OPTIONS, n_boot=n_boot, seed=seed, start=INDEX_SINCE, sides=SIDES[:1]
    )


def _num(x) -> float | None:
    try:
        value = float(x)
    except (TypeError, ValueError):
        return None
    return None if value != value else value


def figures_of(report, basis: str) -> list[HeadlineFigure]:
    """Average and latest months CN behind US from an IndexReport or a StoredIndex."""
    side = SIDES[0].name
    out = []
    summary = report.summary.get(side, {})
    n_models = len(report.models) if getattr(report, "models", None) is not None else None
    if "average" in summary:
        est = summary["average"]
        out.append(
            HeadlineFigure(
                basis=basis,
                figure="average",
                value=_num(est.value),
                lo=_num(est.lo),
                hi=_num(est.hi),
                models=n_models,
            )
        )
    months = report.months
    mine = months[months["sides"] == side].dropna(subset=["lag_months"])
    if len(mine):
        last = mine.iloc[-1]
        out.append(
            HeadlineFigure(
                basis=basis,
                figure="latest",
                month=str(last["month"]),
                value=_num(last["lag_months"]),
                lo=_num(last["lag_lo"]),
                hi=_num(last["lag_hi"]),
                models=n_models,
            )
        )
    return out


def headline_figures(headline: IndexReport, all_evidence) -> list[HeadlineFigure]:
    return [*figures_of(headline, "headline"), *figures_of(all_evidence, "all evidence")]


def to_frame(figures: list[HeadlineFigure]) -> pd.DataFrame:
    return pd.DataFrame([f.model_dump() for f in figures])


def read(path) -> list[HeadlineFigure] | None:
    """The figures `gaptrack index` stored, or None (absent or damaged: fit again)."""
    try:
        frame = pd.read_csv(path, keep_default_na=False, dtype={"month": str, "basis": str})
        return [
            HeadlineFigure(
                basis=r["basis"],
                figure=r["figure"],
                month=r["month"],
                value=_num(r["value"]),
                lo=_num(r["lo"]),
                hi=_num(r["hi"]),
                models=int(float(r["models"])) if str(r["models"]).strip() else None,
            )
            for r in frame.to_dict("records")
        ]
    except (OSError, ValueError, KeyError, pd.errors.EmptyDataError):
        return None


def sentence(figures: list[HeadlineFigure]) -> str:
    """The headline in one line, the all-evidence figure beside it."""
    by = {(f.basis, f.figure): f for f in figures}
    head, head_last = by.get(("headline", "average")), by.get(("headline", "latest"))
    every, every_last = by.get(("all evidence", "average")), by.get(("all evidence", "latest"))
    parts = []
    if head is not None:
        parts.append(
            f"China trails the US by {head.text()} months on average (2023 onwards; "
            f"{HEADLINE_LABEL}; {head.models} models)"
        )
    if head_last is not None:
        parts.append(f"{head_last.text()} months in {head_last.month}")
    if every is not None:
        beside = f"all evidence: {every.text()} on average"
        if every_last is not None:
            beside += f", {every_last.text()} in {every_last.month}"
        parts.append(beside + f" ({every.models} models)")
    return "; ".join(parts) + "." if parts else "no headline figure (too little evidence)."
