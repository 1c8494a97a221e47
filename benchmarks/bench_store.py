"""Speed and memory of the store at scale: a synthetic store of MODELS x TASKS records of
ITEMS items each, written in both layouts (per-item results inline in JSON, the baseline;
and in Parquet beside a JSON record), then the whole-store commands timed on each in
fresh processes, with their CPU time and peak memory (max RSS).

Each command runs twice: "cold", with the store's summary cache (summary.parquet, see
gaptrack/store/cache.py) deleted first, so every record file is read and checked; and
"warm", the usual case, where the cache written by the cold run is used for every record
file that has not changed.

    python benchmarks/bench_store.py                      # 1000 x 20 x 500 (the target)
    python benchmarks/bench_store.py --models 50          # a quick look
    python benchmarks/bench_store.py --baseline cf2968b --models 200 --layouts parquet

Prints one line per (command, layout, cache) and the Parquet/JSON ratio. Records are
written through `Store.put`, so they are real, sealed, verifiable records.

`--baseline REV` (repeatable) measures gaptrack at commit REV in the same run, on the same stores:
REV is checked out in a temporary `git worktree` and each of its commands runs in a fresh
process with that worktree first on PYTHONPATH, alternating with this tree's, best of
`--repeat` runs each (the machine's load then weighs on both alike). The stores are
written by the first REV's gaptrack: a newer gaptrack reads an older one's records, an
older one refuses a field added since. First it checks that
both print and write the same bytes (`check`, `leaderboard`, `scores.csv` on the bench
store; `results`, `leaderboard`, `check` on a demo-shaped store made by the tests' fake
runner, with one hand-edited record) and names every difference (a REV before a change
of the evidence or of an output differs there: the timings then compare different work),
then prints this tree's time over REV's."""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
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
HERE = Path(__file__).resolve().parent.parent


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


Figures = tuple[float, float, float, int]
"""Wall seconds, CPU seconds (user + system), peak RSS in MB, exit code."""


def measure(args: list[str], tree: Path = HERE) -> Figures:
    """One fresh process, with gaptrack imported from `tree`."""
    env = {**os.environ, "PYTHONPATH": str(tree)}
    clock = time.perf_counter()
    process = subprocess.Popen(
        args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env, cwd=tree
    )
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - clock
    cpu = usage.ru_utime + usage.ru_stime
    return seconds, cpu, usage.ru_maxrss / 1024, os.waitstatus_to_exitcode(status)


def best(runs: list[Figures]) -> Figures:
    """The least of each figure over repeated runs (what the machine's load adds is
    noise; the exit code of the last run)."""
    return (
        min(r[0] for r in runs),
        min(r[1] for r in runs),
        min(r[2] for r in runs),
        runs[-1][3],
    )


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


def states(name: str) -> tuple[str, ...]:
    return ("cold", "warm") if name != VERIFY else ("cold",)


def forget_cache(root: Path) -> None:
    for derived in (TABLE_NAME, SIDECAR_NAME):
        (root / derived).unlink(missing_ok=True)


@contextlib.contextmanager
def worktree(rev: str):
    """gaptrack at `rev`, checked out (detached) in a temporary git worktree."""
    folder = Path(tempfile.mkdtemp(prefix="gaptrack-baseline-")) / "tree"
    subprocess.run(
        ["git", "-C", str(HERE), "worktree", "add", "--detach", "-q", str(folder), rev],
        check=True,
    )
    try:
        yield folder
    finally:
        subprocess.run(
            ["git", "-C", str(HERE), "worktree", "remove", "--force", str(folder)], check=False
        )
        shutil.rmtree(folder.parent, ignore_errors=True)


DERIVED = {TABLE_NAME, SIDECAR_NAME, "locks"}  # caches and locks: not outputs


def _outputs(folder: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(folder)): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and not DERIVED & set(p.relative_to(folder).parts)
    }


