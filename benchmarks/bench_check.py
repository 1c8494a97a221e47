"""Time `gaptrack check` over the shipped evidence with an empty store, every claim's
specification curve included (target: under 10 s on a 2-core machine), and `check --strict`.
Each run is a fresh interpreter; prints wall and CPU seconds and the specifications
evaluated; asserts nothing (speed targets live here, not in unit tests).

    python benchmarks/bench_check.py            # 3 runs of each
    python benchmarks/bench_check.py --runs 5
"""

from __future__ import annotations

import argparse
import os
import tempfile
from pathlib import Path

from timing import run_gaptrack


def _specifications() -> tuple[int, int]:
    """(claims with a curve, specifications evaluated) in one in-process check."""
    from gaptrack.compare.check import CheckOptions, check_claims

    verdicts = check_claims("unused-results", options=CheckOptions())
    curves = [v.curve for v in verdicts if v.curve is not None]
    return len(curves), sum(len(c.outcomes) for c in curves)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    claims, specs = _specifications()
    print(f"{claims} claims with a specification curve, {specs} specifications in all")
    print(f"machine: {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f}")
    with tempfile.TemporaryDirectory() as tmp:
        results = Path(tmp) / "results"  # an empty store: the shipped evidence only
        for label, extra in (("check", []), ("check --strict", ["--strict"])):
            times = [
                run_gaptrack(["check", "--results", str(results), *extra]) for _ in range(args.runs)
            ]
            walls = ", ".join(f"{w:.2f}" for w, _ in times)
            cpus = ", ".join(f"{c:.2f}" for _, c in times)
            best = min(w for w, _ in times)
            verdict = "met" if best < 10 else "NOT met"
            print(
                f"{label}: wall {walls} s; CPU {cpus} s; best {best:.2f} s (10 s target {verdict})"
            )


if __name__ == "__main__":
    main()
