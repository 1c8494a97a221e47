"""The AI Index 2025 table of US-China benchmark gaps (MMLU, MMMU, MATH, HumanEval, end of
2023 and end of 2024) next to the gap gaptrack computes from the reported scores it holds,
with the models on each side and, where the two differ, the likely reasons.

The report's summary does not name the models it compared, so a reason here is a tested
alternative, not a reconstruction: gaptrack recomputes the gap without late releases,
within one setting, or without either side's frontier model, and says which of these
comes closer to the published figure."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from gaptrack.base import Frozen
from gaptrack.compare.dates import period_end
from gaptrack.compare.evidence import EvidenceKind, EvidenceRow
from gaptrack.compare.evidence.settings import differences, not_comparable
from gaptrack.compare.gaps import Contender, GapPoint, Sides, frontier_gap, identity, released_of
from gaptrack.compare.stats import Interval

REPORT, EDITION = "AI Index", "2025"
TABLE_BENCHMARKS = ("mmlu", "mmmu", "math", "humaneval")
LATE_DAYS = 45
"""A model released this close before the date may postdate the report's data collection."""
CLOSER = 1.0
"""An alternative explains a difference when it comes at least this many points closer."""


class Side(Frozen):
    """One side's frontier model as the table prints it."""

    model: str
    """Display name."""
    released: dt.date | None
    """Release date."""
    value: float
    """Its score."""
    setting: str
    """Metric or setting as its source states it."""
    row_id: str
    """Evidence row."""


class PublishedGapRow(Frozen):
    """One cell of the published table, with gaptrack's value beside it."""

    benchmark: str
    """Benchmark id."""
    at: dt.date
    """End of the period the published gap refers to."""
    published: float
    """The report's gap, US minus CN, in points."""
    published_id: str
    """Evidence row of the published gap."""
    computed: float | None
    """gaptrack's gap from the reported scores, in points."""
    interval: Interval | None
    """Its 95 % interval (binomial standard errors from the item counts, or published)."""
    us: Side | None
    """US frontier model."""
    cn: Side | None
    """Chinese frontier model."""
    agrees: bool
    """The published value lies inside gaptrack's interval (or within 0.5 points)."""
    why: list[str] = []
    """Where they differ: tested alternatives and what they give."""


def _side(c: Contender | None) -> Side | None:
    if c is None:
        return None
    row = c.rows[0]
    return Side(
        model=c.model,
        released=c.released,
        value=c.value,
        setting=row.metric or "setting not stated",
        row_id=row.row_id,
    )


def _gap(rows: Sequence[EvidenceRow], bench: str, at: dt.date) -> GapPoint:
    sides = Sides(
        rows_a=[r for r in rows if r.origin == "US"],
        rows_b=[r for r in rows if r.origin == "CN"],
        origin_a="US",
        origin_b="CN",
        benchmarks=[bench],
        unit="points",
    )
    return frontier_gap(sides, at, EvidenceKind.REPORTED)


def _alternatives(
    rows: list[EvidenceRow], point: GapPoint, bench: str, at: dt.date
) -> list[tuple[str, float]]:
    """(description, gap) of the recomputations that could explain a difference."""
    out = []
    late = [r for r in rows if (at - released_of(r)).days <= LATE_DAYS]
    if late:
        named = sorted({f"{r.model} ({released_of(r).isoformat()})" for r in late})
        names = ", ".join(named[:4]) + (f" and {len(named) - 4} more" if len(named) > 4 else "")
        alt = _gap([r for r in rows if r not in late], bench, at)
        if alt.gap is not None:
            out.append(
                (
                    f"later release date: without {names}, released within {LATE_DAYS} "
                    f"days of {at.isoformat()}",
                    alt.gap,
                )
            )
    if point.a and point.b and point.a.rows[0].metric != point.b.rows[0].metric:
        for setting in sorted({point.a.rows[0].metric, point.b.rows[0].metric}):
            alt = _gap([r for r in rows if r.metric == setting], bench, at)
            if alt.gap is not None:
                out.append(
                    (
                        f"different setting: only {setting or 'unstated'} scores "
                        f"({alt.a.model} vs {alt.b.model})",
                        alt.gap,
                    )
                )
    for side, name in ((point.a, "US"), (point.b, "CN")):
        if side is None:
            continue
        alt = _gap([r for r in rows if identity(r) != identity(side.rows[0])], bench, at)
        if alt.gap is not None:
            out.append(
                (
                    f"different model set: without {name} frontier {side.model} "
                    f"({alt.a.model} vs {alt.b.model})",
                    alt.gap,
                )
            )
    return out


def _explain(
    rows: list[EvidenceRow], point: GapPoint, published: float, bench: str, at: dt.date
) -> list[str]:
    if point.gap is None:
        return [point.problem or "no gap computed"]
    why = []
    # the settings as read (evidence/settings.py), not the texts: "Accuracy" and "Score"
    # state the same nothing
    differ = differences(point.a.rows[0], point.b.rows[0]) if point.a and point.b else []
    if differ:
        why.append(
            f"settings differ: US {point.a.rows[0].metric or 'unstated'} vs CN "
            f"{point.b.rows[0].metric or 'unstated'} ({'; '.join(differ)})"
        )
    base = abs(point.gap - published)
    for text, gap in _alternatives(rows, point, bench, at):
        closer = base - abs(gap - published)
        verdict = "closer" if closer >= CLOSER else "not closer"
        why.append(f"{text}: {gap:+.1f} ({verdict} to {published:g})")
    why.append("the report's summary does not name the models it compared")
    return why


def published_gap_table(rows: Sequence[EvidenceRow]) -> list[PublishedGapRow]:
    """Every published US-CN gap of the AI Index 2025 on the table's benchmarks, with
    gaptrack's recomputation from the reported scores (any source, released by the date)."""
    scores = [r for r in rows if r.kind == "reported" and getattr(r, "quantity", None) == "score"]
    out = []
    gaps = [r for r in rows if getattr(r, "quantity", None) == "gap_abs"]
    for pub in sorted(gaps, key=lambda r: (r.benchmark, r.snapshot or dt.date.min)):
        if not (
            pub.kind == "reported"
            and pub.quantity == "gap_abs"
            and pub.benchmark in TABLE_BENCHMARKS
            and (pub.report, pub.edition) == (REPORT, EDITION)
            and (pub.origin, pub.origin_b) == ("US", "CN")
            and pub.snapshot is not None
            and pub.value is not None
        ):
            continue
        at = period_end(pub.snapshot.strftime("%Y-%m"))
        # the gap engine's own rules: registry release dates (one per model version) and
        # single-attempt scores only, so this table and the claims' verdicts agree
        bench_rows = [
            r
            for r in scores
            if r.benchmark == pub.benchmark
            and r.value is not None
            and not not_comparable(r)
            and (released := released_of(r)) is not None
            and released <= at
        ]
        point = _gap(bench_rows, pub.benchmark, at)
        interval = point.interval
        if point.gap is None:
            agrees = False
        elif interval is not None:
            agrees = interval.contains(pub.value)
        else:
            agrees = abs(point.gap - pub.value) <= 0.5
        out.append(
            PublishedGapRow(
                benchmark=pub.benchmark,
                at=at,
                published=pub.value,
                published_id=pub.row_id,
                computed=point.gap,
                interval=interval,
                us=_side(point.a),
                cn=_side(point.b),
                agrees=agrees,
                why=[] if agrees else _explain(bench_rows, point, pub.value, pub.benchmark, at),
            )
        )
    return out
