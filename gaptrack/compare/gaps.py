"""The gap between the frontiers of two origins at a date, and its monthly series.

Frontier at date d: the best model of the origin released on or before d; for a
leaderboard, the best of the origin in the latest snapshot taken on or before d."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Literal

import numpy as np

from gaptrack.base import Frozen
from gaptrack.compare.claims import GapQuantity
from gaptrack.compare.dates import month_ends
from gaptrack.compare.evidence import EvidenceKind, EvidenceRow
from gaptrack.compare.evidence.registry import row_identity
from gaptrack.compare.evidence.settings import not_comparable
from gaptrack.compare.stats import (
    BOOTSTRAP_RESAMPLES,
    BOOTSTRAP_SEED,
    Z95,
    Interval,
    IntervalMethod,
    McNemar,
    PairedSample,
    binomial_se,
    gap_value,
    mcnemar,
    paired_bootstrap,
    resample_weights,
    resampled_scores,
    select_best,
    unpaired_interval,
)
from gaptrack.compare.vocabulary import BENCHMARKS
from gaptrack.store.records import Item

CONTEMPORANEOUS_DAYS = 7
"""A leaderboard row published more than this after its snapshot was not on the board of
that date: a report's later restatement, or a rating recomputed on a newer scale."""
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
    items: dict[str, int] = {}
    """Items behind each score, by row id: the items scored (measured) or the benchmark's
    item count the binomial error assumes (reported rows without a published error)."""
    run_differences: str = ""
    """Measured points: how the two frontier models' records were not run alike
    (`backends differ: hf vs vllm`, `settings differ: ...`); empty where they were."""
    reselected: tuple[float, float] | None = None
    """Measured points: share of bootstrap resamples in which side A's (B's) observed best
    model is again the best; low values mean the frontier model itself is uncertain."""

    @property
    def rows(self) -> list[EvidenceRow]:
        return [*(self.a.rows if self.a else []), *(self.b.rows if self.b else [])]


def point_in_time(row: EvidenceRow) -> bool:
    """Whether the row may join a dated series: it says what was known on its date. Not a
    figure derived from other published figures (the AI Index's January 2024 Arena ratings,
    computed back from its published gap), and, on a leaderboard, only ratings published
    with their snapshot (within CONTEMPORANEOUS_DAYS): a later report's restatement or a
    rating recomputed on a later board (the AI Index 2026's February 2025 figures) shows
    a board nobody saw on that date. Scores of fixed test sets join from their model's
    release date (`candidates_at`). Rows failing this are drawn as labelled markers."""
    if getattr(row, "source_kind", "") == "derived" or row.derived_from:
        return False
    bench = BENCHMARKS.get(getattr(row, "benchmark", ""))
    if bench is None or not bench.leaderboard or row.kind == EvidenceKind.MEASURED:
        return True
    snapshot, published = getattr(row, "snapshot", None), row.published
    return (
        snapshot is not None
        and published is not None
        and published <= snapshot + dt.timedelta(days=CONTEMPORANEOUS_DAYS)
    )


def marker_label(row: EvidenceRow) -> str:
    """How a row that is not point-in-time is labelled where it is drawn."""
    who = " ".join(x for x in (row.report, row.edition) if x) or row.source
    if getattr(row, "source_kind", "") == "derived" or row.derived_from:
        how = "derived from its published gap"
    else:
        how = "restated or recomputed after its snapshot"
    when = (
        f"published {row.published.isoformat()}"
        if row.published
        else "publication date not recorded"
    )
    return f"{who} ({how}; {when})"


def identity(row: EvidenceRow) -> str:
    """Which model a row is about: the registry's version (evidence/models.yaml), so that
    one model under several sources' names is one contender; a measured row keeps its
    catalogue id (the weights gaptrack ran), and a model the registry does not know its
    own id or name."""
    if row.kind == EvidenceKind.MEASURED and row.model_id:
        return row.model_id
    return row_identity(row)[0]


def released_of(row: EvidenceRow) -> dt.date | None:
    """A row's release date: its registry version's (one date per version, whatever a
    source says), else the row's own."""
    return row_identity(row)[1]


