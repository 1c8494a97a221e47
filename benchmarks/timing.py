"""What the benchmark scripts share: the wall and CPU time of one gaptrack command.
Imported as `timing` (a script's own folder is first on its import path)."""

from __future__ import annotations

import resource
import subprocess
import sys
import time


def run_gaptrack(args: list[str]) -> tuple[float, float]:
    """Wall and CPU seconds of one gaptrack command in a fresh interpreter (CPU: the
    child's user plus system time, so other load on the machine does not count)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    subprocess.run([sys.executable, "-m", "gaptrack", *args], check=True, stdout=subprocess.DEVNULL)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu
