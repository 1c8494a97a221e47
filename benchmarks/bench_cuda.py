"""The GPU box path, end to end, on tiny models: `gaptrack eval` picks CUDA, bfloat16 and
batch size `auto`; prints what it stored and how long it took. Run on a CUDA machine:

    python benchmarks/bench_cuda.py [mc] [gen] [batch]     # parts to run (default: all)

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
    parts = set(sys.argv[1:]) or {"mc", "gen", "batch"}
    if "mc" in parts:
        mc_check(root, models, tasks, env)
    if "gen" in parts:
        generation_check(root, models, env)
    if "batch" in parts:
        batch_check(root, models, tasks, env)


def mc_check(root: Path, models: dict[str, Path], tasks: Path, env: dict[str, str]) -> None:
    """The tiny models on 2 x 200 multiple-choice items: CUDA (auto) against the CPU."""
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


def generation_check(root: Path, models: dict[str, Path], env: dict[str, str]) -> None:
    """A chat template, a system instruction, greedy decoding with a seed and thinking off,
    on a generative task: the settings reach lm-eval and every record."""
    import yaml

    model = tiny.add_chat_template(models["llama"], root / "chat-llama")
    gen_tasks = tiny.build_gen_task(root / "gen-tasks", n_items=50)
    data = yaml.safe_load(
        tiny.config_yaml({"llama": model, "qwen2": model}, gen_tasks, root / "r-gen")
    )
    data["models"] = data["models"][:1]
    data["suite"].update(tasks=["tiny_gen"], batch_size="auto")
    data["suite"]["generation"] = {
        "apply_chat_template": True,
        "system_instruction": "Answer with one word.",
        "max_gen_toks": 8,
        "temperature": 0.0,
        "seed": 1,
        "enable_thinking": False,
    }
    config = root / "gen.yaml"
    config.write_text(yaml.safe_dump(data))
    gaptrack("eval", "--config", str(config), env=env)
    for rec in records(root / "r-gen"):
        prov = rec["provenance"]
        print(
            f"  generation: {rec['task']['name']} n={rec['task']['n_samples']} "
            f"device={prov['device']} dtype={rec['cache_key']['dtype']} "
            f"settings={rec['cache_key']['generation']} {prov['wall_time_s']:.2f} s"
        )


def batch_check(root: Path, models: dict[str, Path], tasks: Path, env: dict[str, str]) -> None:
    """A wider Llama (about 150M parameters) on 2 x 200 items: batch `auto` against 1."""
    import shutil

    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer, LlamaConfig

    wide = root / "wide-llama"
    shutil.copytree(models["llama"], wide)
    tok = AutoTokenizer.from_pretrained(wide)
    config = LlamaConfig(
        vocab_size=len(tok),
        hidden_size=1024,
        intermediate_size=4096,
        num_hidden_layers=12,
        num_attention_heads=16,
        num_key_value_heads=8,
        max_position_embeddings=512,
        bos_token_id=tok.bos_token_id,
        eos_token_id=tok.eos_token_id,
        pad_token_id=tok.pad_token_id,
    )
    torch.manual_seed(0)
    model = AutoModelForCausalLM.from_config(config)
    print(f"wide model: {sum(p.numel() for p in model.parameters()) / 1e6:.0f}M parameters")
    model.save_pretrained(wide)
    for batch in ("auto", "1"):
        path = root / f"wide-{batch}.yaml"
        text = tiny.config_yaml({"llama": wide, "qwen2": wide}, tasks, root / f"r-wide-{batch}")
        path.write_text(text.replace("batch_size: 1", f"batch_size: {batch}"))
        seconds = gaptrack("eval", "--config", str(path), "--only", "tiny-llama", env=env)
        walls = [r["provenance"]["wall_time_s"] for r in records(root / f"r-wide-{batch}")]
        print(f"wide model, batch {batch}: {seconds:.1f} s in all, tasks {walls} s")


if __name__ == "__main__":
    main()