def side_rows(rows: Iterable[EvidenceRow], quantity: GapQuantity, side: str) -> list[EvidenceRow]:
    """One side's candidate score rows: its origin, the quantity's benchmarks and model
    filters, and single-attempt scores only (evidence/settings.py: a best-of-N, majority
    vote or pass@k row never pairs with pass@1; `check` names the rows left out)."""
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
        if not_comparable(row):
            continue
        out.append(row)
    return out


def _pick(rows: Sequence[EvidenceRow]) -> EvidenceRow:
    """Of several rows for one model and benchmark: the most recently published source,
    then the lowest row id (deterministic)."""
    return sorted(rows, key=lambda r: (-(r.published or dt.date.min).toordinal(), r.row_id))[0]


def contenders(
    rows: Sequence[EvidenceRow], benchmarks: Sequence[str], reach: bool = False
) -> list[Contender]:
    """Every model among rows (already restricted to one side and date) with a score on
    each of `benchmarks`, best first: highest value or mean over the benchmarks; ties go to
    the model released first, then to the alphabetically first name. `reach`: only those
    `within_reach` of the best (decided before any Contender is built: a table of a
    thousand models builds a few dozen)."""
    by_model: dict[str, dict[str, list[EvidenceRow]]] = {}
    for row in rows:
        by_model.setdefault(identity(row), {}).setdefault(row.benchmark, []).append(row)
    found = []
    for per_bench in by_model.values():
        if any(b not in per_bench for b in benchmarks):
            continue
        chosen = [_pick(per_bench[b]) for b in benchmarks]
        value = sum(r.value for r in chosen) / len(chosen)
        first = chosen[0]
        found.append((-value, released_of(first) or dt.date.max, first.model, chosen))
    found.sort(key=lambda f: f[:3])
    if reach and found:
        best, best_se = -found[0][0], _se_value(found[0][3])
        found = [f for f in found if _reachable(best, best_se, -f[0], lambda f=f: _se_value(f[3]))]
    return [
        # built from rows validated when they were read: validating them again here
        # was a third of a report's gap table time
        Contender.model_construct(
            model=chosen[0].model,
            origin=chosen[0].origin or "",
            value=-negative,
            released=released_of(chosen[0]),
            rows=chosen,
        )
        for negative, _, _, chosen in found
    ]


def frontier(rows: Sequence[EvidenceRow], benchmarks: Sequence[str]) -> Contender | None:
    """The best of `contenders`, None where no model has every benchmark."""
    ranked = contenders(rows, benchmarks)
    return ranked[0] if ranked else None


def row_se(row: EvidenceRow) -> tuple[float, str] | None:
    """A row's standard error and where it comes from: published (or measured), implied
    by a published 95 % interval, or binomial from the benchmark's item count."""
    if row.stderr is not None:
        return row.stderr, f"{row.row_id}: se {row.stderr:.3g} published"
    if row.ci_low is not None and row.ci_high is not None:
        se = (row.ci_high - row.ci_low) / (2 * Z95)
        return se, f"{row.row_id}: se {se:.3g} from the published 95 % interval"
    bench = BENCHMARKS.get(row.benchmark)
    if bench is not None and bench.items and bench.scale == "percent" and row.value is not None:
        se = binomial_se(row.value, bench.items)
        return se, f"{row.row_id}: binomial se {se:.3g} from {bench.items} items"
    return None


def _combined_se(rows: Sequence[EvidenceRow]) -> tuple[float, list[str]] | None:
    """Standard error of a mean over benchmarks from the benchmarks' own errors."""
    errors, how = [], []
    for row in rows:
        found = row_se(row)
        if found is None:
            return None
        errors.append(found[0])
        how.append(found[1])
    return sum(e * e for e in errors) ** 0.5 / len(errors), how


def candidates_at(
    rows: Sequence[EvidenceRow], quantity: GapQuantity, at: dt.date
) -> tuple[list[EvidenceRow], list[EvidenceRow], dt.date | None, str | None]:
    side_a = side_rows(rows, quantity, "a")
    side_b = side_rows(rows, quantity, "b")
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
        released = released_of(row)
        return released is not None and released <= at

    return [r for r in side_a if known(r)], [r for r in side_b if known(r)], None, None


