"""Per-item cost of every task of a packaged config, and the time its limits imply.

    python benchmarks/bench_packaged_tasks.py                 # configs/demo_full.yaml, 3 items
    python benchmarks/bench_packaged_tasks.py -c demo --items 5

Runs each (model, task) of the config on its first ITEMS items (MMLU: its configured items per
subject) into a temporary results folder, timing each by wall clock and by this process's CPU
time, then prints per task the seconds per item and the estimate for the config's own limits.
The first task of each model includes loading the model, so estimates err long. On a machine
busy with other work the wall clock says little about an idle one; torch computes on ONE thread
here (``--threads``), so this process's CPU seconds are what an idle core needs, and the estimate
(their sum at the config's limits) assumes a second core adds nothing: it errs long again.
Prints figures; asserts nothing."""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_DATASETS_OFFLINE", "1")
os.environ.setdefault("HF_HUB_OFFLINE", "1")

from gaptrack.api import EvalRequest, evaluate, load_config  # noqa: E402
from gaptrack.run.evaluate import Reporter  # noqa: E402


class Timer(Reporter):
    def __init__(self) -> None:
        self.rows: list[tuple[str, str, int, float, float]] = []
        self._start = (0.0, 0.0)

    def task_started(self, entry, index, total) -> None:  # noqa: ANN001
        self._start = (time.perf_counter(), time.process_time())
        print(f"[{index}/{total}] {entry.model.id} on {entry.task}", file=sys.stderr, flush=True)

    def task_done(self, record) -> None:  # noqa: ANN001
        wall, cpu = time.perf_counter() - self._start[0], time.process_time() - self._start[1]
        self.rows.append((record.model.id, record.task.name, record.task.n_samples, wall, cpu))
        n = record.task.n_samples
        print(
            f"    {n} items: {wall / n:.2f} s/item wall, {cpu / n:.2f} s/item CPU", file=sys.stderr
        )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("-c", "--config", default="demo_full")
    parser.add_argument("--items", type=int, default=3)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--only", action="append", default=[], help="model id (repeatable)")
    args = parser.parse_args()
    import torch

    torch.set_num_threads(args.threads)  # more threads spin-wait on a busy machine: CPU time lies

    config = load_config(args.config)
    limits = {t.name: config.suite.limit_for(t) for t in config.suite.tasks}
    timer = Timer()
    with tempfile.TemporaryDirectory(prefix="gaptrack-bench-") as results:
        started = time.perf_counter()
        evaluate(
            config,
            EvalRequest(limit=args.items, only=tuple(args.only), results_dir=Path(results)),
            reporter=timer,
        )
        total_wall = time.perf_counter() - started
    cores = torch.get_num_threads()
    print(f"{'model':<28} {'task':<15} {'n':>4} {'wall s/item':>11} {'cpu s/item':>10}"
          f" {'limit':>5} {'est. idle s':>11}")  # fmt: skip
    estimate = 0.0
    for model, task, n, wall, cpu in timer.rows:
        limit = limits[task] or args.items  # per subject for a group such as mmlu
        idle = cpu / cores * limit / min(limit, args.items)  # cores == 1: no parallel speed-up
        estimate += idle
        print(f"{model:<28} {task:<15} {n:>4} {wall / n:>11.2f} {cpu / n:>10.2f}"
              f" {limit:>5} {idle:>11.1f}")  # fmt: skip
    print(
        f"\nmeasured: {total_wall / 60:.1f} min wall for {len(timer.rows)} (model, task) pairs "
        f"at --limit {args.items}; torch computes on {cores} threads"
    )
    print(
        f"estimate for {config.name} at its own limits on an idle machine: {estimate / 60:.1f} min"
    )


if __name__ == "__main__":
    main()