def run_outputs(tree: Path, store: Path, work: Path, runs: list[list[str]]) -> dict[str, bytes]:
    """Every byte the commands print and write, run by gaptrack from `tree` on a copy of
    `store` at `work` (the same path for both trees: the outputs name it)."""
    shutil.rmtree(work, ignore_errors=True)
    shutil.copytree(store, work)
    out: dict[str, bytes] = {}
    env = {**os.environ, "PYTHONPATH": str(tree)}
    for k, args in enumerate(runs):
        done = subprocess.run(args, capture_output=True, env=env, cwd=tree)
        out[f"{k}: {' '.join(args[1:])} (stdout)"] = done.stdout
        out[f"{k}: {' '.join(args[1:])} (stderr)"] = done.stderr
        out[f"{k}: exit"] = str(done.returncode).encode()
    out.update(_outputs(work))
    return out


def demo_store(folder: Path, writer: Path = HERE) -> Path:
    """A store shaped like the demo's (configs/demo.yaml: three models, four tasks), made
    by the tests' fake runner, with one record's score edited by hand (each command must
    report it once and leave it out)."""
    code = (
        "import sys; from pathlib import Path; from gaptrack.api import load_config; "
        "from gaptrack.run.evaluate import EvalRequest, evaluate; "
        "from tests.fakes import FakeRunner; "
        "evaluate(load_config('configs/demo.yaml'), EvalRequest(results_dir=Path(sys.argv[1])), "
        "runner=FakeRunner())"
    )
    env = {**os.environ, "PYTHONPATH": str(writer)}
    subprocess.run([sys.executable, "-c", code, str(folder)], check=True, cwd=writer, env=env)
    path = sorted((folder / "records").glob("*.json"))[0]
    data = json.loads(path.read_text())
    data["metrics"][0]["value"] = 0.99
    path.write_text(json.dumps(data, indent=1))
    return folder


