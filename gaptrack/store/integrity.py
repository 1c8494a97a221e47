"""Is a record what the run wrote? Its content digest must match, and where a metric is
the mean of per-item scores, the items must average to it. A record that fails either is
reported and left out of every table and verdict; nothing is deleted."""

from __future__ import annotations

import math
from collections import defaultdict

from gaptrack.store.items import SCORE_PREFIX, Columns, columns_digest
from gaptrack.store.records import (
    SEAL_LEAVES_OUT,
    Item,
    ResultRecord,
    content_digest,
    items_digest,
    seal_of,
    seal_parts,
)

# lm-eval aggregates these by the mean of their per-item values.
MEAN_METRICS = frozenset({"acc", "acc_norm", "exact_match"})
# lm-eval sums in float64 and we compare to what it wrote: rounding stays far below this.
TOLERANCE = 1e-6


def digest_problem(record: ResultRecord, parts: dict[str, str] | None = None) -> str | None:
    """Checks the seal, and inline items; items in a file are checked when read. `parts`:
    `seal_parts` of the record's JSON as read (a version-4 seal is checked over them;
    default: the record's own JSON form)."""
    written = record.written_version
    if record.content_digest is None:
        if written == 1:  # version 1 wrote none; every later version seals its records
            return None
        return f"no content digest (every record since schema version 2 is sealed; this one says {written})"
    if written >= 4:
        if parts is None:
            parts = seal_parts(record.model_dump(mode="json", exclude=set(SEAL_LEAVES_OUT)))
        if seal_of(parts) != record.content_digest:
            return "content digest mismatch: the record changed after the run wrote it"
    elif (
        content_digest(record.metrics, record.items_digest, record.items_file_sha256)
        != record.content_digest
    ):
        return "content digest mismatch: its metrics or items changed after the run wrote it"
    if record.items_file is None and items_digest(record.items) != record.items_digest:
        return "items digest mismatch: its items changed after the run wrote them"
    return None


def loaded_items_problem(record: ResultRecord, items: list[Item]) -> str | None:
    """Items read from the record's items file: its digest, then its means."""
    if record.items_digest is not None and items_digest(items) != record.items_digest:
        return "items digest mismatch: the items file changed after the run wrote it"
    return items_problem(record, items)


def columns_problem(record: ResultRecord, columns: Columns, digest: bool = True) -> str | None:
    """`loaded_items_problem` of an items file read as columns (no Item built). `digest`
    False: the file's bytes matched `items_file_sha256` already, only the means are left."""
    if (
        digest
        and record.items_digest is not None
        and columns_digest(columns) != record.items_digest
    ):
        return "items digest mismatch: the items file changed after the run wrote it"
    scores = {c[len(SCORE_PREFIX) :]: v for c, v in columns.items() if c.startswith(SCORE_PREFIX)}
    return _means_problem(record, columns["subtask"], scores, columns["correct"])


def items_problem(record: ResultRecord, items: list[Item] | None = None) -> str | None:
    """A mean metric that its items do not average to. For a group, lm-eval averages
    either over all items (weighted by size) or over the subtasks' means: either agrees."""
    items = record.items if items is None else items
    labels = {label for item in items for label in item.scores}
    scores = {label: [item.scores.get(label) for item in items] for label in labels}
    return _means_problem(
        record, [item.subtask for item in items], scores, [item.correct for item in items]
    )


def _means_problem(
    record: ResultRecord,
    subtasks: list[str | None],
    scores: dict[str, list[float | None]],
    correct: list[bool | None],
) -> str | None:
    if not subtasks:
        return None
    primary = record.metric().label
    one_group = len(set(subtasks)) == 1
    for metric in record.metrics:
        if metric.name not in MEAN_METRICS:
            continue
        label = metric.label
        column = scores.get(label) or [None] * len(subtasks)
        if one_group and None not in column:
            # every item scored, one group: both candidates are the column's mean (the
            # loop below, without it: pairing checks thousands of these files)
            values, means = column, [math.fsum(column) / len(column)]
        else:
            found = _by_subtask(subtasks, column, correct, label == primary)
            if found is None:
                continue
            values = [v for vs in found.values() for v in vs]
            means = [math.fsum(vs) / len(vs) for vs in found.values()]
        overall = math.fsum(values) / len(values)
        candidates = [overall, math.fsum(means) / len(means)]
        if not any(abs(c - metric.value) <= TOLERANCE for c in candidates):
            return (
                f"metric {label} is {metric.value:.6g} but its {len(values)} items "
                f"average {overall:.6g}"
            )
    return None


def _by_subtask(
    subtasks: list[str | None],
    column: list[float | None],
    correct: list[bool | None],
    primary: bool,
) -> dict[str | None, list[float]] | None:
    """The items' values per subtask; None where an item has no value (not a mean)."""
    by_subtask: dict[str | None, list[float]] = defaultdict(list)
    for subtask, value, ok in zip(subtasks, column, correct, strict=True):
        if value is None and primary and ok is not None:
            value = float(ok)  # `correct` is the primary metric's item value
        if value is None:
            return None
        by_subtask[subtask].append(value)
    return by_subtask


def record_problem(record: ResultRecord, parts: dict[str, str] | None = None) -> str | None:
    """Why `record` cannot be trusted, or None (`parts`: its sealed JSON as read)."""
    return digest_problem(record, parts) or items_problem(record)
