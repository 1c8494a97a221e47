"""The hub code path, offline: a model named by hub id and revision, served from a
Hugging Face cache folder exactly as a download would have left it."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from gaptrack.api import Store, evaluate, load_config

COMMIT = "0123456789abcdef0123456789abcdef01234567"


def config_text(source: str, task_dir: Path, results: Path) -> str:
    return f"""\
name: hub-offline
models:
  - id: tiny
    name: Tiny Llama
    origin: US
    organisation: Test Lab
    released: 2024-06-01
    params_b: 0.0001
    variant: base
    source: {source}
suite: {{tasks: [tiny_mc], batch_size: 1, task_paths: [{task_dir}]}}
results_dir: {results}
"""


def test_hub_id_and_revision_load_from_the_cache(
    tmp_path: Path, tiny_llama: Path, tiny_task_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import huggingface_hub.constants

    cache = tmp_path / "hub-cache"
    repo = cache / "models--gaptrack-test--tiny-llama"
    shutil.copytree(tiny_llama, repo / "snapshots" / COMMIT)
    (repo / "refs").mkdir()
    (repo / "refs" / "main").write_text(COMMIT)
    # transformers reads this constant at call time; HF_HOME alone is read at import.
    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_CACHE", str(cache))

    hub_cfg = tmp_path / "hub.yaml"
    hub_cfg.write_text(
        config_text(
            "{kind: hub, repo: gaptrack-test/tiny-llama, revision: main}",
            tiny_task_dir,
            tmp_path / "hub-results",
        )
    )
    local_cfg = tmp_path / "local.yaml"
    local_cfg.write_text(
        config_text(
            f"{{kind: local, path: {tiny_llama}}}", tiny_task_dir, tmp_path / "local-results"
        )
    )

    hub = evaluate(load_config(hub_cfg))
    local = evaluate(load_config(local_cfg))
    assert not hub.failed and not local.failed, hub.failed or local.failed
    (hub_record,) = Store(tmp_path / "hub-results").records()
    (local_record,) = Store(tmp_path / "local-results").records()
    assert str(hub_record.cache_key.model_fingerprint) == "hub:gaptrack-test/tiny-llama@main"
    assert hub_record.model.revision == COMMIT  # the branch resolved to its commit
    assert hub_record.model.source.model_dump() == {
        "kind": "hub",
        "repo": "gaptrack-test/tiny-llama",
        "revision": "main",
    }
    # Same weights, same items: the same number whichever way the model was found.
    assert hub_record.metrics == local_record.metrics
