"""Figures for `gaptrack plan --config qwen_vs_llama` (target: under 2 s, no torch).

    python benchmarks/bench_plan.py [RUNS]

Runs the command in a fresh process, as a user would: once to warm the tasks cache (the
first resolution against a packaged data copy builds lm-eval's task index), then RUNS
times. Prints wall seconds (median, min, max), the CPU seconds of the child, and which
heavy modules the command imported. Asserts nothing."""

from __future__ import annotations

import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
COMMAND = [sys.executable, "-m", "gaptrack", "plan", "--config", "qwen_vs_llama"]
PROBE = """
import sys
from typer.testing import CliRunner
from gaptrack.cli import app
CliRunner().invoke(app, ["plan", "--config", "qwen_vs_llama"])
heavy = {"torch", "lm_eval", "transformers", "datasets", "ray", "submitit", "vllm"}
print(",".join(sorted(heavy & set(sys.modules))) or "none")
"""


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "HF_DATASETS_OFFLINE": "1"}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    start = time.perf_counter()
    subprocess.run(COMMAND, cwd=ROOT, env=env, check=True, capture_output=True)
    print(f"first run (warms the tasks cache): {time.perf_counter() - start:.2f} s")
    walls = []
    cpu_before = resource.getrusage(resource.RUSAGE_CHILDREN)
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(COMMAND, cwd=ROOT, env=env, check=True, capture_output=True)
        walls.append(time.perf_counter() - start)
    cpu_after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (
        cpu_after.ru_utime + cpu_after.ru_stime - cpu_before.ru_utime - cpu_before.ru_stime
    ) / runs
    print(
        f"gaptrack plan --config qwen_vs_llama, {runs} runs: wall median {statistics.median(walls):.2f} s "
        f"(min {min(walls):.2f}, max {max(walls):.2f}); CPU {cpu:.2f} s per run"
    )
    probe = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=ROOT, env=env, check=True, capture_output=True, text=True
    )
    print(f"heavy modules imported: {probe.stdout.strip().splitlines()[-1]}")
    print(f"load average now: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")


if __name__ == "__main__":
    main()
