"""The GPU box path, end to end, on tiny models: `gaptrack eval` picks CUDA, bfloat16 and
batch size `auto`; prints what it stored and how long it took. Run on a CUDA machine:

    python benchmarks/bench_cuda.py

Builds the tiny test models (tests/tiny.py) plus a wider one, runs the real CLI in fresh
processes (CUDA first run, cached re-run, CPU run of the same config for comparison), and
prints devices, dtypes, batch sizes, scores and seconds. Asserts nothing."""

from __future__ import annotations

import json
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


def gaptrack(*args: str, env: dict[str, str]) -> float:
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "gaptrack", *args], env=env, capture_output=True, text=True
    )
    seconds = time.perf_counter() - start
    print(f"$ gaptrack {' '.join(args)}  -> exit {done.returncode} in {seconds:.1f} s")
    print("  " + "\n  ".join((done.stderr + done.stdout).strip().splitlines()[-14:]))
    return seconds


def records(results: Path) -> list[dict]:
    return [json.loads(p.read_text()) for p in sorted((results / "records").glob("*.json"))]


def main() -> None:
    import torch

    print(f"torch {torch.__version__}, CUDA available: {torch.cuda.is_available()}")
    if torch.cuda.is_available():
        print(f"device 0: {torch.cuda.get_device_name(0)}, {torch.cuda.device_count()} visible")
    root = Path(tempfile.mkdtemp(prefix="gaptrack-cuda-"))
    models = {arch: tiny.build_model(root / arch, arch) for arch in ("llama", "qwen2")}
    (root / "tasks").mkdir()
    tasks = tiny.build_tasks(root / "tasks", n_items=200)
    env = {**os.environ, "GAPTRACK_HOME": str(root / "home")}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    for label, device in (("cuda", "auto"), ("cpu", "cpu")):
        config = root / f"{label}.yaml"
        text = tiny.config_yaml(models, tasks, results=root / f"results-{label}")
        config.write_text(text.replace("batch_size: 1", "batch_size: auto"))
        gaptrack("plan", "--config", str(config), "--device", device, env=env)
        first = gaptrack("eval", "--config", str(config), "--device", device, env=env)
        again = gaptrack("eval", "--config", str(config), "--device", device, env=env)
        print(f"{label}: first run {first:.1f} s, cached re-run {again:.1f} s")
        for rec in records(root / f"results-{label}"):
            prov = rec["provenance"]
            acc = next(m for m in rec["metrics"] if m["name"] == "acc")
            print(
                f"  {rec['model']['id']:<11} {rec['task']['name']:<9} acc {acc['value']:.4f} "
                f"n={rec['task']['n_samples']} device={prov['device']} ({prov['device_name']}) "
                f"dtype={rec['cache_key']['dtype']} batch={prov['batch_size']} "
                f"backend={rec['cache_key']['backend']} {prov['wall_time_s']:.2f} s"
            )


if __name__ == "__main__":
    main()
