"""The cache key changes with every field that changes a score, and with nothing else."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from gaptrack.api import EvalRequest, load_config, make_plan
from gaptrack.run import device


def keys(path: Path, request: EvalRequest | None = None) -> dict[tuple[str, str], str]:
    plan = make_plan(load_config(path), request or EvalRequest())
    return {(e.model.id, e.task): e.key.digest() for e in plan.entries}


def edit(path: Path, change) -> Path:
    data = yaml.safe_load(path.read_text())
    change(data)
    out = path.with_name(f"edited-{len(list(path.parent.glob('edited-*')))}.yaml")
    out.write_text(yaml.safe_dump(data))
    return out


def test_key_is_stable(tiny_config: Path) -> None:
    assert keys(tiny_config) == keys(tiny_config)
    assert len(set(keys(tiny_config).values())) == 4


NEUTRAL = {
    "display name": lambda d: d["models"][0].update(name="Renamed"),
    "origin": lambda d: d["models"][0].update(origin="FR"),
    "release date": lambda d: d["models"][0].update(released="2020-01-01"),
    "batch size": lambda d: d["suite"].update(batch_size=4),
    "results dir": lambda d: d.update(results_dir="elsewhere"),
    "config name": lambda d: d.update(name="other"),
    "parallelize": lambda d: d["models"][0].update(parallelize=True),
}


@pytest.mark.parametrize("change", sorted(NEUTRAL))
def test_fields_that_do_not_change_the_number_keep_the_key(tiny_config: Path, change: str) -> None:
    assert keys(edit(tiny_config, NEUTRAL[change])) == keys(tiny_config)


CHANGING = {
    "dtype": lambda d: d["models"][0].update(dtype="bfloat16"),
    "backend": lambda d: d["models"][0].update(backend="vllm"),
    "fewshot": lambda d: d["suite"].update(num_fewshot=2),
    "limit": lambda d: d["suite"].update(limit=3),
    "task-level limit": lambda d: d["suite"].update(
        tasks=[{"name": "tiny_mc", "limit": 3}, "tiny_mc2"]
    ),
}


@pytest.mark.parametrize("change", sorted(CHANGING))
def test_fields_that_change_the_number_change_the_key(tiny_config: Path, change: str) -> None:
    before, after = keys(tiny_config), keys(edit(tiny_config, CHANGING[change]))
    changed = {pair for pair in before if before[pair] != after[pair]}
    assert changed, change
    if change in ("dtype", "backend"):
        assert changed == {("tiny-llama", "tiny_mc"), ("tiny-llama", "tiny_mc2")}
    if change == "task-level limit":
        assert changed == {("tiny-llama", "tiny_mc"), ("tiny-qwen2", "tiny_mc")}


def test_model_weights_change_the_key(tiny_config: Path, tmp_path: Path, tiny_llama: Path) -> None:
    import shutil

    copy = tmp_path / "llama-copy"
    shutil.copytree(tiny_llama, copy)
    moved = edit(tiny_config, lambda d: d["models"][0]["source"].update(path=str(copy)))
    assert keys(moved) == keys(tiny_config)  # same bytes elsewhere: same model
    weights = next(copy.glob("*.safetensors"))
    data = bytearray(weights.read_bytes())
    data[-1] ^= 0xFF
    weights.write_bytes(bytes(data))
    assert keys(moved)[("tiny-llama", "tiny_mc")] != keys(tiny_config)[("tiny-llama", "tiny_mc")]


def test_task_definition_changes_the_key(
    tiny_config: Path, tiny_task_dir: Path, tmp_path: Path
) -> None:
    import shutil

    tasks = tmp_path / "tasks-copy"
    shutil.copytree(tiny_task_dir, tasks)
    moved = edit(tiny_config, lambda d: d["suite"].update(task_paths=[str(tasks)]))
    before = keys(moved)
    data = tasks / "tiny_mc.jsonl"
    data.write_text(data.read_text().replace('"label": 0', '"label": 1', 1))
    after = keys(moved)
    assert after[("tiny-llama", "tiny_mc")] != before[("tiny-llama", "tiny_mc")]


def test_device_changes_the_key_only_through_dtype(
    tiny_config: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(device, "cuda_available", lambda: True)
    on_gpu = keys(tiny_config, EvalRequest(device="auto"))
    on_cpu = keys(tiny_config, EvalRequest(device="cpu"))
    assert on_gpu != on_cpu  # auto dtype: bfloat16 on CUDA, float32 on the CPU
    pinned = edit(tiny_config, lambda d: [m.update(dtype="float32") for m in d["models"]])
    assert keys(pinned, EvalRequest(device="auto")) == keys(pinned, EvalRequest(device="cpu"))


def test_package_versions_change_the_key(
    tiny_config: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from gaptrack.run import plan

    before = keys(tiny_config)
    real = plan.package_version
    monkeypatch.setattr(plan, "package_version", lambda n: "9.9.9" if n == "lm_eval" else real(n))
    assert set(keys(tiny_config).values()).isdisjoint(before.values())
