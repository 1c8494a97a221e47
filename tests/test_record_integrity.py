"""Records are checked on every read: schema version (migrating older ones), content
digest, items against their mean metric. A bad file is reported in one line and left out
of every table and verdict; nothing is deleted."""

from __future__ import annotations

import json
import stat
from pathlib import Path

from typer.testing import CliRunner

from gaptrack.api import Store, evaluate, load_config
from gaptrack.cli import app
from gaptrack.compare.evidence import load_measured
from gaptrack.store import SCHEMA_VERSION, ResultRecord
from tests.fakes import FakeRunner
from tests.test_gaps import record

runner = CliRunner()


def _stored(tmp_path: Path) -> tuple[Store, ResultRecord]:
    store = Store(tmp_path / "results")
    rec = record("m-us", "US", [True, False, True, True], task="mmlu")
    store.put(rec)
    return store, store.get(rec.key)


def _edit(path: Path, change) -> None:
    data = json.loads(path.read_text())
    change(data)
    path.write_text(json.dumps(data, indent=1))


def _as_version_1(data: dict) -> None:
    data["schema_version"] = 1
    del data["content_digest"]
    for metric in data["metrics"]:
        metric["higher_is_better"] = metric.pop("direction") == "higher"
        del metric["scale"]


def test_written_record_is_sealed_and_readable_by_others(tmp_path: Path) -> None:
    store, rec = _stored(tmp_path)
    assert rec.content_digest and rec.content_digest.startswith("sha256:")
    assert rec.metrics[0].scale == "fraction" and rec.metrics[0].direction == "higher"
    mode = stat.S_IMODE(store.path_for(rec.key).stat().st_mode)
    assert mode & 0o044 == 0o044, oct(mode)  # group and others may read (umask 022: 0644)


def test_version_1_record_loads_through_the_migration(tmp_path: Path) -> None:
    store, rec = _stored(tmp_path)
    _edit(store.path_for(rec.key), _as_version_1)
    migrated = store.get(rec.key)
    assert migrated.schema_version == SCHEMA_VERSION
    assert migrated.metrics[0].direction == "higher" and migrated.metrics[0].scale == "fraction"
    assert migrated.content_digest is None and migrated.score == rec.score


def test_newer_record_is_reported_not_skipped_in_silence(tmp_path: Path, capfd) -> None:
    store, rec = _stored(tmp_path)
    _edit(store.path_for(rec.key), lambda d: d.update(schema_version=SCHEMA_VERSION + 1))
    assert list(store.records()) == []
    err = capfd.readouterr().err
    assert f"{rec.key}.json" in err and "newer than this gaptrack reads" in err
    result = runner.invoke(app, ["verify", "--results", str(store.root)])
    assert result.exit_code == 2 and "newer than this gaptrack" in result.output


def test_truncated_and_stray_files_are_reported_and_kept(tmp_path: Path) -> None:
    store, rec = _stored(tmp_path)
    path = store.path_for(rec.key)
    path.write_bytes(path.read_bytes()[:200])
    stray = store.records_dir / "notes.txt"
    stray.write_text("hello")
    records, problems = store.scan()
    assert records == []
    lines = [p.one_line() for p in problems]
    assert any("truncated" in x and path.name in x for x in lines), lines
    assert any("stray file" in x and "notes.txt" in x for x in lines), lines
    result = runner.invoke(app, ["verify", "--results", str(store.root)])
    assert result.exit_code == 2, result.output
    assert path.exists() and stray.exists()  # nothing deleted


def test_items_must_average_to_the_stored_metric(tmp_path: Path) -> None:
    store, _ = _stored(tmp_path)
    rec = record("m-us", "US", [True, False, True, True], task="mmlu")
    # Someone edits the score and re-seals the digest: the items still disagree.
    forged = rec.model_copy(
        update={"metrics": [rec.metrics[0].model_copy(update={"value": 0.99})]}
    ).sealed()
    store.path_for(rec.key).write_text(forged.model_dump_json())
    (problem,) = store.scan()[1]
    assert "acc is 0.99 but its 4 items average 0.75" in problem.one_line()


def test_hand_edited_score_is_reported_by_every_command_and_used_by_none(
    tiny_config: Path,
) -> None:
    config = load_config(tiny_config)
    evaluate(config, runner=FakeRunner())
    store = Store(config.results_dir)
    path = sorted(store.records_dir.glob("*.json"))[0]
    key = path.stem
    _edit(path, lambda d: d["metrics"][0].update(value=0.99))

    for args in (
        ["results", "--config", str(tiny_config)],
        ["eval", "--config", str(tiny_config)],
        ["check", "--results", str(config.results_dir)],
        ["verify", "--results", str(config.results_dir)],
    ):
        result = runner.invoke(app, args)
        assert "content digest mismatch" in result.output, (args, result.output)
        assert f"{key}.json" in result.output
        assert "0.990" not in result.output, args
        assert result.exception is None or isinstance(result.exception, SystemExit), args
    assert key not in {r.row_id for r in load_measured(config.results_dir)}
    assert key not in (config.results_dir / "scores.csv").read_text()
    assert path.exists()


def test_config_with_invalid_utf8_is_one_line_exit_2(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_bytes(b"name: caf\xe9\n")
    result = runner.invoke(app, ["validate", "--config", str(bad)])
    assert result.exit_code == 2
    assert result.output.strip() == f"error: {bad}: not UTF-8 text (byte 9)"


def test_schema_command_writes_record_and_claim_schemas(tmp_path: Path) -> None:
    result = runner.invoke(app, ["schema", "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    schema = json.loads((tmp_path / "gaptrack-record.schema.json").read_text())
    assert "content_digest" in schema["properties"]
    assert schema["$defs"]["Metric"]["properties"]["scale"]["enum"] == [
        "fraction",
        "percent",
        "unbounded",
    ]
    claim = json.loads((tmp_path / "gaptrack-claim-result.schema.json").read_text())
    assert "verdict" in claim["properties"]
