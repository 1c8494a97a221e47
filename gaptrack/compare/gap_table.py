"""The gap over time as typed rows: for each benchmark, evidence kind and model pool (all
models or open-weight only), the frontier of each origin at every month end and the gap
between them. The frontier, the gap and its interval all come from compare.gaps (the one
gap engine); this module only decides which dates and pools to ask it about."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Literal

from gaptrack.base import Frozen
from gaptrack.compare.benchmarks import BENCHMARKS
from gaptrack.compare.claims import GapQuantity
from gaptrack.compare.dates import month_ends
from gaptrack.compare.evidence import EvidenceRow
from gaptrack.compare.gaps import Contender, GapPoint, Resampler, gap_at
from gaptrack.compare.stats import Interval

Pool = Literal["all", "open"]
Kind = Literal["measured", "reported"]
POOLS: tuple[Pool, ...] = ("all", "open")
KINDS: tuple[Kind, ...] = ("reported", "measured")


class GapRow(Frozen):
    """The two origins' frontiers and their gap at one month end."""

    benchmark: str
    """Benchmark id."""
    at: dt.date
    """Month end the frontiers are taken at."""
    origin_a: str
    """Side A (the gap is A - B)."""
    origin_b: str
    """Side B."""
    pool: Pool
    """`all` models, or `open`-weight models only on both sides."""
    evidence: Kind
    """Evidence kind the point was computed from (never mixed)."""
    a: Contender
    """Side A's frontier model."""
    b: Contender
    """Side B's frontier model."""
    gap: float
    """A - B in the benchmark's unit (accuracy points, rating points)."""
    interval: Interval | None
    """95 % interval of `gap`; None where the evidence publishes no uncertainty."""
    gap_rel: float | None
    """(A - B) / B * 100; None where B is 0."""
    interval_rel: Interval | None
    """95 % interval of `gap_rel`."""
    uncertainty: str
    """`paired`, `unpaired`, `none published` or `none` (compare.gaps.GapPoint)."""
    snapshot: dt.date | None = None
    """Leaderboard snapshot used (leaderboard benchmarks only)."""
    problem: str | None = None
    """Why this point could not carry a verdict (stale snapshot, few items), if so."""
    run_differences: str = ""
    """Measured rows: how the two models' records were not run alike (backends or
    generation settings, compare.gaps.run_differences); empty where they were."""


def _dates(rows: Sequence[EvidenceRow]) -> list[dt.date]:
    return [
        d
        for r in rows
        for d in (getattr(r, "released", None), getattr(r, "snapshot", None))
        if d is not None
    ]


def _quantity(benchmark: str, pool: Pool, unit: str, a: str, b: str) -> GapQuantity:
    open_flag = True if pool == "open" else None
    return GapQuantity(
        benchmarks=[benchmark],
        unit=unit,
        origin_a=a,
        origin_b=b,
        open_weights_a=open_flag,
        open_weights_b=open_flag,
    )


def _row(points: GapPoint, relative: GapPoint, benchmark: str, pool: Pool, q: GapQuantity):
    return GapRow(
        benchmark=benchmark,
        at=points.at,
        origin_a=q.origin_a,
        origin_b=q.origin_b,
        pool=pool,
        evidence=points.evidence_kind,
        a=points.a,
        b=points.b,
        gap=points.gap,
        interval=points.interval,
        gap_rel=relative.gap,
        interval_rel=relative.interval,
        uncertainty=points.uncertainty,
        snapshot=points.snapshot,
        problem=points.problem,
        run_differences=points.run_differences,
    )


def gap_table(
    rows: Sequence[EvidenceRow],
    benchmarks: Sequence[str],
    origins: tuple[str, str] = ("US", "CN"),
) -> list[GapRow]:
    """One row per (benchmark, month end, pool, evidence kind) at which both origins have
    a frontier model; months run from the benchmark's first dated evidence of that kind
    to its last, so the table depends on the evidence alone, never on today's date."""
    out = []
    memo: dict = {}
    resampler = Resampler()  # months, pools and units meet the same models again
    for benchmark in benchmarks:
        if benchmark not in BENCHMARKS:
            continue  # a measured task outside the vocabulary has no gap definition
        for kind in KINDS:
            mine = [
                r
                for r in rows
                if r.kind == kind and r.quantity == "score" and r.benchmark == benchmark
            ]
            dates = _dates(mine)
            if not dates:
                continue
            for pool in POOLS:
                q_points = _quantity(benchmark, pool, "points", *origins)
                q_rel = _quantity(benchmark, pool, "relative", *origins)
                for at in month_ends(min(dates), max(dates)):
                    point = gap_at(mine, q_points, at, kind, memo, resampler)
                    if point.a is None or point.b is None or point.gap is None:
                        continue
                    relative = gap_at(mine, q_rel, at, kind, memo, resampler)
                    out.append(_row(point, relative, benchmark, pool, q_points))
    return out
