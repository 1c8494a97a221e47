"""Plots (matplotlib, Agg): the gap over time per benchmark. Every figure is written as
PNG and SVG with fixed metadata (no dates, no software stamp, a fixed SVG id salt), so
an unchanged input gives unchanged bytes."""

from __future__ import annotations

import concurrent.futures
import datetime as dt
import hashlib
import json
import multiprocessing
import os
from collections.abc import Sequence
from pathlib import Path

from gaptrack.compare.gap_table import GapRow
from gaptrack.compare.vocabulary import BENCHMARKS
from gaptrack.publish.files import write_if_changed

# Okabe & Ito (2008), a palette that colour-blind readers can tell apart.
OKABE_ITO = {
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "green": "#009E73",
    "purple": "#CC79A7",
    "orange": "#E69F00",
    "sky": "#56B4E9",
    "yellow": "#F0E442",
    "black": "#000000",
}
SIDE_COLOURS = [OKABE_ITO["blue"], OKABE_ITO["vermillion"]]
# one series per evidence kind and source tier (never mixed): each its own line style,
# marker and gap colour
SERIES = {
    ("measured", "third_party_run"): "measured",
    ("reported", "third_party_run"): "third-party runs",
    ("reported", "developer_reported"): "developer-reported",
    ("reported", "compilation"): "compilations",
}
GAP_COLOURS = {
    "measured": OKABE_ITO["green"],
    "third-party runs": OKABE_ITO["black"],
    "developer-reported": OKABE_ITO["orange"],
    "compilations": OKABE_ITO["sky"],
}
STYLE = {
    "measured": ("--", "s"),
    "third-party runs": ("-", "o"),
    "developer-reported": ("-.", "^"),
    "compilations": (":", "v"),
}
Z95 = 1.959963984540054
PNG_DPI = 100
PLOT_VERSION = 7
"""Raise when the drawing code changes: figures drawn by older code are redrawn."""


def _pyplot():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    plt.rcParams.update(
        {
            "svg.hashsalt": "gaptrack",  # fixed ids in SVG output
            "svg.fonttype": "none",  # text stays text: smaller, searchable
            "font.size": 10,
            "axes.titlesize": 11,
            "axes.spines.top": False,
            "axes.spines.right": False,
        }
    )
    return plt


def inputs_digest(*parts: object) -> str:
    """What a figure is drawn from, plus the drawing code's and matplotlib's versions."""
    from importlib import metadata

    payload = json.dumps([PLOT_VERSION, metadata.version("matplotlib"), *parts], default=str)
    return hashlib.sha256(payload.encode()).hexdigest()[:32]


def up_to_date(stem: Path, digest: str) -> bool:
    """Both files exist and were drawn from the same inputs (the digest is in each file's
    description), so drawing again would give the same bytes: skip it."""
    png, svg = stem.with_suffix(".png"), stem.with_suffix(".svg")
    if not (png.is_file() and svg.is_file()):
        return False
    head = png.read_bytes()[:4096]  # matplotlib writes text chunks before the pixels
    return (
        f"gaptrack:{digest}".encode() in head and f"gaptrack:{digest}".encode() in svg.read_bytes()
    )


def save(fig, stem: Path, digest: str) -> list[Path]:
    """`stem`.png and `stem`.svg, without any timestamp or version stamp."""
    import io

    png, svg = io.BytesIO(), io.BytesIO()
    described = f"gaptrack:{digest}"
    fig.savefig(
        png, format="png", dpi=PNG_DPI, metadata={"Software": None, "Description": described}
    )
    fig.savefig(
        svg, format="svg", metadata={"Date": None, "Creator": None, "Description": described}
    )
    return [
        write_if_changed(stem.with_suffix(".png"), png.getvalue()),
        write_if_changed(stem.with_suffix(".svg"), svg.getvalue()),
    ]


