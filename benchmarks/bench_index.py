"""Speed of `gaptrack index` on the shipped evidence with 100 bootstrap replicates (target:
under 10 s on the project's 2-core machine), and the figures it prints against Epoch AI's.

    python benchmarks/bench_index.py [--boot 100]

Prints wall and CPU seconds (the CPU figure is what the machine costs when it is not shared)
and the headline figures of the Epoch check."""

from __future__ import annotations

import argparse
import os
import tempfile
import time
import warnings
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--boot", type=int, default=100)
    args = parser.parse_args()
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    wall0, cpu0 = time.perf_counter(), time.process_time()
    # What the command does, minus printing: imports, evidence, fits, bootstraps, CSVs.
    from gaptrack.compare.index.outcome import run
    from gaptrack.publish.index_out import print_outcome, write_csvs

    with warnings.catch_warnings(), tempfile.TemporaryDirectory() as tmp:
        warnings.simplefilter("ignore", RuntimeWarning)
        outcome = run(Path(tmp), n_boot=args.boot)
        lines: list[str] = []
        print_outcome(outcome, lines.append)
        write_csvs(outcome, Path(tmp) / "index")
    wall, cpu = time.perf_counter() - wall0, time.process_time() - cpu0
    print(
        f"gaptrack index, {args.boot} bootstrap replicates: {wall:.1f} s wall, {cpu:.1f} s CPU "
        f"(target < 10 s) -> {'met' if wall < 10 else 'NOT met'} on wall time, "
        f"{'met' if cpu < 10 else 'NOT met'} on CPU time"
    )
    report = outcome.report
    print(
        f"  {len(report.models)} models, {len(report.benchmarks)} benchmarks, "
        f"{len(report.fit.prep.rows)} rows; {len(report.reps.failed)} replicates failed"
    )
    for line in lines:
        if any(
            k in line
            for k in (
                "Spearman",
                "average months",
                "range",
                "first Chinese",
                "2026-05-01",
                "frontier capability gap",
            )
        ):
            print(line)


if __name__ == "__main__":
    main()
