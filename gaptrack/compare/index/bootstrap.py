"""Bootstrap of the capability fit: evidence rows drawn with replacement (a row drawn k
times weighs k), and, for gaptrack's own measurements, items redrawn binomially around the
measured accuracy. Every replicate is warm-started from the full fit."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from gaptrack.compare.index.core import IndexFit, refit
from gaptrack.compare.index.fit import FitError


@dataclass
class Replicates:
    """Capabilities and difficulties of the replicates that converged."""

    capability: np.ndarray
    """(replicates, models) on the anchored scale; NaN where a model lost its evidence."""
    difficulty: np.ndarray
    """(replicates, benchmarks)."""
    failed: list[str] = field(default_factory=list)
    """Optimiser messages of replicates left out (non-convergence or a lost anchor)."""


def _item_redraw(fit: IndexFit, rng: np.random.Generator) -> np.ndarray:
    rows = fit.prep.rows
    y = rows["y"].to_numpy().copy()
    n = rows["n_items"].to_numpy(dtype=float, na_value=np.nan)
    has = np.isfinite(n) & (n > 0)
    if has.any():
        # Measured accuracy over n items: redraw the item count correct, then re-apply the floor.
        floor = rows["floor"].to_numpy()[has]
        raw = rng.binomial(n[has].astype(int), rows["score"].to_numpy()[has]) / n[has]
        y[has] = np.clip((raw - floor) / (1 - floor), 0, 1)
    return y


def bootstrap(fit: IndexFit, n_reps: int, seed: int = 0) -> Replicates:
    """n_reps replicates (fewer rows in the result where some failed, each failure named)."""
    rng = np.random.default_rng(seed)
    n_rows = len(fit.prep.rows)
    caps, diffs, failed = [], [], []
    for _ in range(n_reps):
        weight = np.bincount(rng.integers(0, n_rows, n_rows), minlength=n_rows).astype(float)
        try:
            cap, diff = refit(fit, _item_redraw(fit, rng), weight)
        except FitError as err:
            failed.append(err.message)
            continue
        caps.append(cap)
        diffs.append(diff)
    shape_m, shape_b = len(fit.capability), len(fit.difficulty)
    return Replicates(
        capability=np.array(caps).reshape(-1, shape_m),
        difficulty=np.array(diffs).reshape(-1, shape_b),
        failed=failed,
    )


def interval(samples: np.ndarray, axis: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """95 % percentile interval, ignoring NaN replicates."""
    if samples.shape[axis] == 0:
        nan = np.full(np.delete(samples.shape, axis), np.nan)
        return nan, nan
    with np.errstate(all="ignore"):
        return tuple(np.nanpercentile(samples, [2.5, 97.5], axis=axis))
