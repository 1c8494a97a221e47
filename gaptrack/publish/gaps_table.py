"""The per-benchmark origin gap printed after a run: best model of origin A minus best of
origin B, on the primary metric, with a 95% interval."""

from __future__ import annotations

from gaptrack.store import ResultRecord


def gap_rows(records: list[ResultRecord], origin_a: str, origin_b: str) -> list[list[str]]:
    from gaptrack.compare.stats import record_gap_interval

    rows = []
    for task in sorted({r.task.name for r in records}):
        best: dict[str, ResultRecord] = {}
        for r in records:
            if r.task.name != task or r.model.origin not in (origin_a, origin_b):
                continue
            if r.model.origin not in best or r.score > best[r.model.origin].score:
                best[r.model.origin] = r
        if len(best) < 2:
            continue
        a, b = best[origin_a], best[origin_b]
        interval = record_gap_interval(a, b)
        rows.append([
            task,
            f"{a.model.id} {a.score:.3f}",
            f"{b.model.id} {b.score:.3f}",
            f"{100 * (a.score - b.score):+.1f}",
            f"[{100 * interval.low:+.1f}, {100 * interval.high:+.1f}]" if interval else "n/a",
            interval.method if interval else "no uncertainty",
        ])
    return rows
