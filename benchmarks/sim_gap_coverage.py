"""Coverage of the selection-aware gap interval (compare/stats.selection_bootstrap) by
simulation with a known true gap, next to the plain percentile bootstrap of the same
statistic, over several configurations of close and distant models. Prints figures.

    python benchmarks/sim_gap_coverage.py [--datasets 500] [--items 200] [--resamples 400]

Items have a latent difficulty d ~ N(0, 1) shared by all models; a model of ability t
answers right with probability Phi(t - d), so its true accuracy is Phi(t / sqrt(2))."""

from __future__ import annotations

import argparse
import time

import numpy as np
from scipy import stats as sps

from gaptrack.compare.stats import bootstrap_counts, selection_bootstrap

CONFIGS = [
    ("3 close vs 3 close", [0.6, 0.55, 0.5], [0.3, 0.3, 0.25]),
    ("3 tied vs 3 tied", [0.6, 0.6, 0.6], [0.3, 0.3, 0.3]),
    ("4 tied vs 1", [0.5, 0.5, 0.5, 0.5], [0.45]),
    ("1 vs 4 tied", [0.5], [0.45, 0.45, 0.45, 0.45]),
    ("2 distant vs 2 distant", [0.6, 0.4], [0.3, 0.1]),
    ("1 vs 1", [0.6], [0.3]),
]


def run(a: list[float], b: list[float], datasets: int, items: int, resamples: int) -> tuple:
    rng = np.random.default_rng(7)
    ta, tb = np.array(a), np.array(b)
    truth = 100 * (sps.norm.cdf(ta.max() / np.sqrt(2)) - sps.norm.cdf(tb.max() / np.sqrt(2)))
    ours = plain = 0
    for k in range(datasets):
        d = rng.standard_normal(items)
        xa = rng.random((len(a), items)) < sps.norm.cdf(ta[:, None] - d)
        xb = rng.random((len(b), items)) < sps.norm.cdf(tb[:, None] - d)
        ours += selection_bootstrap([xa], [xb], "points", resamples, seed=k).interval.contains(
            truth
        )
        w = bootstrap_counts(np.random.default_rng(k), items, resamples).astype(float)
        boot = 100 * ((w @ xa.T).max(1) - (w @ xb.T).max(1)) / items
        low, high = np.percentile(boot, [2.5, 97.5])
        plain += low <= truth <= high
    return ours / datasets, plain / datasets


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--datasets", type=int, default=500)
    parser.add_argument("--items", type=int, default=200)
    parser.add_argument("--resamples", type=int, default=400)
    args = parser.parse_args()
    print(f"{args.datasets} data sets x {args.items} items, {args.resamples} resamples")
    print(f"{'configuration':26s} {'selection-aware':>16s} {'plain percentile':>17s}")
    for name, a, b in CONFIGS:
        start = time.perf_counter()
        ours, plain = run(a, b, args.datasets, args.items, args.resamples)
        took = time.perf_counter() - start
        print(f"{name:26s} {ours:16.3f} {plain:17.3f}   ({took:.0f} s)")


if __name__ == "__main__":
    main()
