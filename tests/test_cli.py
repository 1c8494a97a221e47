"""The CLI through typer's CliRunner: exit codes, one-line errors, no tracebacks."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from gaptrack.cli import app

runner = CliRunner()


def invoke(*args: str):
    return runner.invoke(app, list(args))


def test_validate_ok(tiny_config: Path) -> None:
    result = invoke("validate", "--config", str(tiny_config))
    assert result.exit_code == 0, result.output
    assert "2 models, 2 tasks" in result.output


BAD_MODEL = (
    "  - {id: a, name: A, origin: US, organisation: O, released: 2024-01-01, params_b: 1,"
    " variant: base, source: {kind: hub, repo: a/b}}\n"
)


@pytest.mark.parametrize(
    ("yaml_text", "field"),
    [
        (
            "name: x\nmodels:\n"
            + BAD_MODEL.replace("variant", "colour: 1, variant")
            + "suite: {tasks: [arc_easy]}\n",
            "models[0].colour",
        ),
        (
            "name: x\nmodels:\n" + BAD_MODEL.replace("US", "ZZ") + "suite: {tasks: [arc_easy]}\n",
            "models[0].origin",
        ),
        (
            "name: x\nmodels:\n"
            + BAD_MODEL.replace("2024-01-01", "01/02/2024")
            + "suite: {tasks: [arc_easy]}\n",
            "models[0].released",
        ),
        (
            "name: x\nmodels:\n"
            + BAD_MODEL.replace("{kind: hub, repo: a/b}", "{kind: local, path: nowhere}")
            + "suite: {tasks: [arc_easy]}\n",
            "models[0].source.path",
        ),
        (
            "name: x\nmodels:\n" + BAD_MODEL + BAD_MODEL + "suite: {tasks: [arc_easy]}\n",
            "models[1].id",
        ),
        (
            "name: x\nmodels:\n" + BAD_MODEL + "suite: {tasks: [arc_easy, no_such_task_xyz]}\n",
            "suite.tasks[1]",
        ),
    ],
    ids=["unknown key", "bad origin", "bad date", "missing folder", "duplicate id", "unknown task"],
)
def test_validate_broken_config(tmp_path: Path, yaml_text: str, field: str) -> None:
    path = tmp_path / "broken.yaml"
    path.write_text(yaml_text)
    result = invoke("validate", "--config", str(path))
    assert result.exit_code == 2
    lines = result.output.strip().splitlines()
    assert len(lines) == 1, result.output
    assert lines[0].startswith(f"error: {path}: {field}: ")
    assert "Traceback" not in result.output


def test_missing_config_file(tmp_path: Path) -> None:
    result = invoke("eval", "--config", str(tmp_path / "nope.yaml"))
    assert result.exit_code == 2
    assert "config not found" in result.output


def test_eval_then_models_then_results(tiny_config: Path) -> None:
    first = invoke("eval", "--config", str(tiny_config), "--limit", "4")
    assert first.exit_code == 0, first.output
    assert "4 evaluated, 0 from the store, 0 failed" in first.output
    assert "[4/4] tiny-qwen2 on tiny_mc2" in first.output

    again = invoke("eval", "--config", str(tiny_config), "--limit", "4")
    assert again.exit_code == 0
    assert "0 evaluated, 4 from the store" in again.output

    # `models` and `results` see what `eval --limit` stored, whatever the limit.
    models = invoke("models", "--config", str(tiny_config))
    assert models.exit_code == 0
    assert "tiny-llama" in models.output and "2/2" in models.output
    assert "0/2" in invoke("models", "-c", str(tiny_config), "--limit", "3").output

    results = invoke("results", "--config", str(tiny_config))
    assert results.exit_code == 0, results.output
    assert "not run" not in results.output
    score_rows = [line for line in results.output.splitlines() if line.startswith("tiny-")]
    assert len(score_rows) == 4 and all(line.split()[4] == "4" for line in score_rows)
    only = invoke("results", "-c", str(tiny_config), "--only", "tiny-llama", "--tasks", "tiny_mc")
    assert [line.split()[:4] for line in only.output.splitlines() if line.startswith("tiny-")] == [
        ["tiny-llama", "US", "<1B", "tiny_mc"]
    ]
    other_limit = invoke("results", "-c", str(tiny_config), "--limit", "3")
    assert other_limit.output.count("not run") == 4


def test_eval_narrowing_errors_exit_2(tiny_config: Path) -> None:
    result = invoke("eval", "--config", str(tiny_config), "--only", "ghost")
    assert result.exit_code == 2
    assert "--only 'ghost' is not a model" in result.output


def test_help_is_fast_and_imports_no_torch() -> None:
    code = "import sys; from gaptrack.cli import app; print('torch' in sys.modules, 'lm_eval' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False"]
    help_out = subprocess.run(
        [sys.executable, "-m", "gaptrack", "--help"], capture_output=True, text=True
    )
    assert help_out.returncode == 0
    for command in ("eval", "validate", "models", "results", "prepare", "check", "import-reported"):
        assert command in help_out.stdout


def test_every_command_group_is_registered_on_the_real_app() -> None:
    names = {c.name for c in app.registered_commands}
    assert names == {
        "eval",
        "validate",
        "prepare",
        "models",
        "results",
        "check",
        "import-reported",
        "import-run",
        "export",
        "configs",
        "tasks",
        "plan",
        "status",
        "leaderboard",
        "report",
        "verify",
        "schema",
        "index",
        "update",
    }


def test_check_writes_into_the_configs_results_folder(
    tiny_config: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    result = invoke("check", "-c", str(tiny_config), "--claim", "c001-gap-9-to-2")
    assert result.exit_code == 0, result.output
    assert (tmp_path / "results" / "claims" / "c001-gap-9-to-2.json").is_file()
    assert not (elsewhere / "results").exists()


def test_ctrl_c_says_what_was_kept_and_how_to_resume(
    tiny_config: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import sys

    import gaptrack.api

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(gaptrack.api, "evaluate", interrupted, raising=False)
    monkeypatch.setattr(sys, "argv", ["gaptrack", "eval", "-c", str(tiny_config)])
    result = invoke("eval", "-c", str(tiny_config))
    assert result.exit_code == 130
    assert "interrupted: 0 stored records kept in" in result.output
    assert f"resume with: gaptrack eval -c {tiny_config}" in result.output
    assert "Traceback" not in result.output
