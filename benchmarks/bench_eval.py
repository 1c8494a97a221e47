"""Figures for `gaptrack eval` against bare lm-eval, measured in the same run.

    python benchmarks/bench_eval.py

Builds the tiny test models and tasks, then times (each in a fresh process, as a user
would run it): bare `lm_eval.simple_evaluate` on both models and tasks; `gaptrack eval`
on the same config, first run; and the fully cached re-run (target: under 3 s, no model
loaded). Prints seconds and ratios; asserts nothing."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.update(HF_HUB_OFFLINE="1", HF_DATASETS_OFFLINE="1", TOKENIZERS_PARALLELISM="false")

from tests import tiny  # noqa: E402

BARE = """
import lm_eval
from lm_eval.tasks import TaskManager
tm = TaskManager(include_path={tasks!r}, include_defaults=False)
for path in {models!r}:
    lm_eval.simple_evaluate(model="hf", model_args={{"pretrained": path, "dtype": "float32"}},
                            tasks=["tiny_mc", "tiny_mc2"], task_manager=tm, batch_size=1, device="cpu")
"""


def timed(command: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run(
        command, check=True, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    return time.perf_counter() - start


def main() -> None:
    work = Path(tempfile.mkdtemp(prefix="gaptrack-bench-"))
    models = {arch: tiny.build_model(work / arch, arch) for arch in ("llama", "qwen2")}
    tasks = tiny.build_tasks(work / "tasks" if (work / "tasks").mkdir() is None else work)
    config = work / "tiny.yaml"
    config.write_text(tiny.config_yaml(models, tasks, results=work / "results"))
    env = {**os.environ, "GAPTRACK_HOME": str(work / "home"), "HF_HOME": str(work / "hf")}

    bare = timed(
        [
            sys.executable,
            "-c",
            BARE.format(tasks=str(tasks), models=[str(p) for p in models.values()]),
        ],
        env,
    )
    first = timed([sys.executable, "-m", "gaptrack", "eval", "--config", str(config)], env)
    cached = min(
        timed([sys.executable, "-m", "gaptrack", "eval", "--config", str(config)], env)
        for _ in range(3)
    )
    startup = min(timed([sys.executable, "-c", "pass"], env) for _ in range(3))

    print("gaptrack eval vs bare lm-eval, 2 tiny models x 2 tasks x 12 items, fresh processes")
    print(f"  bare lm-eval (simple_evaluate)   {bare:6.2f} s   1.00x")
    print(f"  gaptrack eval, first run         {first:6.2f} s   {first / bare:.2f}x")
    print(
        f"  gaptrack eval, cached re-run     {cached:6.2f} s   {cached / bare:.2f}x   (target < 3 s)"
    )
    print(f"  python start-up alone            {startup:6.2f} s")


if __name__ == "__main__":
    main()
