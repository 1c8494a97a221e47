"""The loaders' strictness on what a file may say (tests/bad_inputs.py holds the refused
files): what they must still accept (a byte order mark, a date within the margin, the
current year), where a duplicate key is reported, and an unknown task named with its
config file and field by every command that reads the suite."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from gaptrack.cli import app
from gaptrack.compare.evidence.csvio import read_reported
from gaptrack.config.checks import FUTURE_MARGIN_DAYS
from gaptrack.config.loader import (
    MAX_ALIAS_NODES,
    DuplicateKeyError,
    StrictLoader,
    load_catalogue,
    load_config,
)
from gaptrack.errors import ConfigError
from tests.bad_inputs import GOOD_CONFIG, HEADER, MODEL, ROW

runner = CliRunner()
BOM = b"\xef\xbb\xbf"


def test_a_bom_is_accepted_in_an_evidence_csv(tmp_path: Path) -> None:
    path = tmp_path / "excel.csv"
    path.write_bytes(BOM + (HEADER + ROW).encode())
    [row] = read_reported(path)
    assert row.quantity == "score" and row.value == 70.0


def test_a_bom_is_accepted_in_a_config(tmp_path: Path) -> None:
    path = tmp_path / "c.yaml"
    path.write_bytes(BOM + GOOD_CONFIG.encode())
    assert load_config(path).models[0].origin == "US"


def test_a_bom_is_accepted_by_import_reported(tmp_path: Path) -> None:
    path = tmp_path / "excel.csv"
    path.write_bytes(BOM + (HEADER + ROW).encode())
    result = runner.invoke(app, ["import-reported", str(path), "--results", str(tmp_path / "r")])
    assert result.exit_code == 0, result.output


def test_duplicate_catalogue_key_names_the_file_and_both_lines(tmp_path: Path) -> None:
    path = tmp_path / "cat.yaml"
    path.write_text(
        "models:\n"
        "  - id: a\n    name: A\n    origin: US\n    organisation: O\n    released: 2024-01-01\n"
        "    params_b: 1\n    variant: base\n    origin: CN\n    source: {kind: hub, repo: a/b}\n"
    )
    with pytest.raises(ConfigError) as caught:
        load_catalogue(path)
    assert caught.value.one_line() == (
        f"{path}: line 9: duplicate key 'origin' (first given on line 4)"
    )


def test_the_same_key_in_two_mappings_and_merge_keys_are_fine() -> None:
    text = "a: {x: 1}\nb: {x: 2}\nbase: &b {y: 1, z: 2}\nc: {<<: *b, y: 3}\n"
    assert yaml.load(text, Loader=StrictLoader) == {  # noqa: S506 (a SafeLoader subclass)
        "a": {"x": 1},
        "b": {"x": 2},
        "base": {"y": 1, "z": 2},
        "c": {"y": 3, "z": 2},
    }


def test_keys_python_holds_as_one_are_duplicates() -> None:
    """`1` and `true` are different YAML keys but one dict entry: the first value would be
    lost as silently as with a repeated key."""
    with pytest.raises(DuplicateKeyError):
        yaml.load("1: a\ntrue: b\n", Loader=StrictLoader)  # noqa: S506


def test_aliases_within_the_budget_load() -> None:
    # 10 x 1,000 aliases of a 9-value list: 90,000 values added, within MAX_ALIAS_NODES.
    text = "x: &a [1, 2, 3, 4, 5, 6, 7, 8, 9]\ny: [" + ", ".join(["*a"] * 1000) + "]\n"
    assert MAX_ALIAS_NODES > 1000 * 10
    assert len(yaml.load(text, Loader=StrictLoader)["y"]) == 1000  # noqa: S506


def test_a_release_date_within_the_margin_is_accepted(tmp_path: Path) -> None:
    soon = dt.date.today() + dt.timedelta(days=FUTURE_MARGIN_DAYS - 1)
    path = tmp_path / "c.yaml"
    path.write_text(GOOD_CONFIG.replace("2024-01-01", soon.isoformat()))
    assert load_config(path).models[0].released == soon
    later = dt.date.today() + dt.timedelta(days=FUTURE_MARGIN_DAYS + 2)
    path.write_text(GOOD_CONFIG.replace("2024-01-01", later.isoformat()))
    with pytest.raises(ConfigError, match=f"more than {FUTURE_MARGIN_DAYS} days after today"):
        load_config(path)


def test_the_current_year_and_month_are_accepted_as_publication_dates(tmp_path: Path) -> None:
    """A period counts from its first day: `2026` in January 2026 is not 'in the future'
    although it ends in December."""
    today = dt.date.today()
    path = tmp_path / "e.csv"
    for published in (str(today.year), f"{today.year}-{today.month:02d}"):
        path.write_text(HEADER + ROW.replace("2024-02-01", published))
        [row] = read_reported(path)
        assert row.published is not None and row.published >= today


def test_a_value_inside_its_interval_is_accepted(tmp_path: Path) -> None:
    path = tmp_path / "e.csv"
    path.write_text(
        HEADER.replace(",published", ",ci_low,ci_high,published")
        + ROW.replace(",2024-02-01", ",70,72,2024-02-01")
    )
    [row] = read_reported(path)
    assert (row.ci_low, row.value, row.ci_high) == (70, 70, 72)


@pytest.mark.parametrize("command", ["validate", "eval"])
def test_an_unknown_task_names_the_config_file_and_field(tmp_path: Path, command: str) -> None:
    path = tmp_path / "demo.yaml"
    path.write_text(
        "name: demo\nmodels:\n" + MODEL + "suite: {tasks: [arc_challenge, arc_easyy]}\n"
        f"results_dir: {tmp_path / 'results'}\n"
    )
    result = runner.invoke(app, [command, "--config", str(path)])
    assert result.exit_code == 2, result.output
    assert result.output.splitlines() == [
        f"error: {path}: suite.tasks[1]: unknown task 'arc_easyy' (did you mean 'arc_easy'?)"
    ]
    assert not (tmp_path / "results").exists()


def test_a_registry_release_date_in_the_future_is_refused(tmp_path: Path) -> None:
    from gaptrack.compare.evidence.registry import read_registry

    path = tmp_path / "models.yaml"
    path.write_text(
        "models:\n- id: m\n  name: M\n  origin: CN\n  versions:\n  - id: m\n    name: M\n"
        "    released: '2999-03'\n    date_source: x\n    date_kind: developer\n"
    )
    with pytest.raises(ConfigError, match=r"models\[0\]\.versions\[0\]\.released: 2999-03 is in"):
        read_registry(path)