def _steps(rows: Sequence[GapRow], side: str):
    """(x, value, stderr, model) at each change of the side's frontier model: x is the
    model's release date where it falls in the month it took over, else the month end."""
    out = []
    previous_at = None
    for row in rows:
        c = row.a if side == "a" else row.b
        if out and out[-1][3] == c.model:
            previous_at = row.at
            continue
        x = row.at
        if (
            c.released
            and c.released <= row.at
            and (previous_at is None or c.released > previous_at)
        ):
            x = c.released
        se = _se(c)
        out.append((x, c.value, se, c.model))
        previous_at = row.at
    return out


def _se(contender) -> float | None:
    errors = []
    for r in contender.rows:
        if r.stderr is not None:
            errors.append(r.stderr)
        elif r.ci_low is not None and r.ci_high is not None:
            errors.append((r.ci_high - r.ci_low) / (2 * Z95))
        else:
            return None
    return (sum(e * e for e in errors) ** 0.5) / len(errors) if errors else None


class _Labels:
    """Where model labels were put on one axes, so that a label that would print over
    another is left out (the step's marker stays; gaps.csv names every model): a label
    needs LABEL_DX of the x span or LABEL_DY of the y span between it and every other.
    Side A's labels sit above their point and side B's below, so the distance is taken
    between the labels, not the points."""

    def __init__(self, rows: Sequence[GapRow]):
        xs = [r.at.toordinal() for r in rows]
        ys = [v for r in rows for v in (r.a.value, r.b.value)]
        self.first, self.span = min(xs), max(1, max(xs) - min(xs))
        self.yspan = max(1e-9, max(ys) - min(ys))
        self.placed: list[tuple[int, float]] = []

    def fits(self, x: dt.date, y: float, side: str) -> bool:
        at = x.toordinal()
        y += self.yspan * (LABEL_OFFSET[0] if side == "a" else LABEL_OFFSET[1])
        for px, py in self.placed:
            if abs(at - px) < self.span * LABEL_DX and abs(y - py) < self.yspan * LABEL_DY:
                return False
        self.placed.append((at, y))
        return True

    def near_right_end(self, x: dt.date) -> bool:
        """Labels this close to the right edge run leftwards, inside the axes."""
        return x.toordinal() - self.first > 0.8 * self.span


LABEL_DX = 0.16
LABEL_DY = 0.06
LABEL_OFFSET = (0.02, -0.035)
"""Where side A's and B's labels sit relative to their point, in y spans (4 pt above,
11 pt below: see _label)."""


def _frontier(ax, rows: Sequence[GapRow], kind: str, origins: tuple[str, str]) -> list[tuple]:
    """Both sides' step lines; returns their label candidates (x, y, model, side)."""
    end = rows[-1].at
    line, marker = STYLE[kind]
    candidates = []
    for side, origin, colour in zip(("a", "b"), origins, SIDE_COLOURS, strict=True):
        steps = _steps(rows, side)
        xs = [s[0] for s in steps] + [end]
        ys = [s[1] for s in steps] + [steps[-1][1]]
        ax.step(xs, ys, where="post", color=colour, linestyle=line, label=f"{origin} {kind}")
        ax.plot(xs[:-1], ys[:-1], marker, color=colour, markersize=5, linestyle="none")
        if all(s[2] is not None for s in steps):
            low = [y - Z95 * s[2] for y, s in zip(ys, [*steps, steps[-1]], strict=True)]
            high = [y + Z95 * s[2] for y, s in zip(ys, [*steps, steps[-1]], strict=True)]
            ax.fill_between(xs, low, high, step="post", color=colour, alpha=0.15, linewidth=0)
        candidates += [(x, y, model, side) for x, y, _, model in steps]
    return candidates


