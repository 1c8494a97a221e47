"""One grammar for every command (issue 20): -c/--config and --results wherever results
are read or written, a missing results folder is a one-line error for a reader, a typo'd
id gets the nearest ids, help shows no type placeholders and the top-level help the
workflow, and eval runs validate's model preflight before any model loads."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from gaptrack.cli import app

runner = CliRunner()

RESULTS_COMMANDS = [
    "eval",
    "plan",
    "status",
    "models",
    "results",
    "check",
    "import-reported",
    "import-run",
    "export",
    "index",
    "leaderboard",
    "report",
    "update",
    "verify",
]
"""Every command that reads or writes a results folder."""


def _commands() -> list[str]:
    import typer.main

    return sorted(typer.main.get_command(app).commands)


def _one_error(result, *parts: str) -> str:
    assert result.exit_code == 2, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.output
    for part in parts:
        assert part in lines[0], lines[0]
    return lines[0]


@pytest.mark.parametrize("command", RESULTS_COMMANDS)
def test_every_results_command_takes_config_and_results_the_same_way(command: str) -> None:
    result = runner.invoke(app, [command, "--help"])
    assert result.exit_code == 0, result.output
    assert re.search(r"-c, --config FILE\|NAME\s", result.output), result.output
    assert re.search(r"--results DIR\s", result.output), result.output


def test_no_command_help_shows_a_type_placeholder() -> None:
    for command in ["", *_commands()]:
        result = runner.invoke(app, [command, "--help"] if command else ["--help"])
        assert result.exit_code == 0, (command, result.output)
        found = re.findall(r"<[a-z_\[\]|., ]+>", result.output)
        assert not found, (command, found)


def test_the_top_level_help_shows_the_workflow_in_order() -> None:
    out = runner.invoke(app, ["--help"]).output
    steps = ["prepare", "validate", "eval", "results", "check", "index", "leaderboard", "report"]
    at = [out.index(f"gaptrack {step} -c demo") for step in steps]
    assert at == sorted(at), out


@pytest.mark.parametrize(
    "args",
    [
        ["verify"],
        ["results"],
        ["verify", "--results", "{tmp}/nothing"],
        ["results", "--results", "{tmp}/nothing"],
    ],
    ids=["verify -c", "results -c", "verify --results", "results --results"],
)
def test_a_reader_given_a_missing_results_folder_says_so_in_one_line(
    args: list[str], tiny_config: Path, tmp_path: Path
) -> None:
    """A bare `verify` said "0 problems", `results --results typo` "not run", exit 0."""
    args = [a.replace("{tmp}", str(tmp_path)) for a in args]
    if "--results" not in args:
        args += ["-c", str(tiny_config)]  # its results folder is not made yet
        missing = tiny_config.parent / "results"
    else:
        missing = tmp_path / "nothing"
    _one_error(runner.invoke(app, args), f"error: {missing}: no such results folder")
    assert not missing.exists()


def test_a_typo_gets_the_nearest_ids(tiny_config: Path) -> None:
    c = ["-c", str(tiny_config)]
    _one_error(
        runner.invoke(app, ["eval", *c, "--only", "tiny-lama"]), "did you mean 'tiny-llama'?"
    )
    _one_error(runner.invoke(app, ["plan", *c, "--tasks", "tiny-mc"]), "did you mean 'tiny_mc'")
    _one_error(
        runner.invoke(
            app, ["check", "--results", str(tiny_config.parent), "--claim", "c001-gap-9-to-3"]
        ),
        "no claim 'c001-gap-9-to-3'; did you mean 'c001-gap-9-to-2'",
    )
    _one_error(runner.invoke(app, ["validate", "-c", "dmeo"]), "did you mean 'demo'?")
    _one_error(runner.invoke(app, ["configs", "--copy", "dmeo"]), "did you mean 'demo'?")
    bad = tiny_config.with_name("typo.yaml")
    bad.write_text(
        "name: typo\ncatalogue: [packaged]\nmodels: [smollm2-135m-instrct]\n"
        "suite: {tasks: [arc_easy]}\n"
    )
    _one_error(
        runner.invoke(app, ["validate", "-c", str(bad)]),
        "models[0]: 'smollm2-135m-instrct' is not a model of the catalogue; "
        "did you mean 'smollm2-135m-instruct'?",
    )


def test_eval_runs_the_model_preflight_before_any_model_loads(
    tiny_config: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A hub model not cached while the hub is off: one line with the `hf download`
    command, before anything is claimed, loaded or stored (it took 50 s of retries
    ending in transformers' connection error)."""
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    uncached = (
        "  - {id: uncached, name: U, origin: CN, organisation: O, released: 2024-01-01,"
        " params_b: 0.1, variant: base, source: {kind: hub, repo: someone/not-cached}}\n"
    )
    text = tiny_config.read_text().replace("suite:\n", uncached + "suite:\n")
    tiny_config.write_text(text)
    result = runner.invoke(app, ["eval", "-c", str(tiny_config), "--only", "uncached"])
    _one_error(
        result,
        "model uncached: someone/not-cached@main is not in the local Hugging Face cache",
        "hf download someone/not-cached --revision main",
    )
    assert not list((tiny_config.parent / "results").rglob("*.json"))


SCREEN = 40
"""Lines of a one-screen summary (the demo printed 614, its scores scrolled away)."""


def test_check_and_index_print_one_screen_and_verbose_the_rest(tmp_path: Path) -> None:
    checked = runner.invoke(app, ["check", "--results", str(tmp_path)])
    assert checked.exit_code == 0, checked.output
    lines = checked.output.splitlines()
    assert len(lines) <= SCREEN, checked.output
    assert re.match(r"\d+ claims: \d+ tested", lines[0])
    assert "  supported (" in checked.output and "--verbose prints" in checked.output
    assert "AI Index 2025 US-China benchmark gaps" not in checked.output  # --verbose's
    args = ["index", "--results", str(tmp_path), "--boot", "2", "--no-epoch-check"]
    fitted = runner.invoke(app, args)
    assert fitted.exit_code == 0, fitted.output
    assert len(fitted.output.splitlines()) <= SCREEN, fitted.output
    assert "Capability, top 10 of" in fitted.output and "Benchmark difficulty" not in fitted.output


def test_eval_prints_one_row_per_model_where_the_scores_fill_more_than_a_screen(
    tiny_config: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from gaptrack.api import evaluate, load_config
    from gaptrack.publish import console
    from tests.fakes import FakeRunner

    summary = evaluate(load_config(tiny_config), runner=FakeRunner())
    monkeypatch.setattr(console, "SCORE_ROWS_ON_SCREEN", 3)  # 4 records: 2 models x 2 tasks
    capsys.readouterr()
    console.print_summary(summary, verbose=False)
    out = capsys.readouterr().out
    assert "Scores: 4 rows, one line per model here" in out
    assert re.search(r"tiny-llama\s+US\s+\S+\s+2\s+2\s+0", out), out
    console.print_summary(summary, verbose=True)
    assert out.count("tiny_mc2") < capsys.readouterr().out.count("tiny_mc2")