def gap_at(
    rows: Sequence[EvidenceRow],
    quantity: GapQuantity,
    at: dt.date,
    kind: EvidenceKind,
    resampler: Resampler | None = None,
) -> GapPoint:
    """The gap between the two origins' frontiers at `at`, from rows of one evidence kind.
    `resampler`: shared by the points of one table, so each model is resampled once even
    where the candidates change."""
    rows = [r for r in rows if r.kind == kind]
    rows_a, rows_b, snapshot, problem = candidates_at(rows, quantity, at)
    sides = Sides(
        rows_a=rows_a,
        rows_b=rows_b,
        origin_a=quantity.origin_a,
        origin_b=quantity.origin_b,
        benchmarks=quantity.benchmarks,
        unit=quantity.unit,
    )
    return frontier_gap(sides, at, kind, snapshot=snapshot, problem=problem, resampler=resampler)


class Sides(Frozen):
    """The candidate rows of the two sides of a gap, already restricted by date."""

    rows_a: list[EvidenceRow]
    """Side A's rows (any number of models)."""
    rows_b: list[EvidenceRow]
    """Side B's rows."""
    origin_a: str
    """Side A's origin (for messages)."""
    origin_b: str
    """Side B's origin."""
    benchmarks: list[str]
    """Benchmarks of the score (several: the mean over them, per model)."""
    unit: Literal["points", "relative"]
    """A - B or (A - B) / B * 100."""


def frontier_gap(
    sides: Sides,
    at: dt.date,
    kind: EvidenceKind,
    snapshot: dt.date | None = None,
    problem: str | None = None,
    resampler: Resampler | None = None,
    ranked: tuple[list[Contender], list[Contender]] | None = None,
) -> GapPoint:
    """The one gap engine: best of side A minus best of side B, with an interval. Measured
    rows on shared items get the selection-aware bootstrap (the best model of each side is
    re-selected in every resample); otherwise the two frontier models' standard errors
    (published, from a published interval, or binomial from the item count). `ranked`:
    each side's `contenders` of these rows where the caller has them (a Ranking)."""
    # measured: only the models the selection bootstrap could pick (the best comes first)
    reach = kind == "measured"
    cands_a, cands_b = ranked or (
        contenders(sides.rows_a, sides.benchmarks, reach),
        contenders(sides.rows_b, sides.benchmarks, reach),
    )
    a, b = (cands_a or [None])[0], (cands_b or [None])[0]
    base = {
        "at": at,
        "evidence_kind": kind,
        "snapshot": snapshot,
        "a": a,
        "b": b,
        "items": _items(c for c in (a, b) if c is not None),
        "run_differences": run_differences(a, b) if a is not None and b is not None else "",
    }
    missing = [o for side, o in ((a, sides.origin_a), (b, sides.origin_b)) if side is None]
    if missing:
        reason = problem or (
            f"no {kind} evidence for origin {', '.join(missing)} on "
            f"{'+'.join(sides.benchmarks)} by {at.isoformat()}"
        )
        return GapPoint(**base, problem=reason)
    if kind == "measured":
        thin = [c.model for c in (a, b) if any((r.n_samples or 0) < MIN_ITEMS for r in c.rows)]
        if thin:
            problem = f"too few items (< {MIN_ITEMS}) for {', '.join(thin)}"
        point = _measured_point(cands_a, cands_b, sides.unit, base, problem, resampler)
        if point is not None:
            return point
    gap = gap_value(a.value, b.value, sides.unit)
    se_a, se_b = _combined_se(a.rows), _combined_se(b.rows)
    if se_a is not None and se_b is not None and gap is not None:
        interval = unpaired_interval(a.value, se_a[0], b.value, se_b[0], sides.unit)
        if interval is not None:
            how = "; ".join(se_a[1] + se_b[1])
            method = interval.method.model_copy(update={"note": how})
            interval = interval.model_copy(update={"method": method})
        return GapPoint(**base, gap=gap, interval=interval, uncertainty="unpaired", problem=problem)
    uncertainty = "none published" if kind == "reported" else "none"
    return GapPoint(**base, gap=gap, uncertainty=uncertainty, problem=problem)


def run_differences(a: Contender, b: Contender) -> str:
    """Where the two contenders' measured rows were run with different backends (hf vs
    vLLM) or generation settings, or by different hands (gaptrack vs an imported run):
    the gap then mixes the models with how they were run.
    Empty where they match, or where a side has no such record (reported rows)."""
    notes = []
    for field, what in (
        ("backend", "backends"),
        ("generation", "settings"),
        ("measured_by", "runs"),
    ):
        one, other = (
            {
                getattr(r, field, None) if str(getattr(r, "kind", "")) == "measured" else None
                for r in c.rows
            }
            for c in (a, b)
        )
        if None in one | other or one == other:
            continue
        notes.append(f"{what} differ: {' + '.join(sorted(one))} vs {' + '.join(sorted(other))}")
    return "; ".join(notes)


