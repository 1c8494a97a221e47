"""The gap over time as typed rows: for each benchmark, evidence kind and model pool (all
models or open-weight only), the frontier of each origin at every month end and the gap
between them. The frontier, the gap and its interval all come from compare.gaps (the one
gap engine); this module only decides which dates and pools to ask it about."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Literal

from gaptrack.base import Frozen
from gaptrack.compare.claims import GapQuantity
from gaptrack.compare.dates import month_ends
from gaptrack.compare.evidence import EvidenceRow
from gaptrack.compare.evidence.tiers import TIERS, Tier, tier_of
from gaptrack.compare.gaps import (
    Contender,
    GapPoint,
    Ranking,
    Resampler,
    Sides,
    candidates_at,
    frontier_gap,
    marker_label,
    point_in_time,
    released_of,
    side_rows,
)
from gaptrack.compare.stats import Interval
from gaptrack.compare.vocabulary import BENCHMARKS

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
    tier: Tier
    """Source tier of every row behind the point (evidence.tiers; never mixed): a
    third-party series, the developers' own series and the compilations' copies are
    separate rows, so a best-of-N self-report never wins a third-party series' maximum."""
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
    marker: str | None = None
    """Set on a figure that is not point-in-time (compare.gaps.point_in_time): a report's
    derived or later-recomputed rating, drawn as a labelled marker beside the series and
    never joined into it (gap_markers); None on every row of the series."""


