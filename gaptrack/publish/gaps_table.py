"""The per-benchmark origin gap printed after a run: best model of origin A minus best of
origin B on the primary metric, in points, with a 95% interval (paired over shared items
where both models answered the same questions, else from the two standard errors)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from gaptrack.compare.evidence import EvidenceKind, measured_rows
from gaptrack.compare.gaps import MIN_ITEMS, Sides, frontier_gap
from gaptrack.store.store import Store
from gaptrack.store.summary import Stored


def _limit_key(limit: int | None) -> int:
    return -1 if limit is None else limit


def gap_rows(
    records: Sequence[Stored], origin_a: str, origin_b: str, store: Store | None = None
) -> list[list[str]]:
    """One row per (task, limit): models are only compared on runs with the same limit. The
    frontier, the gap and its interval come from compare.gaps (the one gap engine).
    `store`: the Store the records came from (it reads their items)."""
    by_key = {r.key: r for r in records}
    rows = []
    runs = sorted(
        {(r.task.name, r.task.limit) for r in records}, key=lambda t: (t[0], _limit_key(t[1]))
    )
    for task, limit in runs:
        evidence = measured_rows(
            (r for r in records if (r.task.name, r.task.limit) == (task, limit)), store
        )
        sides = Sides(
            rows_a=[r for r in evidence if r.origin == origin_a],
            rows_b=[r for r in evidence if r.origin == origin_b],
            origin_a=origin_a,
            origin_b=origin_b,
            benchmarks=[evidence[0].benchmark],
            unit="points",
        )
        point = frontier_gap(sides, dt.date.max, EvidenceKind.MEASURED)
        if point.a is None or point.b is None or point.gap is None:
            continue
        a, b = by_key[point.a.rows[0].row_id], by_key[point.b.rows[0].row_id]
        interval = point.interval
        n_items = min(a.task.n_samples, b.task.n_samples)
        thin = f"  (only {n_items} items: too few to judge)" if n_items < MIN_ITEMS else ""
        rows.append(
            [
                task,
                "all" if limit is None else str(limit),
                str(a.task.primary_metric),
                f"{a.model.id} {point.a.value:.1f}",
                f"{b.model.id} {point.b.value:.1f}",
                f"{point.gap:+.1f}",
                f"[{interval.low:+.1f}, {interval.high:+.1f}]" if interval else "n/a",
                (interval.method.text if interval else "no uncertainty published") + thin,
                point.run_differences or "same",
            ]
        )
    return rows
