"""The overview's one chart: the US and Chinese frontiers on the capability index over
time, with the months-behind band (the latest month's lag and its 95 % interval drawn as a
horizontal band at the Chinese frontier's level), readable without the page's text. Drawn
from the index's own tables (models, months), nothing recomputed."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from gaptrack.compare.overview import ALL_MODELS
from gaptrack.publish.plots import (
    OKABE_ITO,
    SIDE_COLOURS,
    _pyplot,
    date_axis,
    inputs_digest,
    save,
    up_to_date,
)

DAYS_PER_MONTH = 30.4375
CHART_VERSION = 2
"""Raise when the drawing below changes (the digest then differs: the chart is redrawn)."""


@dataclass(frozen=True)
class Chart:
    png: Path
    svg: Path
    alt: str


def _lag(months):
    """The latest month of the all-models series with a lag: (month end, row) or None."""
    import pandas as pd

    mine = months[months["sides"] == ALL_MODELS].dropna(subset=["lag_months"])
    if not len(mine):
        return None
    last = mine.iloc[-1]
    end = pd.Timestamp(str(last["month"]) + "-01") + pd.offsets.MonthEnd(0)
    return end, last


def _alt(data, lag) -> str:
    first, last = data.released.min(), data.released.max()
    text = (
        f"Line chart: the best US model (blue) and the best Chinese model (orange) on the "
        f"capability index by release date, {first} to {last}, {len(data)} models."
    )
    if lag is None:
        return text + " No month where the Chinese frontier trails the US one."
    end, row = lag
    lo, hi = row.get("lag_lo"), row.get("lag_hi")
    iv = f" (95 % interval {lo:.1f} to {hi:.1f})" if lo == lo and hi == hi else ""
    return (
        text + f" In {row['month']} the Chinese frontier trails by {row['lag_months']:.1f} "
        f"months{iv}: the US frontier reached the same capability that much earlier, drawn "
        "as an arrow with a shaded band for the interval. All evidence tiers."
    )


def headline_chart(index, stem: Path) -> Chart | None:
    """The chart for an IndexReport or StoredIndex; None where there is no index."""
    if index is None or not hasattr(index, "models"):
        return None
    import pandas as pd

    cols = ["model", "origin", "released", "capability"]
    data = index.models[cols].sort_values(["released", "model"]).reset_index(drop=True)
    data = data[data.origin.isin(["US", "CN"])]
    if data.empty:
        return None
    lag = _lag(index.months)
    months_cols = [
        c for c in ("sides", "month", "lag_months", "lag_lo", "lag_hi") if c in index.months
    ]
    digest = inputs_digest(
        "headline-chart",
        CHART_VERSION,
        data.to_json(orient="split"),
        index.months[months_cols].to_json(orient="split"),
    )
    chart = Chart(stem.with_suffix(".png"), stem.with_suffix(".svg"), _alt(data, lag))
    if up_to_date(stem, digest):
        return chart
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(8, 3.6))
    ends = {}
    for origin, colour, name in zip(("US", "CN"), SIDE_COLOURS, ("US", "China"), strict=True):
        mine = data[data.origin == origin]
        if mine.empty:
            continue
        when = pd.to_datetime(mine.released)
        ax.plot(when, mine.capability, ".", color=colour, alpha=0.25, markersize=4)
        best = mine.capability.cummax()
        ax.step(when, best, where="post", color=colour, linewidth=2.2, label=f"{name} frontier")
        ends[origin] = (when.iloc[-1], best.iloc[-1])
    if lag is not None:
        end, row = lag
        level = float(row["b_best_capability"]) if "b_best_capability" in row else ends["CN"][1]
        start = end - pd.Timedelta(days=float(row["lag_months"]) * DAYS_PER_MONTH)
        lo, hi = row.get("lag_lo"), row.get("lag_hi")
        if lo is not None and lo == lo and hi == hi:  # not NaN: the interval as a band
            left = end - pd.Timedelta(days=float(hi) * DAYS_PER_MONTH)
            right = end - pd.Timedelta(days=float(lo) * DAYS_PER_MONTH)
            span = float(data.capability.max() - data.capability.min()) or 1.0
            ax.fill_between(
                [left, right],
                level - 0.06 * span,
                level + 0.06 * span,
                color=OKABE_ITO["orange"],
                alpha=0.35,
                linewidth=0,
                label="months behind, 95 % interval",
            )
        ax.annotate(
            "",
            xy=(start, level),
            xytext=(end, level),
            arrowprops={"arrowstyle": "<->", "color": OKABE_ITO["black"], "linewidth": 1.4},
        )
        ax.annotate(
            f"{row['lag_months']:.1f} months behind",
            (start, level),
            xytext=(-4, 0),
            textcoords="offset points",
            ha="right",
            va="center",
            fontsize=11,
            fontweight="bold",
        )
    date_axis(ax)
    ax.set_ylabel("capability index")
    ax.set_title("Best US and Chinese model on the capability index (all evidence)")
    ax.legend(fontsize=9, loc="lower right", frameon=False)
    fig.subplots_adjust(left=0.09, right=0.98, top=0.9, bottom=0.12)
    try:
        save(fig, stem, digest)
    finally:
        plt.close(fig)
    return chart
