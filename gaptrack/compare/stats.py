"""Intervals for gaps: paired over shared items where both models saw the same questions,
otherwise from the two standard errors. Every interval says which method made it."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Literal

import numpy as np

from gaptrack.base import Frozen

Z95 = 1.959963984540054
"""The 97.5 % point of the standard normal (scipy's norm.ppf(0.975), to the last digit:
importing scipy.stats for it cost every command 1.5 s)."""
BOOTSTRAP_SEED = 0
BOOTSTRAP_RESAMPLES = 2000
_CHUNK = 250  # resamples per batch: bounds memory on full-size test sets


MethodKind = Literal[
    "paired_bootstrap",
    "selection_bootstrap",
    "unpaired_normal",
    "delta_method",
    "difference",
    "index_bootstrap",
]


class IntervalMethod(Frozen):
    """How an interval was computed, as data (a report can group or filter by it); `text`
    is the same in words."""

    kind: MethodKind
    """`paired_bootstrap`: percentile bootstrap over shared items; `unpaired_normal`:
    normal interval from two independent standard errors; `delta_method`: the same for a
    relative gap (A - B) / B; `difference`: difference of two gaps as independent normals;
    `index_bootstrap`: percentile bootstrap of the capability index (evidence rows redrawn,
    the index refitted in every replicate)."""
    resamples: int | None = None
    """Bootstrap resamples."""
    seed: int | None = None
    """Bootstrap seed."""
    items: int | None = None
    """Items resampled (shared by both models, over all benchmarks)."""
    note: str = ""
    """Where each standard error came from (published, a published interval, or binomial
    from the benchmark's item count), with the row ids."""
    models: tuple[int, int] | None = None
    """`selection_bootstrap`: models of side A and side B among which the best is
    re-selected in every resample."""

    @property
    def text(self) -> str:
        return self._words() + (f" ({self.note})" if self.note else "")

    def _words(self) -> str:
        if self.kind == "paired_bootstrap":
            return (
                f"paired bootstrap ({self.resamples} resamples, seed {self.seed}, "
                f"{self.items} shared items)"
            )
        if self.kind == "selection_bootstrap":
            return (
                f"selection-aware bias-corrected bootstrap ({self.resamples} resamples, seed "
                f"{self.seed}, {self.items} shared items, best of {self.models[0]} vs best of "
                f"{self.models[1]} models re-selected in every resample)"
            )
        if self.kind == "index_bootstrap":
            return (
                f"percentile bootstrap of the capability index ({self.resamples} replicates, "
                f"seed {self.seed}, evidence rows redrawn and the index refitted in each)"
            )
        return {
            "unpaired_normal": "unpaired normal, se = sqrt(se_a^2 + se_b^2)",
            "delta_method": "unpaired normal, delta method for (A - B) / B",
            "difference": "difference of two gaps, independent normals",
        }[self.kind]


class Interval(Frozen):
    """A 95 % interval and the method that produced it."""

    low: float
    """Lower end."""
    high: float
    """Upper end."""
    method: IntervalMethod
    """How it was computed."""

    def contains(self, value: float) -> bool:
        return self.low <= value <= self.high


class McNemar(Frozen):
    """McNemar's test on the discordant items of two models."""

    a_only: int
    """Items only model A got right."""
    b_only: int
    """Items only model B got right."""
    p_exact: float
    """Two-sided exact binomial p-value."""
    p_mid: float
    """Mid-p variant (less conservative; Fagerland et al. 2013)."""


class PairedSample(Frozen):
    """Per-item correctness of two models on the same items of one benchmark."""

    a: list[bool]
    b: list[bool]


Unit = Literal["points", "relative"]
"""A gap's unit: `points` (A - B, in the benchmark's own scale) or `relative`
((A - B) / B * 100, percent of B's score). Not to be confused with a benchmark's
`scale: percent`, which says its scores run from 0 to 100."""


def win_probability(points: float) -> float:
    """The chance that A's answer is preferred to B's in one head-to-head vote, from their
    rating difference in points: 1 / (1 + 10^(-d / 400)) (the Elo / Bradley-Terry model
    LMArena fits). Like the difference itself, and unlike a percentage of a rating, it does
    not depend on where the scale is anchored."""
    return 1.0 / (1.0 + 10.0 ** (-points / 400.0))


def gap_value(a: float, b: float, unit: Unit) -> float | None:
    """A - B, or (A - B) / B * 100 (None where B is 0)."""
    if unit == "points":
        return a - b
    return None if b == 0 else (a - b) / b * 100.0


def _means(samples: Sequence[PairedSample], idx: list[np.ndarray] | None) -> tuple:
    """Mean over benchmarks of each benchmark's accuracy in percent (a named aggregate is
    an unweighted mean of benchmarks, as in the point estimate)."""
    a_parts, b_parts = [], []
    for k, sample in enumerate(samples):
        a = np.asarray(sample.a, dtype=float)
        b = np.asarray(sample.b, dtype=float)
        if idx is None:
            a_parts.append(a.mean())
            b_parts.append(b.mean())
        else:
            a_parts.append(a[idx[k]].mean(axis=-1))
            b_parts.append(b[idx[k]].mean(axis=-1))
    return 100.0 * np.mean(a_parts, axis=0), 100.0 * np.mean(b_parts, axis=0)


def paired_point(samples: Sequence[PairedSample], unit: Unit) -> tuple[float, float, float | None]:
    """Scores of A and B in percent over the shared items, and their gap."""
    a, b = _means(samples, None)
    return float(a), float(b), gap_value(float(a), float(b), unit)


def paired_bootstrap(
    samples: Sequence[PairedSample],
    unit: Unit,
    resamples: int = BOOTSTRAP_RESAMPLES,
    seed: int = BOOTSTRAP_SEED,
) -> Interval | None:
    """Percentile interval of the gap, resampling items (the same items for both models,
    within each benchmark). None when a relative gap divides by zero in too many resamples."""
    if not samples or any(len(s.a) == 0 or len(s.a) != len(s.b) for s in samples):
        raise ValueError("paired samples must be non-empty and of equal length")
    rng = np.random.default_rng(seed)
    gaps: list[np.ndarray] = []
    done = 0
    while done < resamples:
        size = min(_CHUNK, resamples - done)
        idx = [rng.integers(0, len(s.a), size=(size, len(s.a))) for s in samples]
        a, b = _means(samples, idx)
        if unit == "points":
            gaps.append(a - b)
        else:
            with np.errstate(divide="ignore", invalid="ignore"):
                gaps.append(np.where(b > 0, (a - b) / b * 100.0, np.nan))
        done += size
    values = np.concatenate(gaps)
    if np.isnan(values).mean() > 0.025:
        return None
    values = values[~np.isnan(values)]
    low, high = np.percentile(values, [2.5, 97.5])
    n_items = sum(len(s.a) for s in samples)
    return Interval(
        low=float(low),
        high=float(high),
        method=IntervalMethod(
            kind="paired_bootstrap", resamples=resamples, seed=seed, items=n_items
        ),
    )


def mcnemar(samples: Sequence[PairedSample]) -> McNemar:
    """Exact and mid-p McNemar test, discordant items pooled over benchmarks."""
    a_only = sum(int(x and not y) for s in samples for x, y in zip(s.a, s.b, strict=True))
    b_only = sum(int(y and not x) for s in samples for x, y in zip(s.a, s.b, strict=True))
    n = a_only + b_only
    if n == 0:
        return McNemar(a_only=0, b_only=0, p_exact=1.0, p_mid=1.0)
    k = min(a_only, b_only)
    # Binomial(n, 1/2) tail in exact integer arithmetic, one rounding at the division
    pmf = math.comb(n, k) / 2**n
    p_exact = min(1.0, 2.0 * (sum(math.comb(n, i) for i in range(k + 1)) / 2**n))
    p_mid = min(1.0, p_exact - pmf)
    return McNemar(a_only=a_only, b_only=b_only, p_exact=p_exact, p_mid=p_mid)


def unpaired_interval(a: float, se_a: float, b: float, se_b: float, unit: Unit) -> Interval | None:
    """Normal 95 % interval from two independent standard errors: sqrt(se_a^2 + se_b^2)
    for A - B; the delta method for (A - B) / B."""
    if unit == "points":
        se = math.sqrt(se_a**2 + se_b**2)
        centre = a - b
        method = IntervalMethod(kind="unpaired_normal")
    else:
        if b == 0:
            return None
        se = 100.0 * math.sqrt((se_a / b) ** 2 + (a * se_b / b**2) ** 2)
        centre = (a - b) / b * 100.0
        method = IntervalMethod(kind="delta_method")
    return Interval(low=centre - Z95 * se, high=centre + Z95 * se, method=method)


def se_from_interval(interval: Interval) -> float:
    """Standard error implied by a (possibly asymmetric) 95 % interval."""
    return (interval.high - interval.low) / (2 * Z95)


def difference_interval(first: tuple[float, Interval], second: tuple[float, Interval]) -> Interval:
    """Interval of second - first for two gaps, treated as independent normals (conservative
    where the same models appear in both)."""
    se = math.hypot(se_from_interval(first[1]), se_from_interval(second[1]))
    centre = second[0] - first[0]
    return Interval(
        low=centre - Z95 * se,
        high=centre + Z95 * se,
        method=IntervalMethod(kind="difference"),
    )


def rounding_band(a: float, b: float, half_step: float, unit: Unit) -> tuple[float, float]:
    """Range of the gap when each printed score may be off by half its last digit: a
    published gap inside it is reproduced "within rounding"."""
    candidates = [
        gap_value(a + da, b + db, unit)
        for da in (-half_step, half_step)
        for db in (-half_step, half_step)
    ]
    values = [c for c in candidates if c is not None]
    return min(values), max(values)


# ---------------------------------------------------------------- selection-aware bootstrap


def bootstrap_counts(rng: np.random.Generator, n: int, size: int) -> np.ndarray:
    """`size` multinomial resamples of n items, as counts per item (size x n): a matrix
    product with a (models x items) correctness matrix then gives every model's resampled
    accuracy at once, the same resampled items for every model."""
    idx = rng.integers(0, n, size=(size, n))
    flat = (idx + np.arange(size)[:, None] * n).ravel()
    return np.bincount(flat, minlength=size * n).reshape(size, n)


def _best_scores(sides: Sequence[np.ndarray], weights: Sequence[np.ndarray] | None) -> np.ndarray:
    """Each model's mean over benchmarks of its accuracy in percent, per resample
    (resamples x models); weights None: the observed scores (1 x models)."""
    parts = []
    for k, matrix in enumerate(sides):
        n = matrix.shape[1]
        w = np.ones((1, n)) if weights is None else weights[k]
        parts.append(100.0 * (w @ matrix.T) / n)
    return np.mean(parts, axis=0)


class SelectionGap(Frozen):
    """Best of side A minus best of side B, with the selection inside the bootstrap."""

    a_index: int
    """Row of side A's observed best model."""
    b_index: int
    """Row of side B's observed best model."""
    a: float
    """Its score (percent, mean over benchmarks)."""
    b: float
    """Side B's best score."""
    gap: float | None
    """a - b (points) or (a - b) / b * 100 (percent); None where b is 0."""
    interval: Interval | None
    """Bias-aware bootstrap interval (see `selection_bootstrap`); None where a relative
    gap divides by zero in more than 2.5 % of resamples."""
    a_reselected: float
    """Share of resamples in which side A's observed best is again the best."""
    b_reselected: float
    """The same for side B."""


def selection_bootstrap(
    side_a: Sequence[np.ndarray],
    side_b: Sequence[np.ndarray],
    unit: Unit,
    resamples: int = BOOTSTRAP_RESAMPLES,
    seed: int = BOOTSTRAP_SEED,
) -> SelectionGap:
    """Gap between the best models of two sides on shared items. side_a[k] and side_b[k]
    are 0/1 matrices (models x items) for benchmark k, every model on the same items.
    Each resample draws items (per benchmark, the same for all models), re-selects the
    best model of each side and recomputes the gap: the maximum is part of the statistic.

    The observed maximum is biased upwards where models are close (the winner's curse), and
    its bootstrap copy is biased again by about as much, b = mean(resampled) - observed: the
    plain percentile interval sits too high (coverage 82-86 % in simulation with four tied
    models against one). The interval is the union of the percentile interval moved back by
    b (correcting the bootstrap's own bias) and by 2b (correcting the estimate's bias as
    well): b is itself estimated, and either correction alone undercovers in some
    configurations. Simulated coverage: 95 % with three close models per side, 91-92 %
    with four exactly tied models against one (benchmarks/sim_gap_coverage.py)."""
    side_a = [np.asarray(m, dtype=float) for m in side_a]
    side_b = [np.asarray(m, dtype=float) for m in side_b]
    for ma, mb in zip(side_a, side_b, strict=True):
        if ma.ndim != 2 or mb.ndim != 2 or ma.shape[1] != mb.shape[1] or ma.shape[1] == 0:
            raise ValueError("each benchmark needs models x items matrices on the same items")
    everyone = [np.vstack([ma, mb]) for ma, mb in zip(side_a, side_b, strict=True)]
    observed = _best_scores(everyone, None)[0]
    resampled = resampled_scores(everyone, resamples, seed)
    k = side_a[0].shape[0]
    return select_best(
        (observed[:k], observed[k:]),
        (resampled[:, :k], resampled[:, k:]),
        unit,
        IntervalMethod(
            kind="selection_bootstrap",
            resamples=resamples,
            seed=seed,
            items=sum(m.shape[1] for m in side_a),
            models=(k, side_b[0].shape[0]),
        ),
    )


def resampled_scores(
    matrices: Sequence[np.ndarray],
    resamples: int = BOOTSTRAP_RESAMPLES,
    seed: int = BOOTSTRAP_SEED,
    weights: Sequence[Sequence[np.ndarray]] | None = None,
) -> np.ndarray:
    """Every model's mean accuracy over benchmarks (percent) in each of `resamples` item
    resamples (resamples x models). matrices[k]: 0/1 (models x items) of benchmark k. The
    draws depend only on the seed and the item counts, and the counts are integers, so a
    model's column is the same whichever other models are computed with it. `weights`:
    `resample_weights` for these item counts, where the caller keeps them."""
    if weights is None:
        weights = resample_weights([m.shape[1] for m in matrices], resamples, seed)
    return np.concatenate([_best_scores(matrices, chunk) for chunk in weights])


def resample_weights(
    items: Sequence[int], resamples: int = BOOTSTRAP_RESAMPLES, seed: int = BOOTSTRAP_SEED
) -> list[list[np.ndarray]]:
    """The item counts of every resample, in chunks of at most _CHUNK resamples, per
    benchmark of `items` items: the draws `resampled_scores` makes."""
    rng = np.random.default_rng(seed)
    chunks, done = [], 0
    while done < resamples:
        size = min(_CHUNK, resamples - done)
        chunks.append([bootstrap_counts(rng, n, size).astype(float) for n in items])
        done += size
    return chunks


def select_best(
    observed: tuple[np.ndarray, np.ndarray],
    resampled: tuple[np.ndarray, np.ndarray],
    unit: Unit,
    method: IntervalMethod,
) -> SelectionGap:
    """The selection-aware gap from each side's observed scores (models) and resampled
    scores (resamples x models), as `selection_bootstrap` describes."""
    obs_a, obs_b = observed
    sa, sb = resampled
    ia, ib = int(np.argmax(obs_a)), int(np.argmax(obs_b))
    gap = gap_value(float(obs_a[ia]), float(obs_b[ib]), unit)
    best_a, best_b = sa.max(axis=1), sb.max(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        values = (
            best_a - best_b
            if unit == "points"
            else np.where(best_b > 0, (best_a - best_b) / best_b * 100.0, np.nan)
        )
    interval = None
    if gap is not None and np.isnan(values).mean() <= 0.025:
        kept = values[~np.isnan(values)]
        q_low, q_high = np.percentile(kept, [2.5, 97.5])
        bias = float(kept.mean()) - gap
        interval = Interval(
            low=float(min(q_low - bias, q_low - 2 * bias)),
            high=float(max(q_high - bias, q_high - 2 * bias)),
            method=method,
        )
    return SelectionGap(
        a_index=ia,
        b_index=ib,
        a=float(obs_a[ia]),
        b=float(obs_b[ib]),
        gap=gap,
        interval=interval,
        a_reselected=_first_best_share(sa, best_a, ia),
        b_reselected=_first_best_share(sb, best_b, ib),
    )


def _first_best_share(resampled: np.ndarray, best: np.ndarray, i: int) -> float:
    """Share of resamples whose argmax (the first model with the best score) is model i:
    `(resampled.argmax(axis=1) == i).mean()` with maxima only, which numpy reduces in
    memory order where argmax would first copy a transposed array."""
    hits = resampled[:, i] == best
    if i:
        hits &= resampled[:, :i].max(axis=1) < best
    return int(hits.sum()) / len(best)


# ---------------------------------------------------------------- published uncertainty


def binomial_se(percent: float, n_items: int) -> float:
    """Standard error, in points, of an accuracy of `percent` on n independent items:
    100 * sqrt(p (1 - p) / n). For a pass@1 averaged over several samples per item this
    is an upper bound (the sampling noise per item shrinks, the item noise stays)."""
    if n_items <= 0:
        raise ValueError("n_items must be positive")
    p = min(max(percent / 100.0, 0.0), 1.0)
    return 100.0 * math.sqrt(p * (1.0 - p) / n_items)