def _label(ax, candidates: list[tuple], labels: _Labels) -> None:
    """Newest steps first, both sides taking turns by date: the latest models matter most."""
    for x, y, model, side in sorted(candidates, key=lambda c: (c[0], c[3]), reverse=True):
        if labels.fits(x, y, side):
            left = labels.near_right_end(x)
            ax.annotate(
                model,
                (x, y),
                xytext=(-3 if left else 3, 4 if side == "a" else -11),
                textcoords="offset points",
                ha="right" if left else "left",
                fontsize=7.5,
                color=SIDE_COLOURS[0 if side == "a" else 1],
            )


def _gap(ax, rows: Sequence[GapRow], kind: str) -> None:
    line, marker = STYLE[kind]
    colour = GAP_COLOURS[kind]
    xs = [r.at for r in rows]
    ax.step(xs, [r.gap for r in rows], where="post", color=colour, linestyle=line, label=kind)
    ax.plot(xs, [r.gap for r in rows], marker, color=colour, markersize=3, linestyle="none")
    with_iv = [r for r in rows if r.interval is not None]
    if with_iv:
        ax.errorbar(
            [r.at for r in with_iv],
            [r.gap for r in with_iv],
            yerr=[
                [r.gap - r.interval.low for r in with_iv],
                [r.interval.high - r.gap for r in with_iv],
            ],
            fmt="none",
            ecolor=colour,
            alpha=0.5,
            capsize=2,
        )
    ax.axhline(0, color="#999999", linewidth=0.8)


def _panel(axes, rows: Sequence[GapRow], title: str, unit: str) -> None:
    top, bottom = axes
    # an explicit y: matplotlib otherwise measures every tick label to place the title
    top.set_title(title, y=1.0)
    if not rows:
        top.text(0.5, 0.5, "no models of both origins", ha="center", transform=top.transAxes)
        top.set_axis_off()
        bottom.set_axis_off()
        return
    origins = (rows[0].origin_a, rows[0].origin_b)
    candidates = {}
    for (evidence, tier), kind in SERIES.items():
        mine = sorted(
            (r for r in rows if (r.evidence, r.tier) == (evidence, tier)), key=lambda r: r.at
        )
        if mine:
            candidates[kind] = _frontier(top, mine, kind, origins)
            _gap(bottom, mine, kind)
    labels = _Labels(rows)
    for kind in SERIES.values():  # gaptrack's own models first, then third-party runs
        _label(top, candidates.get(kind, []), labels)
    top.set_ylabel(unit)
    top.legend(fontsize=8, loc="lower right")
    bottom.set_ylabel(f"gap {origins[0]} - {origins[1]}")
    bottom.legend(fontsize=8, loc="upper right", title="gap (bars: 95% interval)", title_fontsize=8)


def date_axis(ax) -> None:
    """matplotlib's automatic date ticks, labelled concisely (`2024`, `Apr`, `Jul`): the
    locator thins its ticks to the axis's width, so labels never run into each other."""
    import matplotlib.dates as mdates

    locator = mdates.AutoDateLocator(minticks=3, maxticks=8)
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))


def _digest(benchmark: str, rows: Sequence[GapRow], markers: Sequence[GapRow] = ()) -> str:
    return inputs_digest("gap", benchmark, [r.model_dump(mode="json") for r in [*rows, *markers]])


def _markers(axes, markers: Sequence[GapRow]) -> None:
    """Figures that are not point-in-time (a report's derived or recomputed ratings): a
    cross each, labelled, never joined to the step lines."""
    top, bottom = axes
    for m in markers:
        for value, colour in ((m.a.value, SIDE_COLOURS[0]), (m.b.value, SIDE_COLOURS[1])):
            top.plot([m.at], [value], "x", color=colour, markersize=7, linestyle="none")
        bottom.plot([m.at], [m.gap], "x", color=OKABE_ITO["purple"], markersize=7)
        bottom.annotate(
            m.marker.split(" (")[0],
            (m.at, m.gap),
            xytext=(3, 3),
            textcoords="offset points",
            fontsize=7,
            color=OKABE_ITO["purple"],
        )


