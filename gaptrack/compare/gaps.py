"""The gap between the frontiers of two origins at a date, and its monthly series.

Frontier at date d: the best model of the origin released on or before d; for a
leaderboard, the best of the origin in the latest snapshot taken on or before d."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Literal

from gaptrack.base import Frozen
from gaptrack.compare.benchmarks import BENCHMARKS
from gaptrack.compare.claims import GapQuantity
from gaptrack.compare.dates import month_ends
from gaptrack.compare.evidence import EvidenceKind, EvidenceRow
from gaptrack.compare.stats import (
    Interval,
    McNemar,
    PairedSample,
    gap_value,
    mcnemar,
    paired_bootstrap,
    paired_point,
    unpaired_interval,
)
from gaptrack.store.records import Item

MAX_SNAPSHOT_AGE_DAYS = 183
"""A leaderboard snapshot older than this at the date asked is stale: too thin to judge."""
MIN_ITEMS = 20
"""A measured score on fewer items is too thin to judge."""
MIN_PAIRED_SHARE = 0.9
"""Pair two measured models only when they share at least this share of their items."""


class Contender(Frozen):
    """The frontier model of one side."""

    model: str
    """Display name."""
    origin: str
    """Its origin."""
    value: float
    """Its score (mean over benchmarks for an aggregate)."""
    released: dt.date | None
    """Release date, where known."""
    rows: list[EvidenceRow]
    """The rows behind the score, one per benchmark."""


class GapPoint(Frozen):
    """The gap between two origins' frontiers at one date."""

    at: dt.date
    """Date asked."""
    evidence_kind: EvidenceKind
    """Which evidence it was computed from."""
    snapshot: dt.date | None = None
    """Leaderboard snapshot used (leaderboards only)."""
    a: Contender | None = None
    """Side A's frontier model; None if side A has no evidence."""
    b: Contender | None = None
    """Side B's frontier model; None if side B has no evidence."""
    gap: float | None = None
    """A - B (points) or (A - B) / B * 100 (relative)."""
    interval: Interval | None = None
    """95 % interval; None where the evidence publishes no uncertainty."""
    uncertainty: Literal["paired", "unpaired", "none published", "none"] = "none"
    """How the interval was obtained: paired items, two standard errors, or not at all."""
    mcnemar: McNemar | None = None
    """Paired test of A vs B (single benchmarks and pooled aggregates, measured only)."""
    problem: str | None = None
    """Why the point cannot support a verdict: missing side, stale snapshot, few items."""

    @property
    def rows(self) -> list[EvidenceRow]:
        return [*(self.a.rows if self.a else []), *(self.b.rows if self.b else [])]


def _side_rows(rows: Iterable[EvidenceRow], quantity: GapQuantity, side: str) -> list[EvidenceRow]:
    origin = quantity.origin_a if side == "a" else quantity.origin_b
    open_flag = quantity.open_weights_a if side == "a" else quantity.open_weights_b
    out = []
    for row in rows:
        if row.quantity != "score" or row.benchmark not in quantity.benchmarks:
            continue
        if row.origin != origin or row.value is None:
            continue
        if open_flag is not None and row.open_weights is not open_flag:
            continue
        if quantity.size_class is not None and row.size_class != quantity.size_class:
            continue
        out.append(row)
    return out


def _pick(rows: Sequence[EvidenceRow]) -> EvidenceRow:
    """Of several rows for one model and benchmark: the most recently published source,
    then the lowest row id (deterministic)."""
    return sorted(rows, key=lambda r: (-(r.published or dt.date.min).toordinal(), r.row_id))[0]


def frontier(rows: Sequence[EvidenceRow], benchmarks: Sequence[str]) -> Contender | None:
    """Best model among rows (already restricted to one side and date): highest value or
    mean over `benchmarks` (models lacking one are left out); ties go to the model released
    first, then to the alphabetically first name."""
    by_model: dict[str, dict[str, list[EvidenceRow]]] = {}
    for row in rows:
        by_model.setdefault(row.model_id or row.model, {}).setdefault(row.benchmark, []).append(row)
    contenders = []
    for per_bench in by_model.values():
        if any(b not in per_bench for b in benchmarks):
            continue
        chosen = [_pick(per_bench[b]) for b in benchmarks]
        value = sum(r.value for r in chosen) / len(chosen)
        first = chosen[0]
        contenders.append(
            Contender(
                model=first.model,
                origin=first.origin or "",
                value=value,
                released=first.released,
                rows=chosen,
            )
        )
    if not contenders:
        return None
    return sorted(contenders, key=lambda c: (-c.value, c.released or dt.date.max, c.model))[0]


def pair_items(
    items_a: Sequence[Item], items_b: Sequence[Item], n_a: int, n_b: int
) -> PairedSample | None:
    """Correctness of two models on the items both answered (same doc id and prompt), or
    None when they share too few of their items to be compared item by item."""
    by_key_b = {
        (i.subtask, i.doc_id, i.prompt_hash): i.correct for i in items_b if i.correct is not None
    }
    pa, pb = [], []
    for item in items_a:
        other = by_key_b.get((item.subtask, item.doc_id, item.prompt_hash))
        if item.correct is not None and other is not None:
            pa.append(item.correct)
            pb.append(other)
    if not pa or len(pa) < MIN_PAIRED_SHARE * min(n_a, n_b):
        return None
    return PairedSample(a=pa, b=pb)