def _dates(rows: Sequence[EvidenceRow]) -> list[dt.date]:
    return [
        d for r in rows for d in (released_of(r), getattr(r, "snapshot", None)) if d is not None
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


def _row(
    points: GapPoint,
    relative: GapPoint,
    benchmark: str,
    pool: Pool,
    q: GapQuantity,
    tier: Tier | None = None,
):
    return GapRow(
        benchmark=benchmark,
        at=points.at,
        origin_a=q.origin_a,
        origin_b=q.origin_b,
        pool=pool,
        evidence=points.evidence_kind,
        tier=tier or _tier(points),
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


def _tier(point: GapPoint) -> Tier:
    tiers = {tier_of(r) for r in point.rows}
    if len(tiers) != 1:
        raise ValueError(f"a gap point mixes source tiers: {sorted(tiers)}")
    return tiers.pop()


def gap_table(
    rows: Sequence[EvidenceRow],
    benchmarks: Sequence[str],
    origins: tuple[str, str] = ("US", "CN"),
) -> list[GapRow]:
    """One row per (benchmark, month end, pool, evidence kind, source tier) at which both
    origins have a frontier model; months run from the benchmark's first dated evidence of
    that kind and tier to its last, so the table depends on the evidence alone, never on
    today's date. Tiers are never mixed: third-party runs first, then the developers' own
    reports, then compilations' copies."""
    out = []
    resampler = Resampler()  # months, pools and units meet the same models again
    scores: dict[tuple[str, str, str], list[EvidenceRow]] = {}
    for r in rows:
        # a dated series holds only what was known on each date: see point_in_time
        if r.quantity == "score" and point_in_time(r):
            scores.setdefault((r.benchmark, r.kind, tier_of(r)), []).append(r)
    for benchmark in benchmarks:
        if benchmark not in BENCHMARKS:
            continue  # a measured task outside the vocabulary has no gap definition
        for kind, tier in ((k, t) for k in KINDS for t in TIERS):
            mine = scores.get((benchmark, kind, tier), [])
            dates = _dates(mine)
            if not dates:
                continue
            # pools whose two sides hold the same rows have the same points: measured
            # models are open-weight, so their open-only series is usually the whole one
            series_of: dict[tuple, list] = {}
            for pool in POOLS:
                q_points = _quantity(benchmark, pool, "points", *origins)
                sides = (side_rows(mine, q_points, "a"), side_rows(mine, q_points, "b"))
                same = tuple(tuple(map(id, side)) for side in sides)
                if same not in series_of:
                    series = _Series(sides, q_points, kind, resampler)
                    series_of[same] = [series.at(at) for at in month_ends(min(dates), max(dates))]
                for points in series_of[same]:
                    if points is not None:
                        out.append(_row(*points, benchmark, pool, q_points, tier))
    return out


class _Series:
    """The points of one (benchmark, kind, pool) month by month. The frontier only moves
    when a model is released (or a leaderboard snapshot taken), so a month whose candidate
    models are the previous month's repeats its points with the new date; otherwise the
    one engine (compare.gaps.frontier_gap) computes them, from each side's Ranking where
    there is one."""

    def __init__(
        self,
        sides: tuple[list[EvidenceRow], list[EvidenceRow]],
        q: GapQuantity,
        kind: Kind,
        resampler: Resampler,
    ):
        self.q, self.kind, self.resampler = q, kind, resampler
        self.rows = [*sides[0], *sides[1]]  # the rows of this pool, both sides
        self.rankings = None
        if not BENCHMARKS[q.benchmarks[0]].leaderboard:
            rankings = [Ranking.build(side, q.benchmarks) for side in sides]
            if None not in rankings:
                self.rankings = rankings
        self.last: tuple | None = None

    def at(self, at: dt.date) -> tuple[GapPoint, GapPoint] | None:
        """(points, relative) at `at`, or None where a side has no frontier model."""
        ranked, snapshot, problem = None, None, None
        if self.rankings is None:
            rows_a, rows_b, snapshot, problem = candidates_at(self.rows, self.q, at)
            # a stale snapshot's or an empty side's problem names the date: not shared
            key = (len(rows_a), len(rows_b), snapshot) if problem is None else None
        else:
            reach = self.kind == "measured"
            (known_a, a), (known_b, b) = (r.by(at, reach) for r in self.rankings)
            ranked = (a, b)
            rows_a, rows_b = [r for c in a for r in c.rows], [r for c in b for r in c.rows]
            key = (known_a, known_b)  # how many released: the candidates only grow
        if not rows_a or not rows_b:
            return None  # the table's rows are two-sided
        if key is None or self.last is None or self.last[0] != key:
            point, relative = (
                frontier_gap(
                    Sides.model_construct(  # rows validated when they were read
                        rows_a=rows_a,
                        rows_b=rows_b,
                        origin_a=self.q.origin_a,
                        origin_b=self.q.origin_b,
                        benchmarks=self.q.benchmarks,
                        unit=unit,
                    ),
                    at,
                    self.kind,
                    snapshot=snapshot,
                    problem=problem,
                    resampler=self.resampler,
                    ranked=ranked,
                )
                for unit in ("points", "relative")
            )
            if point.a is None or point.b is None or point.gap is None:
                return None
            self.last = (key, point, relative)
        _, point, relative = self.last
        if point.at != at:
            point, relative = (p.model_copy(update={"at": at}) for p in (point, relative))
        return point, relative


def gap_markers(
    rows: Sequence[EvidenceRow],
    benchmarks: Sequence[str],
    origins: tuple[str, str] = ("US", "CN"),
) -> list[GapRow]:
    """The gaps of the figures left out of the series (not point-in-time): one per source
    (report and edition, or source) and snapshot where both origins have a model, all
    models, each labelled (`marker`). Drawn as separate markers, never joined to the series:
    the AI Index's derived January 2024 rating gap and the 2026 edition's recomputed
    February 2025 one are not what the board showed on those dates."""
    groups: dict[tuple, list[EvidenceRow]] = {}
    for r in rows:
        if r.quantity != "score" or r.benchmark not in benchmarks or point_in_time(r):
            continue
        if r.benchmark not in BENCHMARKS or r.snapshot is None:
            continue
        key = (r.benchmark, r.kind, tier_of(r), marker_label(r), r.snapshot)
        groups.setdefault(key, []).append(r)
    out = []
    for (benchmark, kind, tier, label, snapshot), mine in sorted(groups.items()):
        q = _quantity(benchmark, "all", "points", *origins)
        sides = (side_rows(mine, q, "a"), side_rows(mine, q, "b"))
        if not sides[0] or not sides[1]:
            continue
        point, relative = (
            frontier_gap(
                Sides(
                    rows_a=sides[0],
                    rows_b=sides[1],
                    origin_a=q.origin_a,
                    origin_b=q.origin_b,
                    benchmarks=q.benchmarks,
                    unit=unit,
                ),
                snapshot,
                kind,
                snapshot=snapshot,
            )
            for unit in ("points", "relative")
        )
        if point.gap is None:
            continue
        marker = _row(point, relative, benchmark, "all", q, tier)
        out.append(marker.model_copy(update={"marker": label}))
    return out


TIER_DATES = (dt.date(2024, 12, 31),)
"""Dates at which the report sets each tier's gap beside the all-rows figure: the end of
2024, where self-reported best-of-N figures narrowed the all-rows GPQA Diamond gap that
Epoch AI's own runs keep wide (issue 21)."""


class TierGap(Frozen):
    """One benchmark's gap at one date from one source tier, or from all rows together."""

    benchmark: str
    at: dt.date
    series: str
    """A tier (evidence.tiers) or `all rows` (the maximum over every tier: what gaptrack
    showed before tiers were kept apart)."""
    model_a: str
    model_b: str
    tier_a: str
    """Tier of side A's row (for `all rows`: which tier won the maximum)."""
    tier_b: str
    gap: float
    interval: Interval | None


def tier_comparison(
    rows: Sequence[EvidenceRow],
    benchmarks: Sequence[str],
    dates: Sequence[dt.date] = TIER_DATES,
    origins: tuple[str, str] = ("US", "CN"),
) -> list[TierGap]:
    """Per benchmark and date: the gap on each tier's reported rows alone, and on all rows
    together, all models, point-in-time rows only."""
    from gaptrack.compare.gaps import gap_at

    scored = [
        r
        for r in rows
        if r.quantity == "score"
        and r.kind == "reported"
        and point_in_time(r)
        and r.benchmark in benchmarks
    ]
    out = []
    for benchmark in benchmarks:
        if benchmark not in BENCHMARKS or BENCHMARKS[benchmark].leaderboard:
            continue
        mine = [r for r in scored if r.benchmark == benchmark]
        q = _quantity(benchmark, "all", "points", *origins)
        for at in dates:
            found = []
            for series in (*TIERS, "all rows"):
                chosen = mine if series == "all rows" else [r for r in mine if tier_of(r) == series]
                point = gap_at(chosen, q, at, "reported")
                if point.gap is None or point.a is None or point.b is None:
                    continue
                found.append(
                    TierGap(
                        benchmark=benchmark,
                        at=at,
                        series=series,
                        model_a=point.a.model,
                        model_b=point.b.model,
                        tier_a=tier_of(point.a.rows[0]),
                        tier_b=tier_of(point.b.rows[0]),
                        gap=point.gap,
                        interval=point.interval,
                    )
                )
            if any(f.series == "third_party_run" for f in found):
                out += found
    return out