REACH_Z = 6.0
"""A model whose score is more than REACH_Z * (its standard error + the best's) below its
side's best is never the best in a bootstrap resample (a normal tail of 1e-9 per resample,
even with the two errors perfectly anti-correlated), so resampling it changes nothing."""


def within_reach(ranked: list[Contender]) -> list[Contender]:
    """The contenders (best first) that could be their side's best in some resample: all
    within REACH_Z standard errors of the best, and any without a standard error. Keeps a
    store of thousands of models from reading thousands of items files per gap."""
    if not ranked:
        return ranked
    best, best_se = ranked[0].value, _se_value(ranked[0].rows)
    return [c for c in ranked if _reachable(best, best_se, c.value, lambda c=c: _se_value(c.rows))]


def _se_value(rows: Sequence[EvidenceRow]) -> float | None:
    found = _combined_se(rows)
    return None if found is None else found[0]


def _reachable(best: float, best_se: float | None, value: float, se) -> bool:
    """`se`: the contender's standard error, or a callable giving it (asked only where
    needed: most contenders are decided by their value alone)."""
    if best_se is None or value >= best:
        return True
    se = se() if callable(se) else se
    return se is None or value >= best - REACH_Z * (best_se + se)


class Ranking:
    """One side's models ranked once for every date of a series. A model's score and its
    tie-break (release date, name) do not depend on which other models are present, so
    `contenders` of the rows released by a date are this ranking's models released by
    then, in the same order: a monthly series filters one list instead of re-ranking
    every model each month. Holds where each model's rows share one release date
    (`build` returns None otherwise, and the caller ranks each date on its own)."""

    def __init__(self, ranked: list[Contender]):
        self.ranked = ranked
        self.se = [_se_value(c.rows) for c in ranked]

    @classmethod
    def build(cls, rows: Sequence[EvidenceRow], benchmarks: Sequence[str]) -> Ranking | None:
        released: dict[str, dt.date | None] = {}
        for row in rows:
            date = released_of(row)
            if released.setdefault(identity(row), date) != date:
                return None
        return cls(contenders(rows, benchmarks))

    def by(self, at: dt.date, reach: bool) -> tuple[int, list[Contender]]:
        """How many models were released by `at`, and those of them `contenders` would
        return (with `reach`: only those within reach of the best, as contenders does)."""
        known = [
            i for i, c in enumerate(self.ranked) if c.released is not None and c.released <= at
        ]
        if reach and known:
            best, best_se = self.ranked[known[0]].value, self.se[known[0]]
            kept = [i for i in known if _reachable(best, best_se, self.ranked[i].value, self.se[i])]
        else:
            kept = known
        return len(known), [self.ranked[i] for i in kept]


def _items(sides) -> dict[str, int]:
    out = {}
    for side in sides:
        for row in side.rows:
            bench = BENCHMARKS.get(row.benchmark)
            n = row.n_samples or (bench.items if bench else None)
            if n:
                out[row.row_id] = n
    return out


def _key_map(items: Sequence[Item]) -> dict[tuple, bool]:
    """Correctness by item identity (subtask, doc id, prompt): the same question."""
    return {(i.subtask, i.doc_id, i.prompt_hash): i.correct for i in items if i.correct is not None}


def _item_map(row: EvidenceRow) -> dict[tuple, bool]:
    return row.row_correct()


def pair_items(
    items_a: Sequence[Item], items_b: Sequence[Item], n_a: int, n_b: int
) -> PairedSample | None:
    """Correctness of two models on the items both answered, in A's order, or None when
    they share too few of their items to be compared item by item."""
    by_key_b = _key_map(items_b)
    pairs = [(c, by_key_b[k]) for k, c in _key_map(items_a).items() if k in by_key_b]
    if not pairs or len(pairs) < MIN_PAIRED_SHARE * min(n_a, n_b):
        return None
    return PairedSample(a=[p[0] for p in pairs], b=[p[1] for p in pairs])


