"""Per-item results in Parquet beside a JSON record: summaries never read them, pairing
two records' items is a join, and stores with items inline in JSON keep working."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from gaptrack.cli import app
from gaptrack.compare.gaps import pair_items
from gaptrack.publish.scores_csv import write_scores
from gaptrack.store import SCHEMA_VERSION, Metric, Store, items
from gaptrack.store.records import content_digest
from tests.test_gaps import record

A = [True, False, True, True, False, True]


def _items_file(store: Store, key: str) -> Path:
    """The items file the record of `key` names (in the store's items/ folder)."""
    return store.items_dir / json.loads(store.path_for(key).read_text())["items_file"]


B = [False, False, True, True, True, True]


def test_items_go_to_parquet_and_come_back_the_same(tmp_path: Path) -> None:
    store = Store(tmp_path)
    rec = record("m-us", "US", A)
    path = store.put(rec)
    data = json.loads(path.read_text())
    assert data["items"] == [] and re.fullmatch(
        rf"{rec.key}\.[0-9a-f]{{16}}\.parquet", data["items_file"]
    )
    table = pq.read_table(tmp_path / "items" / data["items_file"])
    assert table.num_rows == len(A) and table.column("correct").to_pylist() == A
    assert store.items_of(store.get(rec.key)) == rec.items


def test_the_items_digest_is_the_canonical_json_of_the_items() -> None:
    import hashlib

    from gaptrack.store.records import items_digest

    rec = record("m-us", "US", A)
    canonical = json.dumps(
        [i.model_dump(mode="json") for i in rec.items], sort_keys=True, separators=(",", ":")
    )
    assert items_digest(rec.items) == "sha256:" + hashlib.sha256(canonical.encode()).hexdigest()


def test_a_summary_never_parses_an_item(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    store = Store(tmp_path)
    store.put(record("m-us", "US", A))

    def forbidden(*_args, **_kwargs):
        raise AssertionError("a summary read an items file")

    monkeypatch.setattr(items, "read_table", forbidden)
    assert [r.score for r in store.records()] == [4 / 6]
    write_scores(store.records(), tmp_path / "scores.csv")


def test_pairing_two_records_is_a_join(tmp_path: Path) -> None:
    store = Store(tmp_path)
    a, b = record("m-us", "US", A), record("m-cn", "CN", B[:5])
    store.put(a)
    store.put(b)
    joined = items.paired(_items_file(store, a.key), _items_file(store, b.key))
    sample = pair_items(a.items, b.items, len(A), 5)
    assert joined.column("a").to_pylist() == list(sample.a)
    assert joined.column("b").to_pylist() == list(sample.b)


def test_json_only_stores_keep_working(tmp_path: Path) -> None:
    legacy = Store(tmp_path, layout="json")
    rec = record("m-us", "US", A)
    path = legacy.put(rec)
    assert len(json.loads(path.read_text())["items"]) == len(A)
    assert not (tmp_path / "items").exists()
    parquet = Store(tmp_path)  # the default (Parquet) store reads it
    (read,) = parquet.records()
    assert parquet.items_of(read) == rec.items
    result = CliRunner().invoke(app, ["verify", "--results", str(tmp_path)])
    assert result.exit_code == 0, result.output


def test_a_tampered_items_file_is_reported_and_gives_no_items(tmp_path: Path, capfd) -> None:
    store = Store(tmp_path)
    rec = record("m-us", "US", A)
    store.put(rec)
    file = _items_file(store, rec.key)
    table = pq.read_table(file)
    flipped = table.set_column(table.column_names.index("correct"), "correct", [[not c for c in A]])
    pq.write_table(flipped, file)
    (read,) = store.records()
    assert store.items_of(read) == []
    assert "items file sha256 mismatch" in capfd.readouterr().err
    result = CliRunner().invoke(app, ["verify", "--results", str(tmp_path)])
    assert result.exit_code == 2 and f"BAD {file}: items file sha256 mismatch" in result.output


def test_a_version_2_record_has_its_items_checked_item_by_item(tmp_path: Path, capfd) -> None:
    """Records written before version 3 name no file digest: a tampered items file is
    still found, by the items digest."""
    store = Store(tmp_path)
    rec = record("m-us", "US", A)
    path = store.put(rec)
    data = json.loads(path.read_text())
    file = store.items_dir / f"{rec.key}.parquet"  # as version 2 named it
    (store.items_dir / data["items_file"]).rename(file)
    data["schema_version"] = 2
    data["items_file"] = f"items/{file.name}"
    data.pop("items_file_sha256")
    data.pop("correct_digest")
    data["content_digest"] = content_digest(
        [Metric.model_validate(m) for m in data["metrics"]], data["items_digest"]
    )
    path.write_text(json.dumps(data, indent=1))
    (read,) = store.records()
    assert read.schema_version == SCHEMA_VERSION and read.items_file_sha256 is None
    assert store.items_of(read) == rec.items  # untouched: checked item by item, and fine
    table = pq.read_table(file)
    flipped = table.set_column(table.column_names.index("correct"), "correct", [[not c for c in A]])
    pq.write_table(flipped, file)
    result = CliRunner().invoke(app, ["verify", "--results", str(tmp_path)])
    assert result.exit_code == 2 and f"BAD {file}: items digest mismatch" in result.output


def test_an_items_file_without_a_record_is_stray(tmp_path: Path) -> None:
    store = Store(tmp_path)
    rec = record("m-us", "US", A)
    store.put(rec)
    store.path_for(rec.key).rename(tmp_path / "elsewhere.json")
    result = CliRunner().invoke(app, ["verify", "--results", str(tmp_path)])
    assert result.exit_code == 2 and "stray file: items of no record" in result.output


def test_columns_digest_and_checks_equal_those_of_the_items(tmp_path):
    """The column path (no Item per row) gives the digest, the mean check and the
    correctness map that the Item path gives, for a group with subtasks and extra scores."""
    from gaptrack.store.integrity import columns_problem, loaded_items_problem
    from gaptrack.store.items import columns_digest, items_from_columns, read_columns, write_items
    from gaptrack.store.records import Item, items_digest

    items = [
        Item(
            doc_id=i % 7,
            subtask=None if i < 5 else f"s{i % 3}",
            prompt_hash=f"h{i}",
            correct=None if i == 3 else bool(i % 2),
            scores={"acc": float(i % 2), **({"f1": 0.25 * (i % 4)} if i % 5 else {})},
        )
        for i in range(40)
    ]
    path = tmp_path / "items.parquet"
    write_items(path, items)
    columns = read_columns(path)
    assert columns_digest(columns) == items_digest(items)
    assert items_from_columns(columns) == items
    agrees = record("m", "US", [bool(i % 2) for i in range(40)], task="mmlu")
    assert columns_problem(agrees, columns) is None is loaded_items_problem(agrees, items)
    differs = record("m", "US", [True] * 10 + [False] * 30, task="mmlu")  # acc 0.25, items 0.5
    problem = columns_problem(differs, columns)
    assert problem == loaded_items_problem(differs, items) and "average 0.5" in problem
