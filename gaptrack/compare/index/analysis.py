"""Everything `gaptrack index` reports, from one fit and its bootstrap: capabilities with
intervals, difficulties, months-behind series and summaries, the frontier gap."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from gaptrack.base import Frozen
from gaptrack.compare.index.bootstrap import Replicates, bootstrap, interval
from gaptrack.compare.index.core import IndexFit, fit_index
from gaptrack.compare.index.fit import ANCHORS
from gaptrack.compare.index.floors import floor_of
from gaptrack.compare.index.months import DAYS_PER_MONTH, best_by, lag_series, month_grid
from gaptrack.compare.index.prepare import Options, prepare


class Sides(Frozen):
    """Which models are compared: side B trails side A by the months figure."""

    name: str
    """Label in the output (`US ahead of CN`, ...)."""
    a: str
    """Origin of side A (ISO code)."""
    b: str
    """Origin of side B."""
    open_only: bool = False
    """Open-weight models only on both sides."""


SIDES = (
    Sides(name="CN behind US", a="US", b="CN"),
    Sides(name="CN behind US, open weights", a="US", b="CN", open_only=True),
    Sides(name="US behind CN (reverse)", a="CN", b="US"),
)


@dataclass
class Estimate:
    """A figure with its 95 % bootstrap interval."""

    value: float
    lo: float
    hi: float


@dataclass
class IndexReport:
    """Tables and figures of one `gaptrack index` run."""

    fit: IndexFit
    reps: Replicates
    models: pd.DataFrame
    """One row per model: capability with interval, rank, origin, release date."""
    benchmarks: pd.DataFrame
    """One row per benchmark: difficulty with interval, slope, chance floor."""
    months: pd.DataFrame
    """One row per (sides, month): B's best, A's first date, lag with interval."""
    summary: dict[str, dict[str, Estimate]] = field(default_factory=dict)
    """Per sides: average, min and max lag over the period, and the frontier gap."""


def _masks(models: pd.DataFrame, sides: Sides) -> tuple[np.ndarray, np.ndarray]:
    origin = models["origin"].astype(str).to_numpy()
    ok = models["open_weights"].fillna(False).astype(bool).to_numpy() if sides.open_only else True
    return (origin == sides.a) & ok, (origin == sides.b) & ok


def months_table(fit: IndexFit, reps: Replicates, sides: Sides, grid: np.ndarray) -> pd.DataFrame:
    """The lag series of one side pair with per-month intervals."""
    models = fit.prep.models
    released = models["released"].to_numpy().astype("datetime64[D]")
    a, b = _masks(models, sides)
    lag = lag_series(fit.capability, released, a, b, grid)
    boot = np.array([lag_series(c, released, a, b, grid) for c in reps.capability])
    lo, hi = interval(boot.reshape(-1, len(grid)))
    best, who = best_by(np.where(b, fit.capability, np.nan), released, grid)
    names = models["model"].to_numpy()
    return pd.DataFrame(
        {
            "sides": sides.name,
            "month": pd.to_datetime(grid).strftime("%Y-%m"),
            "b_best_model": [names[i] if i >= 0 else "" for i in who],
            "b_best_capability": best,
            "lag_months": lag,
            "lag_lo": lo,
            "lag_hi": hi,
            "b_leads": np.isfinite(best) & np.isnan(lag),
        }
    )


def lag_summary(
    fit: IndexFit, reps: Replicates, sides: Sides, grid: np.ndarray
) -> dict[str, Estimate]:
    """Average, smallest and largest lag over the grid, each with its bootstrap interval."""
    models = fit.prep.models
    released = models["released"].to_numpy().astype("datetime64[D]")
    a, b = _masks(models, sides)

    def stats(cap: np.ndarray) -> np.ndarray:
        lag = lag_series(cap, released, a, b, grid)
        if np.isnan(lag).all():
            return np.full(3, np.nan)
        return np.array([np.nanmean(lag), np.nanmin(lag), np.nanmax(lag)])

    point = stats(fit.capability)
    boot = np.array([stats(c) for c in reps.capability]).reshape(-1, 3)
    lo, hi = interval(boot)
    return {k: Estimate(point[i], lo[i], hi[i]) for i, k in enumerate(("average", "min", "max"))}


def frontier_gap(fit: IndexFit, reps: Replicates, sides: Sides, date: str) -> dict[str, Estimate]:
    """Best A minus best B capability among models released by `date`, in index points and
    in percent of B's best ((A - B) / B, the AI Index's convention)."""
    models = fit.prep.models
    released = models["released"].to_numpy().astype("datetime64[D]")
    a, b = _masks(models, sides)
    when = np.array([np.datetime64(date, "D")])

    def gap(cap: np.ndarray) -> np.ndarray:
        best_a = best_by(np.where(a, cap, np.nan), released, when)[0][0]
        best_b = best_by(np.where(b, cap, np.nan), released, when)[0][0]
        return np.array([best_a - best_b, 100 * (best_a - best_b) / best_b])

    point = gap(fit.capability)
    lo, hi = interval(np.array([gap(c) for c in reps.capability]).reshape(-1, 2))
    return {"points": Estimate(point[0], lo[0], hi[0]), "percent": Estimate(point[1], lo[1], hi[1])}


def model_table(fit: IndexFit, reps: Replicates) -> pd.DataFrame:
    lo, hi = interval(reps.capability)
    out = fit.prep.models.drop(columns=["pk"]).assign(capability=fit.capability, lo=lo, hi=hi)
    out = out.sort_values("capability", ascending=False).reset_index(drop=True)
    out.insert(0, "rank", np.arange(1, len(out) + 1))
    out["released"] = out["released"].dt.strftime("%Y-%m-%d")
    anchors = {name for name, _ in fit.anchors}
    out["anchor"] = out["model"].isin(anchors)
    return out


def benchmark_table(fit: IndexFit, reps: Replicates) -> pd.DataFrame:
    lo, hi = interval(reps.difficulty)
    n_models = fit.prep.rows.groupby("bi")["mi"].nunique().reindex(range(len(fit.difficulty)))
    return (
        pd.DataFrame(
            {
                "benchmark": fit.prep.benchmarks,
                "difficulty": fit.difficulty,
                "lo": lo,
                "hi": hi,
                "slope": fit.slope,
                "chance_floor": [floor_of(b).value for b in fit.prep.benchmarks],
                "n_models": n_models.fillna(0).astype(int).to_numpy(),
            }
        )
        .sort_values("difficulty")
        .reset_index(drop=True)
    )


YEAR_MONTHS = 12
"""Month ends between the frontier gap "today" (the grid's last month) and "a year ago"."""


def run_index(
    frame: pd.DataFrame,
    options: Options | None = None,
    n_boot: int = 100,
    seed: int = 0,
    start: str = "2023-01-01",
    end: str | None = None,
    anchors=ANCHORS,
    sides: tuple[Sides, ...] = SIDES,
) -> IndexReport:
    """Fit, bootstrap and summarise the evidence in `frame` (evidence.frame.COLUMNS)."""
    prep = prepare(frame, options or Options())
    fit = fit_index(prep, anchors)
    reps = bootstrap(fit, n_boot, seed)
    last = prep.models["released"].max() if end is None else pd.Timestamp(end)
    grid = month_grid(start, (last + pd.offsets.MonthEnd(0)).strftime("%Y-%m-%d"))
    months = pd.concat([months_table(fit, reps, s, grid) for s in sides], ignore_index=True)
    summary = {}
    for s in sides:
        summary[s.name] = lag_summary(fit, reps, s, grid)
        summary[s.name].update(
            {f"gap_{k}": v for k, v in frontier_gap(fit, reps, s, str(grid[-1])).items()}
        )
        if len(grid) > YEAR_MONTHS:  # the same gap twelve month ends earlier (report headline)
            then = frontier_gap(fit, reps, s, str(grid[-1 - YEAR_MONTHS]))
            summary[s.name].update({f"gap_year_ago_{k}": v for k, v in then.items()})
    return IndexReport(
        fit=fit,
        reps=reps,
        models=model_table(fit, reps),
        benchmarks=benchmark_table(fit, reps),
        months=months,
        summary=summary,
    )


def months_between(a, b) -> float:
    """Months from date a to date b (positive when b is later)."""
    return (np.datetime64(b, "D") - np.datetime64(a, "D")).astype(float) / DAYS_PER_MONTH