def shared_matrices(
    cands_a: Sequence[Contender], cands_b: Sequence[Contender]
) -> tuple[list[np.ndarray], list[np.ndarray]] | None:
    """Per benchmark, 0/1 matrices (models x items) of both sides on the items every model
    answered, or None when they share under MIN_PAIRED_SHARE of the smallest item count."""
    resampler = Resampler()
    keys = resampler.shared([*cands_a, *cands_b])
    if keys is None:
        return None
    mats = [resampler.matrix([c.rows[k] for c in cands_a], keys[k]) for k in range(len(keys))]
    mats_b = [resampler.matrix([c.rows[k] for c in cands_b], keys[k]) for k in range(len(keys))]
    return mats, mats_b


WEIGHTS_BYTES = 64 * 2**20
"""Largest set of resample weights a Resampler keeps for reuse."""


class Resampler:
    """The bootstrap of a table of gaps, computed once per contender: a contender's
    resampled scores depend only on its items, the shared item set and the seed (the draws
    depend on the item counts alone), so a table of months x pools x units that meets the
    same models again reuses them. Identical to resampling each point on its own (the
    counts are integers: no rounding differs); lives for one table (rows kept alive, so
    their ids stay unique)."""

    def __init__(self, resamples: int = BOOTSTRAP_RESAMPLES, seed: int = BOOTSTRAP_SEED):
        self.resamples = resamples
        self.seed = seed
        # per row: (row, its item keys in file order, those keys as a set, correctness)
        self._rows: dict[int, tuple[EvidenceRow, tuple, frozenset, np.ndarray]] = {}
        # equal key tuples and sets are interned: rows of one task share one object
        self._orders: dict[tuple, tuple[tuple, frozenset]] = {}
        self._interned: dict[frozenset, frozenset] = {}
        self._sorted: dict[int, tuple] = {}
        self._positions: dict[tuple[int, int], np.ndarray | None] = {}
        self._scores: dict[tuple, tuple[float, np.ndarray]] = {}
        self._drawn: dict[tuple, list[list[np.ndarray]]] = {}
        self._recent: dict[tuple, tuple[np.ndarray, np.ndarray]] = {}

    def _items(self, row: EvidenceRow) -> tuple[tuple, frozenset, np.ndarray]:
        hit = self._rows.get(id(row))
        if hit is None:
            correct = _item_map(row)
            order = tuple(correct)
            interned = self._orders.get(order)
            if interned is None:
                keys = frozenset(order)
                interned = self._orders[order] = (order, self._interned.setdefault(keys, keys))
            order, keys = interned
            values = np.fromiter(correct.values(), dtype=bool, count=len(correct))
            hit = self._rows[id(row)] = (row, order, keys, values)
        return hit[1:]

    def shared(self, everyone: Sequence[Contender]) -> list[tuple] | None:
        """Per benchmark, the sorted keys of the items every contender answered; None when
        they share under MIN_PAIRED_SHARE of the smallest item count."""
        out = []
        for k in range(len(everyone[0].rows)):
            sets = [self._items(c.rows[k])[1] for c in everyone]
            first = sets[0]
            shared = first if all(s is first for s in sets) else frozenset.intersection(*sets)
            smallest = min(
                c.rows[k].n_samples or len(s) for c, s in zip(everyone, sets, strict=True)
            )
            if not shared or len(shared) < MIN_PAIRED_SHARE * smallest:
                return None
            shared = self._interned.setdefault(shared, shared)
            if id(shared) not in self._sorted:
                self._sorted[id(shared)] = tuple(sorted(shared))
            out.append(self._sorted[id(shared)])
        return out

    def _weights(self, keys: list[tuple]) -> list[list[np.ndarray]] | None:
        """The resample weights for these item counts, drawn once per table where they
        fit in WEIGHTS_BYTES (a full MMLU at 2,000 resamples would not: drawn each time)."""
        plan = tuple(len(k) for k in keys)
        if plan not in self._drawn:
            if sum(plan) * self.resamples * 8 > WEIGHTS_BYTES:
                return None
            self._drawn[plan] = resample_weights(plan, self.resamples, self.seed)
        return self._drawn[plan]

    def _vector(self, row: EvidenceRow, keys: tuple) -> np.ndarray:
        """The row's correctness on `keys`, in their order: where its file lists exactly
        these keys in this order (one task, one order: the usual case), its values as
        they are; else through positions worked out once per (file order, keys)."""
        order, _, values = self._items(row)
        if order is keys:
            return values
        pair = (id(order), id(keys))
        if pair not in self._positions:
            at = {key: i for i, key in enumerate(order)}
            self._positions[pair] = np.fromiter((at[key] for key in keys), np.intp, len(keys))
        return values[self._positions[pair]]

    def matrix(self, rows: Sequence[EvidenceRow], keys: tuple) -> np.ndarray:
        return np.array([self._vector(r, keys) for r in rows], dtype=bool).reshape(
            len(rows), len(keys)
        )

    def scores(
        self, contenders: Sequence[Contender], keys: list[tuple]
    ) -> tuple[np.ndarray, np.ndarray]:
        """Observed (models) and resampled (resamples x models) mean scores in percent."""
        shape = tuple(id(k) for k in keys)
        ids = [(tuple(id(r) for r in c.rows), shape) for c in contenders]
        recent = self._recent.get(tuple(ids))
        if recent is not None:
            return recent  # the same contenders again: a point's other unit
        missing = [(i, c) for i, c in zip(ids, contenders, strict=True) if i not in self._scores]
        if missing:
            mats = [
                self.matrix([c.rows[k] for _, c in missing], keys[k]).astype(float)
                for k in range(len(keys))
            ]
            observed = _mean_scores(mats)
            # kept per model as contiguous rows: stacking rows is a copy of whole blocks,
            # where stacking columns of a (resamples x models) array is a strided one
            resampled = np.ascontiguousarray(
                resampled_scores(mats, self.resamples, self.seed, self._weights(keys)).T
            )
            for j, (i, _) in enumerate(missing):
                self._scores[i] = (float(observed[j]), resampled[j])
        found = (
            np.array([self._scores[i][0] for i in ids]),
            np.stack([self._scores[i][1] for i in ids]).T,
        )
        if len(self._recent) >= 4:  # both sides of the last point, in each unit
            self._recent.clear()
        self._recent[tuple(ids)] = found
        return found


