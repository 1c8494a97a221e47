"""`eval` and the store it writes to: a store it cannot write is one line before any
model loads, and a stored record that fails its check is counted as bad, not stored."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from gaptrack.api import Store, evaluate, load_config
from gaptrack.cli import app
from gaptrack.store.store import StoreWriteError
from tests.fakes import FakeRunner

runner = CliRunner()


def _listing(root: Path) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*")) if root.exists() else []


def test_a_file_in_the_way_of_records_stops_eval_before_any_model_loads(
    tiny_config: Path,
) -> None:
    config = load_config(tiny_config)
    config.results_dir.mkdir(parents=True)
    (config.results_dir / "records").write_text("not a folder")
    fake = FakeRunner()
    with pytest.raises(StoreWriteError) as raised:
        evaluate(config, runner=fake)
    assert fake.loads == []
    assert raised.value.one_line().startswith(f"{config.results_dir / 'records'}: cannot write")
    result = runner.invoke(app, ["eval", "--config", str(tiny_config)])
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert result.output.strip() == f"error: {raised.value.one_line()}"
    assert not list(config.results_dir.glob("items/*.parquet"))  # nothing without a record


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes to a read-only folder")
def test_a_read_only_records_folder_stops_eval_before_any_model_loads(
    tiny_config: Path,
) -> None:
    config = load_config(tiny_config)
    records = config.results_dir / "records"
    records.mkdir(parents=True)
    records.chmod(0o555)
    try:
        fake = FakeRunner()
        with pytest.raises(StoreWriteError, match="records: cannot write"):
            evaluate(config, runner=fake)
        assert fake.loads == [] and not list(config.results_dir.glob("items/*"))
    finally:
        records.chmod(0o755)


def test_a_record_that_cannot_be_written_leaves_no_items_file(tmp_path: Path, monkeypatch) -> None:
    from gaptrack.store import store as store_module
    from tests.test_gaps import record

    store = Store(tmp_path)

    def full(path, text):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(store_module, "write_text_atomic", full)
    with pytest.raises(StoreWriteError, match="No space left on device"):
        store.put(record("m-us", "US", [True, False]))
    assert _listing(store.items_dir) == []


def test_a_bad_stored_record_is_counted_bad_with_how_to_rerun_it(tiny_config: Path) -> None:
    config = load_config(tiny_config)
    evaluate(config, runner=FakeRunner())
    store = Store(config.results_dir)
    path = sorted(store.records_dir.glob("*.json"))[0]
    data = json.loads(path.read_text())
    data["model"]["origin"] = "CN" if data["model"]["origin"] == "US" else "US"
    path.write_text(json.dumps(data))
    model, task = data["model"]["id"], data["task"]["name"]
    for command in ("eval", "plan"):
        result = runner.invoke(app, [command, "--config", str(tiny_config)])
        assert "3 stored, 1 bad" in result.output, (command, result.output)
        assert f"re-run them with --force, e.g. --force --only {model} --tasks {task}" in (
            result.output
        )
    assert path.read_text() == json.dumps(data)  # kept as it is
