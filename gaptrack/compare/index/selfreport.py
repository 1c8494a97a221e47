"""Developers' own figures against third parties' for the same model and benchmark: the mean
difference by origin with a bootstrap interval, and whether US and Chinese developers differ."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from gaptrack.compare.evidence.frame import with_units
from gaptrack.compare.index.analysis import Estimate
from gaptrack.compare.index.bootstrap import interval
from gaptrack.compare.index.prepare import pool_key


@dataclass
class SelfReport:
    """Self-reported minus third-party scores, in percentage points."""

    pairs: pd.DataFrame
    """One row per (model, benchmark) with both: origin, developer, third_party, difference."""
    by_origin: dict[str, Estimate]
    """Mean difference per origin (US, CN) with its 95 % interval."""
    us_minus_cn: Estimate | None
    """Difference of the two means, with its interval (None unless both origins have pairs)."""


def self_vs_third(frame: pd.DataFrame, n_boot: int = 1000, seed: int = 0) -> SelfReport:
    rows = with_units(frame).dropna(subset=["score", "benchmark", "model"])
    rows = rows[rows["reporter"].isin(["developer", "third_party"])].copy()
    # one model version whatever a source calls it (the registry's), else the name's key
    rows["pk"] = rows["unit"].fillna(rows["model"].astype(str).map(pool_key))
    means = rows.pivot_table(
        index=["pk", "benchmark"], columns="reporter", values="score", aggfunc="mean"
    )
    if not {"developer", "third_party"} <= set(means.columns):
        return SelfReport(pd.DataFrame(), {}, None)
    pairs = means.dropna(subset=["developer", "third_party"]).reset_index()
    origin = rows.groupby("pk")["origin"].first()
    pairs["origin"] = pairs["pk"].map(origin)
    pairs["difference"] = 100 * (pairs["developer"] - pairs["third_party"])
    rng = np.random.default_rng(seed)
    by_origin, draws = {}, {}
    for side in ("US", "CN"):
        diff = pairs.loc[pairs["origin"] == side, "difference"].to_numpy()
        if len(diff) == 0:
            continue
        draws[side] = rng.choice(diff, size=(n_boot, len(diff))).mean(axis=1)
        lo, hi = interval(draws[side])
        by_origin[side] = Estimate(float(diff.mean()), float(lo), float(hi))
    both = None
    if len(draws) == 2:
        lo, hi = interval(draws["US"] - draws["CN"])
        both = Estimate(by_origin["US"].value - by_origin["CN"].value, float(lo), float(hi))
    return SelfReport(pairs.drop(columns=["pk"]), by_origin, both)
