"""Data simulated from the index's own model, to check that the fit recovers what it should
and that the bootstrap intervals cover the truth (tests and benchmarks/sim_index_coverage.py)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.special import expit


@dataclass
class Simulated:
    """One simulated evidence set and the truth behind it."""

    rows: pd.DataFrame
    """Evidence rows in the index's long layout."""
    capability: pd.Series
    """True C per model name."""
    difficulty: pd.Series
    """True D per benchmark."""
    slope: pd.Series
    """True alpha per benchmark."""
    anchors: tuple[tuple[str, float], ...]
    """Two models at their true capability, so estimates share the truth's scale."""


def simulate(
    rng: np.random.Generator,
    n_models: int = 60,
    n_bench: int = 12,
    per_model: int = 8,
    noise: float = 0.03,
    lag_months: float = 7.0,
) -> Simulated:
    """Models released 2022-2025, half US, half CN; capability grows 10 points a year plus
    model noise, CN on the same trend `lag_months` later; each model scored on `per_model`
    benchmarks with Gaussian noise on the fraction."""
    days = rng.uniform(0, 4 * 365, n_models)
    released = np.datetime64("2022-01-01") + days.astype(int)
    origin = np.where(np.arange(n_models) % 2 == 0, "US", "CN")
    years = days / 365.25 - np.where(origin == "CN", lag_months / 12, 0.0)
    cap = 110 + 10 * years + rng.normal(0, 2.0, n_models)
    diff = rng.uniform(cap.min() - 5, cap.max() + 5, n_bench)
    slope = rng.uniform(0.08, 0.3, n_bench)
    names = [f"m{i:03d}" for i in range(n_models)]
    benches = [f"b{j:02d}" for j in range(n_bench)]
    rows = []
    for i in range(n_models):
        for j in rng.choice(n_bench, size=min(per_model, n_bench), replace=False):
            p = expit(slope[j] * (cap[i] - diff[j])) + rng.normal(0, noise)
            rows.append((names[i], benches[j], float(np.clip(p, 0, 1))))
    frame = pd.DataFrame(rows, columns=["model", "benchmark", "score"])
    meta = pd.DataFrame({"model": names, "released": released, "origin": origin})
    frame = frame.merge(meta, on="model")
    frame["row_id"] = [f"sim.{k}" for k in range(len(frame))]
    frame = frame.assign(
        version=frame["model"],
        stderr=np.nan,
        open_weights=True,
        reporter="third_party",
        measured_by="simulation",
        kind="reported",
        n_items=np.nan,
        source="simulation",
    )
    lo, hi = int(np.argmin(cap)), int(np.argmax(cap))
    return Simulated(
        rows=frame,
        capability=pd.Series(cap, index=names),
        difficulty=pd.Series(diff, index=benches),
        slope=pd.Series(slope, index=benches),
        anchors=((names[lo], float(cap[lo])), (names[hi], float(cap[hi]))),
    )