def _mean_scores(mats: Sequence[np.ndarray]) -> np.ndarray:
    return np.mean([100.0 * m.sum(axis=1) / m.shape[1] for m in mats], axis=0)


def _measured_point(
    cands_a: list[Contender],
    cands_b: list[Contender],
    unit: Literal["points", "relative"],
    base: dict,
    problem: str | None,
    resampler: Resampler | None = None,
) -> GapPoint | None:
    """Paired point with the selection inside the bootstrap, or None where the models do
    not share their items (the caller falls back to the two standard errors)."""
    resampler = resampler or Resampler()
    keys = resampler.shared([*cands_a, *cands_b])
    if keys is None:
        return None
    obs_a, res_a = resampler.scores(cands_a, keys)
    obs_b, res_b = resampler.scores(cands_b, keys)
    method = IntervalMethod(
        kind="selection_bootstrap",
        resamples=resampler.resamples,
        seed=resampler.seed,
        items=sum(len(k) for k in keys),
        models=(len(cands_a), len(cands_b)),
    )
    result = select_best((obs_a, obs_b), (res_a, res_b), unit, method)
    a, b = cands_a[result.a_index], cands_b[result.b_index]
    pair = [
        PairedSample(
            a=list(resampler.matrix([a.rows[k]], keys[k])[0]),
            b=list(resampler.matrix([b.rows[k]], keys[k])[0]),
        )
        for k in range(len(keys))
    ]
    interval = result.interval
    if len(cands_a) == len(cands_b) == 1:  # nothing selected: the plain paired bootstrap
        interval = paired_bootstrap(pair, unit)
    return GapPoint(
        **{
            **base,
            "a": a,
            "b": b,
            "items": _items((a, b)),
            "run_differences": run_differences(a, b),
        },
        gap=result.gap,
        interval=interval,
        uncertainty="paired",
        mcnemar=mcnemar(pair),
        problem=problem,
        reselected=(result.a_reselected, result.b_reselected),
    )


def gap_series(
    rows: Sequence[EvidenceRow],
    quantity: GapQuantity,
    start: dt.date,
    end: dt.date,
    kind: EvidenceKind,
) -> list[GapPoint]:
    """The gap at the end of every month from start to end."""
    return [gap_at(rows, quantity, month_end, kind) for month_end in month_ends(start, end)]
