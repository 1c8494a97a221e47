"""Real lm-eval runs on the tiny models: gaptrack's stored numbers are lm-eval's numbers."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from gaptrack.api import Store, evaluate, load_config
from gaptrack.run import lmeval


@pytest.fixture(scope="module")
def lm_eval_direct(tiny_models: dict[str, Path], tiny_task_dir: Path) -> dict:
    """lm-eval on its own, as a user would call it, for both models and both tasks."""
    import lm_eval
    from lm_eval.tasks import TaskManager

    manager = TaskManager(include_path=str(tiny_task_dir), include_defaults=False)
    out = {}
    for model_id, arch in (("tiny-llama", "llama"), ("tiny-qwen2", "qwen2")):
        results = lm_eval.simple_evaluate(
            model="hf",
            model_args={"pretrained": str(tiny_models[arch]), "dtype": "float32"},
            tasks=["tiny_mc", "tiny_mc2"],
            task_manager=manager,
            batch_size=1,
            device="cpu",
        )
        out[model_id] = results["results"]
    return out


def test_stored_accuracy_equals_lm_eval(tiny_config: Path, lm_eval_direct: dict) -> None:
    config = load_config(tiny_config)
    summary = evaluate(config)
    assert not summary.failed
    store = Store(config.results_dir)
    records = list(store.records())
    assert len(records) == 4
    for record in records:
        direct = lm_eval_direct[record.model.id][record.task.name]
        for name in ("acc", "acc_norm"):
            metric = record.metric(name)
            assert metric.value == direct[f"{name},none"]  # to the last digit
            assert metric.stderr == direct[f"{name}_stderr,none"]
        # Per-item correctness is kept and adds up to the aggregate.
        items = store.items_of(record)
        assert len(items) == record.task.n_samples == 12
        assert sum(i.correct for i in items) / 12 == record.metric("acc").value
        assert record.task.version == "1.0"
        assert record.task.lmeval_task_hash and len(record.task.lmeval_task_hash) == 64
        assert record.provenance.device == "cpu"
        assert record.provenance.packages["lm_eval"] == "0.4.13"
    # The two random models differ, so the test can tell them apart.
    scores = {(r.model.id, r.task.name): r.metric("acc").value for r in records}
    assert (
        scores[("tiny-llama", "tiny_mc")] != scores[("tiny-qwen2", "tiny_mc")]
        or scores[("tiny-llama", "tiny_mc2")] != scores[("tiny-qwen2", "tiny_mc2")]
    )


def test_cached_rerun_loads_no_model(tiny_config: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = load_config(tiny_config)
    evaluate(config)

    def no_load(job):
        raise AssertionError("a cached re-run must not load a model")

    monkeypatch.setattr(lmeval, "load_lm", no_load)
    summary = evaluate(config)
    assert summary.ran == [] and len(summary.records()) == 4


def test_parse_results_speaks_gaptrack_schema() -> None:
    """lm-eval's quirks stop at the adapter: "N/A" stderr -> None, numpy -> float,
    per-filter samples -> one item with every filter's score."""
    import numpy as np

    results = {
        "results": {
            "gsm8k": {
                "alias": "gsm8k",
                "exact_match,strict-match": np.float64(0.5),
                "exact_match_stderr,strict-match": "N/A",
                "exact_match,flexible-extract": np.float32(1.0),
                "exact_match_stderr,flexible-extract": np.float64(0.0),
            }
        },
        "higher_is_better": {"gsm8k": {"exact_match": True}},
        "versions": {"gsm8k": 3.0},
        "n-samples": {"gsm8k": {"original": 1319, "effective": 2}},
        "samples": {
            "gsm8k": [
                {
                    "doc_id": d,
                    "filter": f,
                    "metrics": ["exact_match"],
                    "exact_match": v,
                    "doc_hash": "d",
                    "prompt_hash": f"p{d}",
                    "target_hash": "t",
                }
                for d, f, v in [
                    (0, "strict-match", 1.0),
                    (0, "flexible-extract", 1.0),
                    (1, "strict-match", 0.0),
                    (1, "flexible-extract", 1.0),
                ]
            ]
        },
    }
    outcome = lmeval.parse_results(results, "gsm8k")
    assert str(outcome.primary_metric) == "exact_match/strict-match"
    strict = next(m for m in outcome.metrics if m.filter == "strict-match")
    assert strict.value == 0.5 and strict.stderr is None and type(strict.value) is float
    assert [i.correct for i in outcome.items] == [True, False]
    assert outcome.items[1].scores == {
        "exact_match/strict-match": 0.0,
        "exact_match/flexible-extract": 1.0,
    }
    assert (outcome.n_samples, outcome.n_total, outcome.version) == (2, 1319, "3.0")


def test_gpu_settings_reach_hflm(monkeypatch: pytest.MonkeyPatch) -> None:
    """What a GPU run hands lm-eval's HFLM: CUDA, bfloat16, auto batch, the hub revision,
    layer splitting, and trust_remote_code only where the config says so."""
    import lm_eval.models.huggingface as hf

    from gaptrack.config import ModelSpec
    from gaptrack.run.runner import ModelJob
    from gaptrack.weights import ResolvedModel

    seen: dict = {}
    monkeypatch.setattr(hf, "HFLM", lambda **kwargs: seen.update(kwargs) or "lm")
    spec = ModelSpec.model_validate({
        "id": "qwen2.5-72b", "name": "Qwen2.5 72B", "origin": "CN", "organisation": "Alibaba",
        "released": "2024-09-19", "params_b": 72.7, "variant": "base", "parallelize": True,
        "source": {"kind": "hub", "repo": "Qwen/Qwen2.5-72B", "revision": "abc123"},
    })  # fmt: skip
    job = ModelJob(
        model=spec,
        resolved=ResolvedModel("Qwen/Qwen2.5-72B", "abc123", "hub:Qwen/Qwen2.5-72B@abc123", ""),
        device="cuda",
        dtype="bfloat16",
        batch_size="auto",
        tasks=[],
        tasks_resolution=None,
    )
    assert lmeval.load_lm(job) == "lm"
    assert seen == {
        "pretrained": "Qwen/Qwen2.5-72B",
        "revision": "abc123",
        "device": "cuda",
        "dtype": "bfloat16",
        "batch_size": "auto",
        "trust_remote_code": False,
        "parallelize": True,
    }
    # A model the plan says needs several GPUs is split without `parallelize` in its entry.
    unsplit = spec.model_copy(update={"parallelize": False})
    lmeval.load_lm(dataclasses.replace(job, model=unsplit, gpus=2))
    assert seen["parallelize"] is True
    lmeval.load_lm(dataclasses.replace(job, model=unsplit, gpus=1))
    assert seen["parallelize"] is False
