"""Coverage of the bootstrap interval of the average months-behind: 200 data sets simulated
from the index's own model (60 models x 12 benchmarks, 8 scores per model, noise 0.03 on the
fraction, China on the US trend 7 months later plus model noise), each fitted and
bootstrapped with 100 replicates. Target: the 95 % interval covers the true average in
90-99 % of the data sets.

    python benchmarks/sim_index_coverage.py [--sets 200] [--boot 100]
"""

from __future__ import annotations

import argparse
import time
import warnings

import numpy as np

from gaptrack.compare.index.analysis import Sides, lag_summary
from gaptrack.compare.index.bootstrap import bootstrap
from gaptrack.compare.index.core import fit_index
from gaptrack.compare.index.months import lag_series, month_grid
from gaptrack.compare.index.prepare import Options, prepare
from gaptrack.compare.index.simulate import simulate


def one(rng: np.random.Generator, boot: int, seed: int, grid) -> tuple[float, object]:
    sim = simulate(rng)
    prep = prepare(sim.rows, Options(chance=False))
    fit = fit_index(prep, sim.anchors)
    released = prep.models["released"].to_numpy().astype("datetime64[D]")
    origin = prep.models["origin"].to_numpy()
    truth = np.nanmean(
        lag_series(
            sim.capability[prep.models["model"]].to_numpy(),
            released,
            origin == "US",
            origin == "CN",
            grid,
        )
    )
    sides = Sides(name="CN behind US", a="US", b="CN")
    return truth, lag_summary(fit, bootstrap(fit, boot, seed=seed), sides, grid)["average"]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sets", type=int, default=200)
    parser.add_argument("--boot", type=int, default=100)
    args = parser.parse_args()
    warnings.simplefilter("ignore", RuntimeWarning)
    rng = np.random.default_rng(2026)
    grid = month_grid("2023-01-01", "2025-12-31")
    t0 = time.perf_counter()
    covered, widths, errors = 0, [], []
    for k in range(args.sets):
        truth, est = one(rng, args.boot, k, grid)
        covered += est.lo <= truth <= est.hi
        widths.append(est.hi - est.lo)
        errors.append(est.value - truth)
        if (k + 1) % 20 == 0:
            print(f"  {k + 1} sets: coverage so far {covered / (k + 1):.1%}", flush=True)
    share = covered / args.sets
    # binomial standard error of the coverage estimate itself
    se = np.sqrt(share * (1 - share) / args.sets)
    print(f"{args.sets} data sets, {args.boot} replicates each, {time.perf_counter() - t0:.0f} s")
    print(
        f"coverage of the 95 % interval of the average months behind: {share:.1%} "
        f"(+/- {1.96 * se:.1%}); target 90-99 % -> {'met' if 0.90 <= share <= 0.99 else 'NOT met'}"
    )
    print(
        f"median interval width {np.median(widths):.2f} months; mean error "
        f"{np.mean(errors):+.2f} months, RMSE {np.sqrt(np.mean(np.square(errors))):.2f}"
    )


if __name__ == "__main__":
    main()
