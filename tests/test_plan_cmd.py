"""`gaptrack plan`: the jobs a config implies beyond the store, their work and GPUs."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from gaptrack.api import evaluate, load_config
from gaptrack.cli import app
from gaptrack.config.schema import ModelSpec
from gaptrack.run.estimate import gpus_needed, task_cost
from tests.fakes import FakeRunner

ROOT = Path(__file__).resolve().parents[1]


def model(**fields) -> ModelSpec:
    base = dict(
        id="m",
        name="M",
        origin="US",
        organisation="Lab",
        released="2024-01-01",
        params_b=7.0,
        variant="base",
        source={"kind": "hub", "repo": "a/b"},
    )
    return ModelSpec(**{**base, **fields})


def test_gpus_from_params_dtype_or_entry() -> None:
    assert gpus_needed(model(params_b=8.0)) == 1  # 16 GB of bfloat16 weights
    assert gpus_needed(model(params_b=70.6)) == 2  # 141 GB: two 80 GB GPUs
    assert gpus_needed(model(params_b=70.6, dtype="float32")) == 4
    assert gpus_needed(model(params_b=70.6), gpu_memory_gb=141) == 2
    assert gpus_needed(model(params_b=70.6, gpus=8)) == 8  # the entry's own setting wins
    vllm = model(params_b=671.0, backend="vllm", tensor_parallel_size=8, data_parallel_size=2)
    assert gpus_needed(vllm) == 16
    # no sizes set: by memory (2.1 GPUs' worth), then a tensor-parallel size that divides
    # the heads: 3 never does for 64 heads, so 4 (heads unknown: a power of two)
    assert gpus_needed(model(params_b=72.7, backend="vllm")) == 4
    assert gpus_needed(model(params_b=7.0, backend="vllm", data_parallel_size=4)) == 4


def test_task_cost_counts_choices_fewshot_and_group_limits() -> None:
    full = task_cost("arc_challenge", 1.0, 25, None, None)
    assert full.items == 1172 and full.requests == 1172 * 4
    assert full.tokens == 1172 * 4 * 50 * 26
    assert full.flop == 2e9 * full.tokens
    assert task_cost("mmlu", 1.0, 5, 10, None).items == 570  # --limit applies per subject
    gsm = task_cost("gsm8k", 1.0, 0, None, 64)
    assert gsm.requests == 1319 and gsm.tokens == 1319 * (150 + 64)
    assert task_cost("my_task", 1.0, 0, None, None).items is None


def test_plan_lists_what_the_store_lacks(tiny_config: Path) -> None:
    result = CliRunner().invoke(app, ["plan", "--config", str(tiny_config), "--device", "cuda"])
    assert result.exit_code == 0, result.output
    assert "tiny-llama" in result.stdout and "tiny-qwen2" in result.stdout
    assert "size unknown (not in the table): tiny_mc, tiny_mc2" in result.stdout
    config = load_config(tiny_config)
    evaluate(config, runner=FakeRunner(), request=None)
    again = CliRunner().invoke(app, ["plan", "--config", str(tiny_config)])
    assert again.exit_code == 0
    assert "tiny-llama" not in again.stdout
    assert "4 stored, 0 to run in 0 jobs" in again.output


def test_plan_of_the_gpu_config_imports_no_torch() -> None:
    # The first resolution of built-in tasks against a packaged data copy builds lm-eval's
    # task index once (tasks cache); every later plan reads manifests only.
    warm = [sys.executable, "-m", "gaptrack", "plan", "--config", "qwen_vs_llama"]
    assert subprocess.run(warm, cwd=ROOT, capture_output=True, timeout=300).returncode == 0
    code = (
        "import sys\n"
        "from typer.testing import CliRunner\n"
        "from gaptrack.cli import app\n"
        "r = CliRunner().invoke(app, ['plan', '--config', 'qwen_vs_llama'])\n"
        "print(r.output)\n"
        "assert r.exit_code == 0, r.output\n"
        "heavy = {'torch', 'lm_eval', 'transformers', 'datasets', 'ray', 'submitit'}\n"
        "assert not heavy & set(sys.modules), heavy & set(sys.modules)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "llama-3.1-70b" in done.stdout and "15.3EFLOP" in done.stdout


def _shipped_config_names() -> list[str]:
    """Every config gaptrack ships (the catalogues beside them are not configs)."""
    from gaptrack.config.loader import SHIPPED_CATALOGUES, shipped_configs_dir

    catalogues = set(SHIPPED_CATALOGUES.values())
    return sorted(p.stem for p in shipped_configs_dir().glob("*.yaml") if p.name not in catalogues)


def test_every_shipped_config_is_listed() -> None:
    assert {"demo", "demo_full", "qwen_vs_llama", "seed_families"} <= set(_shipped_config_names())


@pytest.mark.parametrize("name", _shipped_config_names())
def test_plan_runs_on_every_shipped_config(name: str, tmp_path: Path) -> None:
    # demo and demo_full hold packaged models, whose source is a list of parts: the plan
    # crashed hashing their specs (TypeError: unhashable type: 'list')
    args = ["plan", "--config", name, "--results", str(tmp_path), "--device", "cuda"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "total:" in result.stdout
