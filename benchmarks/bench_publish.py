"""Time `gaptrack leaderboard` and `gaptrack report` on a config's stored results plus the
shipped reported evidence (target: each under 10 s), first into an empty folder, then
again with nothing new (which must change no byte), then `report` into another empty
folder once `gaptrack index` has stored the index, which the
report then reads instead of fitting it again. Prints figures; asserts nothing.

    python benchmarks/bench_publish.py                 # the demo's results (run scripts/demo.sh first)
    python benchmarks/bench_publish.py --config demo --results results/demo
    python benchmarks/bench_publish.py --stand-in      # no stored demo: a store of the same
        shape (the demo's models and tasks, its item counts) filled by the tests' fake runner
"""

from __future__ import annotations

import argparse
import hashlib
import os
import sys
import tempfile
from pathlib import Path

from timing import run_gaptrack


def _digests(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


STAND_IN_ITEMS = {"mmlu": 57}
"""Items per task where the demo's limit is per subtask (mmlu: 1 item from each of 57)."""


def stand_in_store(config: str, folder: Path) -> None:
    """The demo's (model, task) records with deterministic fake outcomes, through
    gaptrack's own evaluate loop: same models, tasks, item counts and record format."""
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from gaptrack.api import EvalRequest, evaluate, load_config
    from tests.fakes import FakeRunner, fake_outcome

    class DemoShaped(FakeRunner):
        def run_model(self, job):
            for task in job.tasks:
                n = STAND_IN_ITEMS.get(task.task, task.limit or 10)
                yield task, fake_outcome(job.model.id, task.task, n)

    evaluate(load_config(config), EvalRequest(results_dir=folder), runner=DemoShaped())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--config", default="demo")
    parser.add_argument("--results", default=None, help="default: the config's results_dir")
    parser.add_argument(
        "--stand-in", action="store_true", help="fill a temporary store with fake outcomes"
    )
    args = parser.parse_args()
    if args.stand_in:
        args.results = tempfile.mkdtemp(prefix="gaptrack-bench-store-")
        stand_in_store(args.config, Path(args.results))
        print(f"stand-in store (fake outcomes, the demo's shape) in {args.results}")
    results = Path(args.results or f"results/{args.config}")
    stored = results / "index" / "inputs.json"
    if stored.exists():
        stored.unlink()  # the first runs fit the index themselves
    records = results / "records"
    count = len(list(records.glob("*.json"))) if records.is_dir() else 0
    print(f"{args.config}: {count} stored records in {records.parent}; {os.cpu_count()} CPUs")
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "published"
        common = ["--config", args.config, "--out", str(out)]
        if args.results:
            common += ["--results", args.results]
        runs = {}
        for label in ("first (empty folder)", "second (nothing new)"):
            board = run_gaptrack(["leaderboard", *common])
            report = run_gaptrack(["report", *common])
            runs[label] = _digests(out)
            print(
                f"{label:22s} leaderboard {board[0]:5.2f} s wall ({board[1]:5.2f} s CPU), "
                f"report {report[0]:5.2f} s wall ({report[1]:5.2f} s CPU), "
                f"together {board[0] + report[0]:5.2f} s (target < 10 s)"
            )
        first, second = runs.values()
        changed = sorted(k for k in first if first[k] != second.get(k))
        print(f"files written: {len(first)}; changed by the second run: {len(changed)} {changed}")
        index = run_gaptrack(["index", "--results", str(results), "--no-epoch-check"])
        fresh = ["--config", args.config, "--results", str(results), "--out", f"{tmp}/again"]
        report = run_gaptrack(["report", *fresh])
        print(
            f"gaptrack index {index[0]:5.2f} s wall; then report into an empty folder, reading "
            f"the stored index: {report[0]:5.2f} s wall ({report[1]:5.2f} s CPU)"
        )
        size = sum(p.stat().st_size for p in out.rglob("*") if p.is_file())
        print(
            f"report.html {(out / 'report.html').stat().st_size / 1e6:.2f} MB; all {size / 1e6:.2f} MB"
        )


if __name__ == "__main__":
    main()