def _paired_samples(a: Contender, b: Contender) -> list[PairedSample] | None:
    samples = []
    for row_a, row_b in zip(a.rows, b.rows, strict=True):
        items_a, items_b = row_a.row_items(), row_b.row_items()
        sample = pair_items(
            items_a, items_b, row_a.n_samples or len(items_a), row_b.n_samples or len(items_b)
        )
        if sample is None:
            return None
        samples.append(sample)
    return samples


def _combined_se(rows: Sequence[EvidenceRow]) -> float | None:
    """Standard error of a mean over benchmarks from the benchmarks' own errors."""
    errors = []
    for row in rows:
        if row.stderr is not None:
            errors.append(row.stderr)
        elif row.ci_low is not None and row.ci_high is not None:
            errors.append((row.ci_high - row.ci_low) / (2 * 1.959963984540054))
        else:
            return None
    return sum(e * e for e in errors) ** 0.5 / len(errors)


def _candidates(
    rows: Sequence[EvidenceRow], quantity: GapQuantity, at: dt.date
) -> tuple[list[EvidenceRow], list[EvidenceRow], dt.date | None, str | None]:
    side_a = _side_rows(rows, quantity, "a")
    side_b = _side_rows(rows, quantity, "b")
    if any(BENCHMARKS[b].leaderboard for b in quantity.benchmarks if b in BENCHMARKS):
        dated = [r.snapshot for r in side_a + side_b if r.snapshot and r.snapshot <= at]
        if not dated:
            return [], [], None, f"no leaderboard snapshot on or before {at.isoformat()}"
        snap = max(dated)
        problem = None
        if (at - snap).days > MAX_SNAPSHOT_AGE_DAYS:
            problem = (
                f"latest snapshot {snap.isoformat()} is {(at - snap).days} days before "
                f"{at.isoformat()} (stale)"
            )
        return (
            [r for r in side_a if r.snapshot == snap],
            [r for r in side_b if r.snapshot == snap],
            snap,
            problem,
        )

    def known(row: EvidenceRow) -> bool:
        return row.released is not None and row.released <= at

    return [r for r in side_a if known(r)], [r for r in side_b if known(r)], None, None


def gap_at(
    rows: Sequence[EvidenceRow],
    quantity: GapQuantity,
    at: dt.date,
    kind: EvidenceKind,
) -> GapPoint:
    """The gap between the two origins' frontiers at `at`, from rows of one evidence kind."""
    rows = [r for r in rows if r.kind == kind]
    rows_a, rows_b, snapshot, problem = _candidates(rows, quantity, at)
    a = frontier(rows_a, quantity.benchmarks)
    b = frontier(rows_b, quantity.benchmarks)
    base = {"at": at, "evidence_kind": kind, "snapshot": snapshot, "a": a, "b": b}
    missing = [
        origin for side, origin in ((a, quantity.origin_a), (b, quantity.origin_b)) if side is None
    ]
    if missing:
        reason = problem or (
            f"no {kind} evidence for origin {', '.join(missing)} on "
            f"{'+'.join(quantity.benchmarks)} by {at.isoformat()}"
        )
        return GapPoint(**base, problem=reason)
    if kind == "measured":
        thin = [c.model for c in (a, b) if any((r.n_samples or 0) < MIN_ITEMS for r in c.rows)]
        if thin:
            problem = f"too few items (< {MIN_ITEMS}) for {', '.join(thin)}"
        samples = _paired_samples(a, b)
        if samples is not None:
            _, _, gap = paired_point(samples, quantity.unit)
            interval = paired_bootstrap(samples, quantity.unit)
            return GapPoint(
                **base,
                gap=gap,
                interval=interval,
                uncertainty="paired",
                mcnemar=mcnemar(samples),
                problem=problem,
            )
    gap = gap_value(a.value, b.value, quantity.unit)
    se_a, se_b = _combined_se(a.rows), _combined_se(b.rows)
    if se_a is not None and se_b is not None:
        interval = unpaired_interval(a.value, se_a, b.value, se_b, quantity.unit)
        return GapPoint(**base, gap=gap, interval=interval, uncertainty="unpaired", problem=problem)
    uncertainty = "none published" if kind == "reported" else "none"
    return GapPoint(**base, gap=gap, uncertainty=uncertainty, problem=problem)


def gap_series(
    rows: Sequence[EvidenceRow],
    quantity: GapQuantity,
    start: dt.date,
    end: dt.date,
    kind: EvidenceKind,
) -> list[GapPoint]:
    """The gap at the end of every month from start to end."""
    return [gap_at(rows, quantity, month_end, kind) for month_end in month_ends(start, end)]
