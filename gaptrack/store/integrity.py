"""Is a record what the run wrote? Its content digest must match, and where a metric is
the mean of per-item scores, the items must average to it. A record that fails either is
reported and left out of every table and verdict; nothing is deleted."""

from __future__ import annotations

import math
from collections import defaultdict

from gaptrack.store.records import ResultRecord, content_digest

# lm-eval aggregates these by the mean of their per-item values.
MEAN_METRICS = frozenset({"acc", "acc_norm", "exact_match"})
# lm-eval sums in float64 and we compare to what it wrote: rounding stays far below this.
TOLERANCE = 1e-6


def digest_problem(record: ResultRecord) -> str | None:
    if record.content_digest is None:  # a migrated version-1 record carries none
        return None
    if content_digest(record.metrics, record.items) != record.content_digest:
        return "content digest mismatch: its metrics or items changed after the run wrote it"
    return None


def items_problem(record: ResultRecord) -> str | None:
    """A mean metric that its items do not average to. For a group, lm-eval averages
    either over all items (weighted by size) or over the subtasks' means: either agrees."""
    if not record.items:
        return None
    for metric in record.metrics:
        if metric.name not in MEAN_METRICS:
            continue
        label = metric.label
        primary = label == record.metric().label
        by_subtask: dict[str | None, list[float]] = defaultdict(list)
        for item in record.items:
            value = item.scores.get(label)
            if value is None and primary and item.correct is not None:
                value = float(item.correct)  # `correct` is the primary metric's item value
            if value is None:
                break
            by_subtask[item.subtask].append(value)
        else:
            values = [v for vs in by_subtask.values() for v in vs]
            overall = math.fsum(values) / len(values)
            means = [math.fsum(vs) / len(vs) for vs in by_subtask.values()]
            candidates = [overall, math.fsum(means) / len(means)]
            if not any(abs(c - metric.value) <= TOLERANCE for c in candidates):
                return (
                    f"metric {label} is {metric.value:.6g} but its {len(values)} items "
                    f"average {overall:.6g}"
                )
    return None


def record_problem(record: ResultRecord) -> str | None:
    """Why `record` cannot be trusted, or None."""
    return digest_problem(record) or items_problem(record)
