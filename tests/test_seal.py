"""The whole record is sealed (schema version 4): model identity and origin, settings,
metrics, items file and provenance. An edit to any of them, a current record without a
digest, an items file outside the store's items/ folder, a metric that is not a finite
number or a primary metric that names none: each is one BAD line in every command, and
no table shows the record. Older records migrate and are checked as before."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from gaptrack.api import Store, evaluate, load_config
from gaptrack.cli import app
from gaptrack.store import SCHEMA_VERSION, Metric
from gaptrack.store import store as store_module
from gaptrack.store.records import content_digest
from tests.fakes import FakeRunner
from tests.test_gaps import record

runner = CliRunner()
A = [True, False, True, True]


def _edit(path: Path, change) -> None:
    data = json.loads(path.read_text())
    change(data)
    path.write_text(json.dumps(data, indent=1))


def _stored(tmp_path: Path) -> tuple[Store, str]:
    store = Store(tmp_path / "results")
    rec = record("m-us", "US", A, task="mmlu")
    store.put(rec)
    return store, rec.key


def _problems(store: Store) -> list[str]:
    return [p.one_line() for p in Store(store.root).scan()[1]]  # read afresh


def as_version_3(store: Store, key: str) -> None:
    """Rewrite the record of `key` as gaptrack wrote it at schema version 3."""

    def change(data: dict) -> None:
        old = store.items_dir / f"{key}.parquet"
        (store.items_dir / data["items_file"]).rename(old)
        data.update(schema_version=3, items_file=f"items/{old.name}")
        data.pop("correct_digest")
        metrics = [Metric.model_validate(m) for m in data["metrics"]]
        data["content_digest"] = content_digest(
            metrics, data["items_digest"], data["items_file_sha256"]
        )

    _edit(store.path_for(key), change)


@pytest.mark.parametrize(
    "change",
    [
        lambda d: d["model"].update(origin="CN"),
        lambda d: d["model"].update(params_b=70.0),
        lambda d: d["model"].update(released="2020-01-01"),
        lambda d: d["task"].update(num_fewshot=5),
        lambda d: d["cache_key"].update(dtype="float16"),
        lambda d: d["provenance"].update(host="elsewhere"),
        lambda d: d.update(items_file_sha256="0" * 64),
    ],
    ids=["origin", "params_b", "released", "settings", "cache_key", "provenance", "file_sha"],
)
def test_every_field_is_sealed(tmp_path: Path, change) -> None:
    store, key = _stored(tmp_path)
    assert _problems(store) == []
    _edit(store.path_for(key), change)
    (line,) = _problems(store)
    assert f"{key}.json" in line and "content digest mismatch" in line


def test_a_current_record_without_a_digest_is_bad(tmp_path: Path) -> None:
    store, key = _stored(tmp_path)
    _edit(store.path_for(key), lambda d: d.update(content_digest=None))
    (line,) = _problems(store)
    assert "no content digest" in line


def test_a_version_3_record_migrates_and_keeps_its_checks(tmp_path: Path) -> None:
    store, key = _stored(tmp_path)
    as_version_3(store, key)
    assert _problems(store) == []
    read = store.get(key)
    assert read.schema_version == SCHEMA_VERSION and read.written_version == 3
    assert read.items_file == f"{key}.parquet" and len(store.items_of(read)) == len(A)
    result = runner.invoke(app, ["verify", "--results", str(store.root)])
    assert result.exit_code == 0, result.output
    _edit(store.path_for(key), lambda d: d["metrics"][0].update(value=0.99))
    assert "content digest mismatch" in _problems(store)[0]


def test_a_version_3_record_without_a_digest_is_not_trusted(tmp_path: Path) -> None:
    store, key = _stored(tmp_path)
    as_version_3(store, key)
    _edit(store.path_for(key), lambda d: d.update(content_digest=None))
    (line,) = _problems(store)
    assert "no content digest" in line


@pytest.mark.parametrize(
    "name", ["../outside.parquet", "/etc/hostname", "items/../../x.parquet", "sub/x.parquet"]
)
def test_items_file_outside_the_items_folder_is_refused_unread(
    tmp_path: Path, monkeypatch, name: str
) -> None:
    store, key = _stored(tmp_path)
    (tmp_path / "outside.parquet").write_bytes(b"not read")
    as_version_3(store, key)  # a version-3 record names `items/<file>`: the old form
    _edit(store.path_for(key), lambda d: d.update(items_file=name))
    monkeypatch.setattr(Path, "read_bytes", _only_records(Path.read_bytes))
    (line,) = _problems(store)
    assert "items_file" in line and "not a file of items/" in line
    monkeypatch.undo()
    result = runner.invoke(app, ["verify", "--results", str(store.root)])
    assert result.exit_code == 2 and "not a file of items/" in result.output


def _only_records(read):
    def guarded(path: Path) -> bytes:
        assert path.suffix == ".json", f"read {path}"
        return read(path)

    return guarded


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (lambda d: d["metrics"][0].update(value=float("nan")), "finite number"),
        (lambda d: d["metrics"][0].update(value=float("inf")), "finite number"),
        (lambda d: d["metrics"][0].update(stderr=float("nan")), "finite number"),
        (lambda d: d["task"].update(primary_metric="f1"), "names no metric"),
    ],
    ids=["nan", "inf", "nan-stderr", "no-primary"],
)
def test_a_record_no_table_can_show_is_one_bad_line_everywhere(
    tiny_config: Path, change, expected: str
) -> None:
    config = load_config(tiny_config)
    evaluate(config, runner=FakeRunner())
    path = sorted(Store(config.results_dir).records_dir.glob("*.json"))[0]
    _edit(path, change)
    for args in (
        ["results", "--config", str(tiny_config)],
        ["eval", "--config", str(tiny_config)],
        ["check", "--results", str(config.results_dir)],
        ["verify", "--results", str(config.results_dir)],
    ):
        result = runner.invoke(app, args)
        assert result.exception is None or isinstance(result.exception, SystemExit), (
            args,
            result.output,
        )
        assert "Traceback" not in result.output, args
        lines = [x for x in result.output.splitlines() if path.name in x]
        assert lines and expected in lines[0], (args, result.output)
    assert runner.invoke(app, ["verify", "--results", str(config.results_dir)]).exit_code == 2


def test_origin_edit_fails_verify_and_every_reader(tiny_config: Path) -> None:
    config = load_config(tiny_config)
    evaluate(config, runner=FakeRunner())
    store = Store(config.results_dir)
    us = next(
        p
        for p in sorted(store.records_dir.glob("*.json"))
        if json.loads(p.read_text())["model"]["origin"] == "US"
    )
    _edit(us, lambda d: d["model"].update(origin="CN"))
    for args in (
        ["results", "--config", str(tiny_config)],
        ["check", "--results", str(config.results_dir)],
        ["verify", "--results", str(config.results_dir)],
    ):
        result = runner.invoke(app, args)
        assert f"{us.name}: content digest mismatch" in result.output, (args, result.output)
    assert runner.invoke(app, ["verify", "--results", str(config.results_dir)]).exit_code == 2


def test_a_forced_rewrite_killed_before_its_record_leaves_the_old_pair(
    tmp_path: Path, monkeypatch
) -> None:
    """--force writes the new items under a new name; the record is renamed into place
    last. A crash between the two leaves the old record with its own items."""
    store, key = _stored(tmp_path)
    old_items = sorted(p.name for p in store.items_dir.iterdir())
    rerun = record("m-us", "US", [False, False, True, True], task="mmlu")
    assert rerun.key == key

    def killed(path, text):
        raise KeyboardInterrupt  # as a kill between the two writes

    monkeypatch.setattr(store_module, "write_text_atomic", killed)
    with pytest.raises(KeyboardInterrupt):
        store.put(rerun)
    monkeypatch.undo()
    kept = store.get(key)
    assert kept.score == 0.75 and [i.correct for i in store.items_of(kept)] == A
    assert sorted(p.name for p in store.items_dir.iterdir()) == old_items  # nothing left
    result = runner.invoke(app, ["verify", "--results", str(store.root)])
    assert result.exit_code == 0, result.output

    store.put(rerun)  # the new pair, and the old items file gone
    new = store.get(key)
    assert new.score == 0.5 and [i.correct for i in store.items_of(new)] == [
        False,
        False,
        True,
        True,
    ]
    assert sorted(p.name for p in store.items_dir.iterdir()) == [new.items_file]


def test_a_leftover_items_file_of_a_killed_write_is_reported_then_cleaned(tmp_path: Path) -> None:
    store, key = _stored(tmp_path)
    leftover = store.items_dir / f"{key}.{'0' * 16}.parquet"
    leftover.write_bytes(b"killed before its record")
    result = runner.invoke(app, ["verify", "--results", str(store.root)])
    assert result.exit_code == 2 and f"BAD {leftover}: leftover items file" in result.output
    store.put(record("m-us", "US", A, task="mmlu"))  # the next write of the key cleans up
    assert not leftover.exists()
    assert runner.invoke(app, ["verify", "--results", str(store.root)]).exit_code == 0


def test_the_seal_is_the_canonical_json_of_every_field_but_itself_and_the_items(
    tmp_path: Path,
) -> None:
    from gaptrack.store.records import seal_of, seal_parts, sha256_json

    store, key = _stored(tmp_path)
    data = json.loads(store.path_for(key).read_text())
    rest = {k: v for k, v in data.items() if k not in ("content_digest", "items")}
    assert data["content_digest"] == sha256_json(rest) == seal_of(seal_parts(data))
