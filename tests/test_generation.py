"""Chat template and sampling settings: merged suite -> model, in the cache key and every
record, passed to lm-eval, and shown beside a gap that compares differently-run models."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from gaptrack.api import EvalRequest, Store, evaluate, load_config, make_plan
from gaptrack.config.schema import GenerationSettings
from gaptrack.errors import GaptrackError
from gaptrack.run.lmeval import evaluate_settings, model_settings
from tests.fakes import FakeRunner


def edited(path: Path, change) -> Path:
    data = yaml.safe_load(path.read_text())
    change(data)
    out = path.with_name(f"edited-{len(list(path.parent.glob('edited-*')))}.yaml")
    out.write_text(yaml.safe_dump(data))
    return out


def keys(path: Path) -> dict[tuple[str, str], str]:
    return {
        (e.model.id, e.task): e.key.digest()
        for e in make_plan(load_config(path), EvalRequest()).entries
    }


def test_defaults_keep_old_keys_and_settings_change_them(tiny_config: Path) -> None:
    plan = make_plan(load_config(tiny_config), EvalRequest())
    assert all(e.key.generation is None for e in plan.entries)
    before = keys(tiny_config)
    chat = edited(
        tiny_config, lambda d: d["suite"].update(generation={"apply_chat_template": True})
    )
    after = keys(chat)
    assert all(before[pair] != after[pair] for pair in before)

    def per_model(data: dict) -> None:
        data["suite"]["generation"] = {"max_gen_toks": 512, "temperature": 0.6}
        data["models"][1]["generation"] = {"temperature": 0.0, "enable_thinking": False}

    plan = make_plan(load_config(edited(tiny_config, per_model)), EvalRequest())
    by_model = {e.model.id: e.key.generation for e in plan.entries}
    assert by_model["tiny-llama"] == {"max_gen_toks": 512, "temperature": 0.6}
    assert by_model["tiny-qwen2"] == {
        "max_gen_toks": 512,
        "temperature": 0.0,
        "enable_thinking": False,
    }


def test_settings_reach_the_runner_and_the_record(tiny_config: Path) -> None:
    path = edited(
        tiny_config,
        lambda d: d["suite"].update(
            generation={
                "apply_chat_template": True,
                "system_instruction": "Answer briefly.",
                "seed": 7,
            }
        ),
    )
    seen = []

    class Recording(FakeRunner):
        def run_model(self, job):
            seen.append(job.generation)
            yield from super().run_model(job)

    config = load_config(path)
    evaluate(config, runner=Recording())
    assert seen[0].apply_chat_template and seen[0].seed == 7
    for record in Store(config.results_dir).records():
        assert record.cache_key.generation == {
            "apply_chat_template": True,
            "system_instruction": "Answer briefly.",
            "seed": 7,
        }


def test_lm_eval_arguments() -> None:
    assert evaluate_settings(GenerationSettings()) == {}  # exactly lm-eval's default run
    assert model_settings(GenerationSettings()) == {}
    settings = GenerationSettings(
        apply_chat_template=True,
        fewshot_as_multiturn=True,
        system_instruction="Be terse.",
        max_gen_toks=1024,
        temperature=0.6,
        seed=3,
        enable_thinking=False,
        think_end_token="</think>",
    )
    assert evaluate_settings(settings) == {
        "apply_chat_template": True,
        "fewshot_as_multiturn": True,
        "system_instruction": "Be terse.",
        "gen_kwargs": {"max_gen_toks": 1024, "temperature": 0.6, "do_sample": True},
        "torch_random_seed": 3,
    }
    assert model_settings(settings) == {"enable_thinking": False, "think_end_token": "</think>"}
    with pytest.raises(ValueError, match="fewshot_as_multiturn needs apply_chat_template"):
        GenerationSettings(fewshot_as_multiturn=True)


def test_gap_says_when_sides_ran_differently(tiny_config: Path) -> None:
    from gaptrack.compare.evidence import measured_row
    from gaptrack.compare.gaps import Contender, run_differences

    config = load_config(tiny_config)
    evaluate(config, runner=FakeRunner())
    store = Store(config.results_dir)
    a, b = list(store.records())[:2]

    def side(record):
        row = measured_row(record, store)
        return Contender(model=row.model, origin="x", value=1.0, released=None, rows=[row])

    assert run_differences(side(a), side(b)) == ""
    vllm = b.model_copy(update={"cache_key": b.cache_key.model_copy(update={"backend": "vllm"})})
    assert run_differences(side(a), side(vllm)) == "backends differ: hf vs vllm"
    chat = b.model_copy(
        update={
            "cache_key": b.cache_key.model_copy(
                update={"generation": {"apply_chat_template": True}}
            )
        }
    )
    assert (
        run_differences(side(a), side(chat))
        == "settings differ: lm-eval defaults vs apply_chat_template=True"
    )


def test_vllm_missing_is_one_line_before_anything_runs(tiny_config: Path) -> None:
    pytest.importorskip("lm_eval")
    import importlib.util

    if importlib.util.find_spec("vllm") is not None:
        pytest.skip("vllm is installed here")
    path = edited(
        tiny_config, lambda d: d["models"][0].update(backend="vllm", tensor_parallel_size=2)
    )
    config = load_config(path)
    with pytest.raises(
        GaptrackError, match=r"backend 'vllm' needs the vllm package: pip install"
    ) as caught:
        evaluate(config)
    assert "\n" not in str(caught.value)
    assert not list(Store(config.results_dir).records())


def test_chat_template_and_sampling_run_in_lm_eval(tmp_path: Path, tiny_llama: Path) -> None:
    """Real lm-eval on a generative task: the chat template wraps the prompts that the
    record's per-item hashes cover, so the same items with and without it differ."""
    from tests import tiny

    model = tiny.add_chat_template(tiny_llama, tmp_path / "chat-llama")
    tasks = tiny.build_gen_task(tmp_path / "gen-tasks")
    base = yaml.safe_load(tiny.config_yaml({"llama": model, "qwen2": model}, tasks, tmp_path / "r"))
    base["models"] = base["models"][:1]
    base["suite"]["tasks"] = ["tiny_gen"]
    plain = tmp_path / "plain.yaml"
    plain.write_text(yaml.safe_dump(base))
    base["suite"]["generation"] = {
        "apply_chat_template": True,
        "system_instruction": "Answer with one word.",
        "max_gen_toks": 4,
        "temperature": 0.0,
        "seed": 1,
        "enable_thinking": False,
    }
    chat = tmp_path / "chat.yaml"
    chat.write_text(yaml.safe_dump(base))
    for path in (plain, chat):
        summary = evaluate(load_config(path))
        assert not summary.failed, summary.failed
    store = Store(tmp_path / "r")
    records = {r.cache_key.generation is None: r for r in store.records()}
    assert set(records) == {True, False}
    plain_items = [i.prompt_hash for i in store.items_of(records[True])]
    chat_items = [i.prompt_hash for i in store.items_of(records[False])]
    assert len(plain_items) == len(chat_items) == 6
    assert all(a != b for a, b in zip(plain_items, chat_items, strict=True))
    assert records[False].cache_key.generation["enable_thinking"] is False


def test_backend_per_run_changes_keys_and_jobs(tiny_config: Path) -> None:
    config = load_config(tiny_config)
    hf = make_plan(config, EvalRequest())
    vllm = make_plan(config, EvalRequest(backend="vllm"))
    assert {e.key.backend for e in vllm.entries} == {"vllm"}
    assert {e.model.backend for e in vllm.entries} == {"vllm"}
    assert not {e.key.digest() for e in hf.entries} & {e.key.digest() for e in vllm.entries}
    with pytest.raises(GaptrackError, match="--backend 'tgi': use hf or vllm"):
        make_plan(config, EvalRequest(backend="tgi"))
