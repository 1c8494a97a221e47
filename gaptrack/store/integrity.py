"""Is a record what the run wrote? Its content digest must match, and where a metric is
the mean of per-item scores, the items must average to it. A record that fails either is
reported and left out of every table and verdict; nothing is deleted."""

from __future__ import annotations

import math
from collections import defaultdict

from gaptrack.store.records import Item, ResultRecord, content_digest, items_digest

# lm-eval aggregates these by the mean of their per-item values.
MEAN_METRICS = frozenset({"acc", "acc_norm", "exact_match"})
# lm-eval sums in float64 and we compare to what it wrote: rounding stays far below this.
TOLERANCE = 1e-6


def digest_problem(record: ResultRecord) -> str | None:
    """Checks the metrics, and inline items; items in a file are checked when read."""
    if record.content_digest is None:  # a migrated version-1 record carries none
        return None
    if content_digest(record.metrics, record.items_digest) != record.content_digest:
        return "content digest mismatch: its metrics or items changed after the run wrote it"
    if record.items_file is None and items_digest(record.items) != record.items_digest:
        return "items digest mismatch: its items changed after the run wrote them"
    return None


def loaded_items_problem(record: ResultRecord, items: list[Item]) -> str | None:
    """Items read from the record's items file: its digest, then its means."""
    if record.items_digest is not None and items_digest(items) != record.items_digest:
        return "items digest mismatch: the items file changed after the run wrote it"
    return items_problem(record, items)


def items_problem(record: ResultRecord, items: list[Item] | None = None) -> str | None:
    """A mean metric that its items do not average to. For a group, lm-eval averages
    either over all items (weighted by size) or over the subtasks' means: either agrees."""
    items = record.items if items is None else items
    if not items:
        return None
    for metric in record.metrics:
        if metric.name not in MEAN_METRICS:
            continue
        label = metric.label
        primary = label == record.metric().label
        by_subtask: dict[str | None, list[float]] = defaultdict(list)
        for item in items:
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
