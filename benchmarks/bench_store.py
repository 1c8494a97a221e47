"""Speed and memory of the store at scale: a synthetic store of MODELS x TASKS records of
ITEMS items each, written in both layouts (per-item results inline in JSON, the baseline;
and in Parquet beside a JSON record), then the whole-store commands timed on each in
fresh processes, with their peak memory (max RSS).

Each command runs twice: "cold", with the store's summary cache (summary.parquet, see
gaptrack/store/cache.py) deleted first, so every record file is read and checked; and
"warm", the usual case, where the cache written by the cold run is used for every record
file that has not changed.

    python benchmarks/bench_store.py                      # 1000 x 20 x 500 (the target)
    python benchmarks/bench_store.py --models 50          # a quick look

Prints one line per (command, layout, cache) and the Parquet/JSON ratio. Records are
written through `Store.put`, so they are real, sealed, verifiable records."""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from gaptrack.store import CacheKey, Item, Metric, ModelInfo, Provenance, ResultRecord, TaskInfo
from gaptrack.store.cache import SIDECAR_NAME, TABLE_NAME
from gaptrack.store.store import Store

TASKS = ["mmlu", "arc_easy", "arc_challenge", "hellaswag", "gsm8k"]
NOW = dt.datetime(2025, 1, 1, tzinfo=dt.timezone.utc)


def synthetic_record(model: int, task: str, n_items: int, rng: random.Random) -> ResultRecord:
    skill = rng.uniform(0.3, 0.9)
    correct = [rng.random() < skill for _ in range(n_items)]
    acc = sum(correct) / n_items
    key = CacheKey(
        model_fingerprint=f"hub:org/m{model}@main",
        dtype="bfloat16",
        backend="hf",
        task=task,
        task_fingerprint="bench",
        num_fewshot=0,
        limit=None,
        lm_eval_version="0.4.13",
        transformers_version="5",
    )
    return ResultRecord(
        key=key.digest(),
        cache_key=key,
        model=ModelInfo(
            id=f"m{model}",
            name=f"Model {model}",
            origin="US" if model % 2 else "CN",
            organisation=f"org{model % 37}",
            released=dt.date(2024, 1, 1) + dt.timedelta(days=model % 700),
            params_b=1 + model % 70,
            size_class="~7B",
            variant="base",
            open_weights=True,
            source={"kind": "hub", "repo": f"org/m{model}"},
        ),
        task=TaskInfo(name=task, n_samples=n_items, n_total=n_items, primary_metric="acc"),
        metrics=[Metric(name="acc", value=acc, stderr=(acc * (1 - acc) / (n_items - 1)) ** 0.5)],
        items=[
            Item(doc_id=i, prompt_hash=f"{task}-{i}", correct=c, scores={"acc": float(c)})
            for i, c in enumerate(correct)
        ],
        provenance=Provenance(
            gaptrack_version="bench",
            packages={},
            device="cuda",
            device_name="bench",
            batch_size="auto",
            wall_time_s=1.0,
            started_at=NOW,
            finished_at=NOW,
        ),
    )


def build(root: Path, layout: str, models: int, tasks: list[str], items: int) -> float:
    store = Store(root, layout=layout)
    rng = random.Random(0)  # the same scores in both layouts
    clock = time.perf_counter()
    for model in range(models):
        for task in tasks:
            store.put(synthetic_record(model, task, items, rng))
    return time.perf_counter() - clock


def measure(args: list[str]) -> tuple[float, float, int]:
    """Wall seconds, peak RSS in MB, exit code of one fresh process."""
    clock = time.perf_counter()
    process = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - clock
    return seconds, usage.ru_maxrss / 1024, os.waitstatus_to_exitcode(status)


VERIFY = "verify --results (reads every item; no cache)"


def commands(root: Path) -> dict[str, list[str]]:
    gaptrack = [sys.executable, "-m", "gaptrack"]
    out = root.parent / f"{root.name}-leaderboard"
    summary = (
        "from pathlib import Path; from gaptrack.store import Store; from gaptrack.publish.scores_csv import write_scores; "
        f"write_scores(Store({str(root)!r}).summaries(), Path({str(root / 'scores.csv')!r}))"
    )
    return {
        "check --results": [*gaptrack, "check", "--results", str(root)],
        "results (scores of the whole store)": [sys.executable, "-c", summary],
        "leaderboard --results": [
            *gaptrack,
            "leaderboard",
            "--results",
            str(root),
            "--out",
            str(out),
        ],
        VERIFY: [*gaptrack, "verify", "--results", str(root)],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", type=int, default=1000)
    parser.add_argument("--tasks", type=int, default=20)
    parser.add_argument("--items", type=int, default=500)
    parser.add_argument("--dir", type=Path, default=None, help="Where to build (default: tmp).")
    parser.add_argument("--keep", action="store_true", help="Keep the stores afterwards.")
    parser.add_argument(
        "--layouts", default="json,parquet", help="Comma-separated: json (the baseline), parquet."
    )
    args = parser.parse_args()
    tasks = [*TASKS, *(f"task{k}" for k in range(args.tasks - len(TASKS)))][: args.tasks]
    base = args.dir or Path(tempfile.mkdtemp(prefix="gaptrack-bench-"))
    print(
        f"{args.models} models x {len(tasks)} tasks x {args.items} items; "
        f"{platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, "
        f"python {platform.python_version()}"
    )
    figures: dict[tuple[str, str, str], tuple[float, float, int]] = {}
    layouts = args.layouts.split(",")
    for layout in layouts:
        root = base / layout
        if not (root / "records").is_dir():
            built = build(root, layout, args.models, tasks, args.items)
            print(f"built {layout} store in {built:.0f}s", flush=True)
        size = sum(p.stat().st_size for p in root.rglob("*") if p.is_file()) / 2**20
        print(f"{layout}: {size:.0f} MB on disk", flush=True)
        for name, command in commands(root).items():
            for state in ("cold", "warm") if name != VERIFY else ("cold",):
                if state == "cold":
                    for derived in (TABLE_NAME, SIDECAR_NAME):
                        (root / derived).unlink(missing_ok=True)
                figures[(name, layout, state)] = measure(command)
                seconds, peak, code = figures[(name, layout, state)]
                print(
                    f"  {name:38s} {layout:8s} {state}  {seconds:6.2f} s  {peak:7.0f} MB  "
                    f"exit {code}",
                    flush=True,
                )
    if sorted(layouts) != ["json", "parquet"]:
        return
    print("Parquet vs JSON-only (time, memory):")
    for name in commands(base):
        for state in ("cold", "warm") if name != VERIFY else ("cold",):
            (tj, mj, _), (tp, mp, _) = (
                figures[(name, "json", state)],
                figures[(name, "parquet", state)],
            )
            print(f"  {name:38s} {state}  {tp / tj:5.2f}x time  {mp / mj:5.2f}x memory")
    if not args.keep and args.dir is None:
        shutil.rmtree(base)


if __name__ == "__main__":
    main()
