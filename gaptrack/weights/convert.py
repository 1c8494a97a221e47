"""GGUF -> transformers folder. The only module here that imports torch/transformers/gguf,
and only when a conversion actually runs, so `gaptrack --help` stays fast."""

from __future__ import annotations

import time
from collections.abc import Callable
from importlib import metadata
from pathlib import Path
from typing import Any

from gaptrack.errors import SourceError


def _version(dist: str) -> str | None:
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return None


def library_versions() -> dict[str, str | None]:
    return {name: _version(name) for name in ("transformers", "torch", "gguf", "tokenizers")}


def convert_gguf(
    gguf_path: Path,
    out_dir: Path,
    *,
    after_load: Callable[[], None] | None = None,
) -> dict[str, Any]:
    """Dequantise `gguf_path` and save model + tokenizer into `out_dir` as float32
    safetensors. Returns facts for the manifest. `after_load` is a test hook that runs
    between loading and saving (where a real kill would hurt most)."""
    try:
        import gguf  # noqa: F401  (transformers needs it; fail with our message, not theirs)
        import torch
        from transformers import AutoModelForCausalLM, AutoTokenizer
    except ImportError as exc:
        raise SourceError(
            f"converting a GGUF model needs {exc.name}: pip install torch transformers gguf"
        ) from None

    started = time.perf_counter()
    folder, name = str(gguf_path.parent), gguf_path.name
    try:
        loaded = AutoModelForCausalLM.from_pretrained(folder, gguf_file=name, dtype=torch.float32)
        tokenizer = AutoTokenizer.from_pretrained(folder, gguf_file=name)
    except (ValueError, OSError, KeyError, RuntimeError) as exc:
        raise SourceError(f"transformers cannot read GGUF file {name}: {exc}") from None
    if after_load is not None:
        after_load()

    # save_pretrained refuses a model that carries a GGUF quantizer; a fresh model built
    # from the same config without `quantization_config` takes over the same dequantised
    # tensors and saves like any other. Built on the meta device and given the tensors by
    # `assign`, it costs no second copy of the weights and no random init (Qwen 0.5B:
    # 3.8 instead of 5.3 GB peak, 15 s less). strict=True proves no tensor was dropped.
    config = loaded.config
    if hasattr(config, "quantization_config"):
        del config.quantization_config
    config.dtype = torch.float32
    state = loaded.state_dict()
    generation_config = loaded.generation_config
    del loaded
    with torch.device("meta"):
        fresh = AutoModelForCausalLM.from_config(config, dtype=torch.float32)
    fresh.load_state_dict(state, strict=True, assign=True)
    del state
    if getattr(config, "tie_word_embeddings", False):
        fresh.tie_weights()  # assign replaced the shared Parameter with two equal ones
    if any(tensor.is_meta for tensor in fresh.state_dict().values()):
        raise SourceError(f"converting {name} left tensors without data (transformers bug?)")
    fresh.generation_config = generation_config
    n_params = sum(p.numel() for p in fresh.parameters())
    fresh.save_pretrained(out_dir)
    tokenizer.save_pretrained(out_dir)
    return {
        "architecture": type(fresh).__name__,
        "model_type": config.model_type,
        "parameters": n_params,
        "dtype": "float32",
        "seconds": round(time.perf_counter() - started, 2),
    }