def gap_figure(
    benchmark: str, rows: Sequence[GapRow], stem: Path, markers: Sequence[GapRow] = ()
) -> list[Path]:
    """Two columns (all models | open-weight only), frontier scores above, gap below;
    `markers` (all models, left) as crosses beside the series."""
    rows = [r for r in rows if r.benchmark == benchmark]
    markers = [m for m in markers if m.benchmark == benchmark]
    digest = _digest(benchmark, rows, markers)
    if up_to_date(stem, digest):
        return [stem.with_suffix(".png"), stem.with_suffix(".svg")]
    plt = _pyplot()
    bench = BENCHMARKS.get(benchmark)
    name = bench.name if bench else benchmark
    unit = "rating (Elo)" if bench and bench.scale == "elo" else "score (%)"
    fig, axes = plt.subplots(
        2, 2, figsize=(12, 6.5), sharex="col", height_ratios=[2, 1], squeeze=False
    )
    for col, (pool, title) in enumerate((("all", "All models"), ("open", "Open-weight only"))):
        mine = [r for r in rows if r.benchmark == benchmark and r.pool == pool]
        _panel((axes[0][col], axes[1][col]), mine, title, unit)
        if pool == "all":
            _markers((axes[0][col], axes[1][col]), markers)
        date_axis(axes[1][col])
    fig.suptitle(f"{name}: best model of each origin by release date, and the gap")
    # fixed margins: tight_layout would draw the figure once more just to measure it
    fig.subplots_adjust(left=0.06, right=0.98, top=0.9, bottom=0.08, wspace=0.15, hspace=0.08)
    try:
        return save(fig, stem, digest)
    finally:
        plt.close(fig)


def plotted_benchmarks(rows: Sequence[GapRow]) -> list[str]:
    return list(dict.fromkeys(r.benchmark for r in rows))


def _draw_one(job: tuple[str, list[GapRow], Path, list[GapRow]]) -> list[Path]:
    return gap_figure(*job)


class GapFigures:
    """The gap figures, drawn in worker processes from the moment this is made, so the
    caller can do other work (fit the index, draw its figures) on the main process
    meanwhile; `wait` returns them. Figures are independent: where several must be drawn
    they are drawn on all CPUs (forked workers: matplotlib is imported once, before the
    fork). Figures already up to date are not drawn again."""

    def __init__(self, rows: Sequence[GapRow], folder: Path, markers: Sequence[GapRow] = ()):
        self.jobs = [
            (
                b,
                [r for r in rows if r.benchmark == b],
                folder / f"gap-{b}",
                [m for m in markers if m.benchmark == b],
            )
            for b in plotted_benchmarks(rows)
        ]
        stale = [j for j in self.jobs if not up_to_date(j[2], _digest(j[0], j[1], j[3]))]
        workers = min(len(stale), os.cpu_count() or 1)
        self.pool = self.pending = None
        if workers > 1 and "fork" in multiprocessing.get_all_start_methods():
            _pyplot()
            context = multiprocessing.get_context("fork")
            self.pool = concurrent.futures.ProcessPoolExecutor(workers, mp_context=context)
            self.pending = [self.pool.submit(_draw_one, job) for job in stale]

    def wait(self) -> dict[str, list[Path]]:
        """benchmark -> [png, svg]; what no worker drew is drawn here."""
        if self.pool is not None:
            try:
                for future in self.pending:
                    future.result()  # a worker's error is raised here
            finally:
                self.pool.shutdown()
                self.pool = None
        return {job[0]: _draw_one(job) for job in self.jobs}  # now all up to date: no redraw


def gap_figures(
    rows: Sequence[GapRow], folder: Path, markers: Sequence[GapRow] = ()
) -> dict[str, list[Path]]:
    """One figure per benchmark with a gap; benchmark -> [png, svg]."""
    return GapFigures(rows, folder, markers).wait()


def earliest(rows: Sequence[GapRow]) -> dt.date | None:
    return min((r.at for r in rows), default=None)