def same_outputs(baseline: Path, bench_root: Path, scratch: Path, writer: Path) -> bool:
    """Whether gaptrack from `baseline` and from this tree print and write the same
    bytes; prints every difference. The demo-shaped store is written by `writer`."""
    gaptrack = [sys.executable, "-m", "gaptrack"]
    demo = demo_store(scratch / "demo-made", writer)
    config = str(HERE / "configs" / "demo.yaml")
    cases = {
        "bench store": (
            bench_root,
            lambda w: [
                [*gaptrack, "check", "--results", str(w)],
                [*gaptrack, "leaderboard", "--results", str(w), "--out", str(w / "board")],
                commands(w)["results (scores of the whole store)"],
            ],
        ),
        "demo-shaped store": (
            demo,
            lambda w: [
                [*gaptrack, "results", "-c", config, "--results", str(w)],
                [
                    *gaptrack,
                    "leaderboard",
                    "-c",
                    config,
                    "--results",
                    str(w),
                    "--out",
                    str(w / "b"),
                ],
                [*gaptrack, "check", "--results", str(w)],
            ],
        ),
    }
    same = True
    for case, (store, runs) in cases.items():
        work = scratch / "work"
        old = run_outputs(baseline, store, work, runs(work))
        new = run_outputs(HERE, store, work, runs(work))
        differ = sorted(k for k in old.keys() | new.keys() if old.get(k) != new.get(k))
        for name in differ:
            print(f"  DIFFERENT on the {case}: {name}")
        same &= not differ
        print(f"outputs on the {case}: {len(new)} streams and files, {len(differ)} differ")
    shutil.rmtree(scratch, ignore_errors=True)
    return same


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
    parser.add_argument(
        "--baseline",
        metavar="REV",
        action="append",
        default=[],
        help="Also measure gaptrack at git commit REV, in the same run (see above; repeatable).",
    )
    parser.add_argument("--build-only", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument(
        "--repeat",
        type=int,
        default=None,
        help="Runs of each, best kept (default 1; 3 with --baseline).",
    )
    args = parser.parse_args()
    repeat = args.repeat or (3 if args.baseline else 1)
    tasks = [*TASKS, *(f"task{k}" for k in range(args.tasks - len(TASKS)))][: args.tasks]
    if args.build_only:  # run by `run` with the writing tree's gaptrack
        for layout in args.layouts.split(","):
            build(args.dir / layout, layout, args.models, tasks, args.items)
        return
    base = args.dir or Path(tempfile.mkdtemp(prefix="gaptrack-bench-"))
    print(
        f"{args.models} models x {len(tasks)} tasks x {args.items} items; "
        f"{platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, "
        f"python {platform.python_version()}; best of {repeat}"
    )
    with contextlib.ExitStack() as stack:
        trees = {"this": HERE}
        for rev in args.baseline:
            trees = {**{rev: stack.enter_context(worktree(rev))}, **trees}
        run(args, base, tasks, trees, repeat)
    if not args.keep and args.dir is None:
        shutil.rmtree(base)


def run(args, base: Path, tasks: list[str], trees: dict[str, Path], repeat: int) -> None:
    figures: dict[tuple[str, str, str, str], Figures] = {}
    layouts = args.layouts.split(",")
    for layout in layouts:
        root = base / layout
        if not (root / "records").is_dir():
            clock = time.perf_counter()
            writer = trees[args.baseline[0]] if args.baseline else HERE
            # written by the first REV: a newer gaptrack reads an older one's records,
            # never the reverse (a field added since is refused by the older reader)
            subprocess.run(
                [sys.executable, __file__, "--build-only", "--dir", str(base), "--layouts", layout]
                + [f"--{k}={getattr(args, k)}" for k in ("models", "tasks", "items")],
                check=True,
                cwd=writer,
                env={**os.environ, "PYTHONPATH": str(writer)},
            )
            print(
                f"built {layout} store in {time.perf_counter() - clock:.0f}s "
                f"(written by {args.baseline[0] if args.baseline else 'this tree'})",
                flush=True,
            )
        size = sum(p.stat().st_size for p in root.rglob("*") if p.is_file()) / 2**20
        print(f"{layout}: {size:.0f} MB on disk", flush=True)
        for rev in args.baseline:
            print(f"outputs of {rev} and this tree:")
            writer = trees[args.baseline[0]]
            if not same_outputs(trees[rev], root, base / "outputs", writer):
                print(f"  NOTE: {rev} and this tree differ in what they write or print")
        for name, command in commands(root).items():
            runs: dict[tuple[str, str], list[Figures]] = {}
            for _ in range(repeat):  # alternating trees: the load weighs on both
                for tree_name, tree in trees.items():
                    for state in states(name):
                        if state == "cold":
                            forget_cache(root)
                        runs.setdefault((tree_name, state), []).append(measure(command, tree))
            for (tree_name, state), measured in runs.items():
                figures[(name, layout, state, tree_name)] = best(measured)
                seconds, cpu, peak, code = figures[(name, layout, state, tree_name)]
                label = "" if len(trees) == 1 else f" {tree_name:8s}"
                print(
                    f"  {name:38s} {layout:8s} {state}{label}  {seconds:6.2f} s  "
                    f"cpu {cpu:6.2f} s  {peak:7.0f} MB  exit {code}",
                    flush=True,
                )
    for rev in args.baseline:
        print(f"This tree vs {rev} (wall time, CPU time, memory; below 1: faster):")
        for layout in layouts:
            for name in commands(base):
                for state in states(name):
                    (t0, c0, m0, _), (t1, c1, m1, _) = (
                        figures[(name, layout, state, rev)],
                        figures[(name, layout, state, "this")],
                    )
                    print(
                        f"  {name:38s} {layout:8s} {state}  {t1 / t0:5.2f}x wall  "
                        f"{c1 / c0:5.2f}x cpu  {m1 / m0:5.2f}x memory"
                    )
    if sorted(layouts) != ["json", "parquet"]:
        return
    print("Parquet vs JSON-only, this tree (time, memory):")
    for name in commands(base):
        for state in states(name):
            (tj, _, mj, _), (tp, _, mp, _) = (
                figures[(name, "json", state, "this")],
                figures[(name, "parquet", state, "this")],
            )
            print(f"  {name:38s} {state}  {tp / tj:5.2f}x time  {mp / mj:5.2f}x memory")


if __name__ == "__main__":
    main()
