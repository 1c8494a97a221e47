"""The capability-index section of the report: each origin's frontier on the capability
index and how many months the Chinese frontier trails the US one, drawn from the index
that gaptrack.compare.index computes (`gaptrack index`)."""

from __future__ import annotations

from pathlib import Path

from gaptrack.errors import GaptrackError
from gaptrack.publish.document import Block, Figure, Heading, Para, Table
from gaptrack.publish.plots import (
    SIDE_COLOURS,
    _pyplot,
    date_axis,
    inputs_digest,
    save,
    up_to_date,
)

SIDE_ORIGINS = ("US", "CN")
LABEL_SPACING_DAYS = 150
"""Frontier steps closer than this to a labelled one stay unlabelled."""
MONTHS_STYLES = {
    "CN behind US": ("-", SIDE_COLOURS[1]),
    "CN behind US, open weights": ("--", "#009E73"),
}
"""The series drawn (index's side names), each with its own line style and colour."""


def frontier_figure(models, stem: Path) -> list[Path]:
    """Capability of every model by release date (dots, 95 % bars) and each origin's
    frontier (the best released so far) as a step line."""
    import pandas as pd

    cols = ["model", "origin", "released", "capability", "lo", "hi"]
    data = models[cols].sort_values(["released", "model"]).reset_index(drop=True)
    digest = inputs_digest("index-frontier", data.to_json(orient="split"))
    if up_to_date(stem, digest):
        return [stem.with_suffix(".png"), stem.with_suffix(".svg")]
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(12, 5.5))
    for origin, colour in zip(SIDE_ORIGINS, SIDE_COLOURS, strict=True):
        mine = data[data.origin == origin]
        if mine.empty:
            continue
        when = pd.to_datetime(mine.released)
        ax.errorbar(
            when,
            mine.capability,
            yerr=[mine.capability - mine.lo, mine.hi - mine.capability],
            fmt="o",
            color=colour,
            alpha=0.35,
            markersize=3,
            elinewidth=0.8,
            label=f"{origin} models",
        )
        best = mine.capability.cummax()
        ax.step(when, best, where="post", color=colour, linewidth=2, label=f"{origin} frontier")
        changes = mine[mine.capability == best].drop_duplicates("capability")
        last = None
        for _, row in changes.iloc[::-1].iterrows():  # newest first: they matter most
            when_row = pd.Timestamp(row.released)
            if last is not None and (last - when_row).days < LABEL_SPACING_DAYS:
                continue  # labels closer than this would print over each other
            last = when_row
            ax.annotate(
                row.model,
                (when_row, row.capability),
                xytext=(-3, 5),
                textcoords="offset points",
                ha="right",
                fontsize=7.5,
                color=colour,
            )
    date_axis(ax)
    ax.set_ylabel("capability index")
    ax.set_title("Capability frontier by origin (bars: 95 % bootstrap intervals)")
    ax.legend(fontsize=8, loc="upper left")
    ax.set_xlim(right=pd.to_datetime(data.released).max() + pd.Timedelta(days=30))
    fig.subplots_adjust(left=0.06, right=0.98, top=0.92, bottom=0.08)
    try:
        return save(fig, stem, digest)
    finally:
        plt.close(fig)


def months_figure(months, stem: Path) -> list[Path]:
    """Months the second origin trails the first, per month, with its 95 % interval."""
    import pandas as pd

    data = months[["sides", "month", "lag_months", "lag_lo", "lag_hi"]]
    digest = inputs_digest("index-months", data.to_json(orient="split"))
    if up_to_date(stem, digest):
        return [stem.with_suffix(".png"), stem.with_suffix(".svg")]
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(12, 4.5))
    for name, (style, colour) in MONTHS_STYLES.items():
        group = data[data.sides == name]
        if group.empty:
            continue
        when = pd.to_datetime(group.month)
        ax.plot(when, group.lag_months, style, color=colour, label=name)
        ax.fill_between(when, group.lag_lo, group.lag_hi, color=colour, alpha=0.12, linewidth=0)
    ax.axhline(0, color="#999999", linewidth=0.8)
    date_axis(ax)
    ax.set_ylabel("months behind")
    ax.set_title(
        "Months the Chinese frontier trails the US one on the capability index (band: 95 % interval)"
    )
    ax.legend(fontsize=8, loc="upper right")
    fig.subplots_adjust(left=0.06, right=0.98, top=0.9, bottom=0.1)
    try:
        return save(fig, stem, digest)
    finally:
        plt.close(fig)


def _frontier_alt(models) -> str:
    released = models["released"].astype(str)
    counts = models["origin"].value_counts()
    return (
        "Scatter and step chart: the capability index of every model by release date, "
        f"{released.min()} to {released.max()} ({counts.get('US', 0)} US and "
        f"{counts.get('CN', 0)} Chinese models, 95 % bars), each origin's frontier (the best "
        "released so far) as a step line."
    )


def _months_alt(months) -> str:
    parts = []
    for name in MONTHS_STYLES:
        mine = months[months["sides"] == name].dropna(subset=["lag_months"])
        if len(mine):
            last = mine.iloc[-1]
            parts.append(f"{name}: {last['lag_months']:.1f} months in {last['month']}")
    span = f"{months['month'].min()} to {months['month'].max()}" if len(months) else ""
    latest = "; ".join(parts) or "no month where the Chinese frontier trails"
    return (
        f"Line chart: months the Chinese frontier trails the US one on the capability index, "
        f"month by month, {span}, with 95 % bands; latest {latest}."
    )


def index_blocks(report, plots: Path) -> list[Block]:
    frontier = frontier_figure(report.models, plots / "index-frontier")
    months = months_figure(report.months, plots / "index-months-behind")
    rows = []
    for name, est in sorted(report.summary.items()):
        average = est.get("average")
        if average is not None:
            rows.append([name, f"{average.value:.1f}", f"[{average.lo:.1f}, {average.hi:.1f}]"])
    return [
        Heading(2, "Capability index", "index"),
        Para(
            "One capability number per model, fitted to every benchmark score at once "
            "(gaptrack index); months behind: how long before a model of the trailing origin "
            "was released the leading origin first reached its capability.",
            "note",
        ),
        Figure(*frontier, _frontier_alt(report.models)),
        Figure(*months, _months_alt(report.months)),
        Table(["comparison", "average months behind", "95% interval"], rows, frozenset([1])),
    ]


def index_section(report, plots: Path) -> list[Block]:
    """The section for a computed index (compare.publication.capability_index): a
    GaptrackError in its place becomes a note; None (no index in this gaptrack): nothing."""
    if report is None:
        return []
    if isinstance(report, GaptrackError):
        return [Heading(2, "Capability index", "index"), Para(f"Not computed: {report}", "note")]
    return index_blocks(report, plots)
