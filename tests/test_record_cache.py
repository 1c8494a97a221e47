"""The store's record cache (store/cache.py) is derived data: used only for files that
provably have not changed, ignored when damaged or edited, never a way round the checks."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from gaptrack.cli import app
from gaptrack.store import Store, cache, filestat
from gaptrack.store import store as store_module
from gaptrack.store.cache import FileStat, Snapshot
from tests.test_gaps import record

runner = CliRunner()


@pytest.fixture
def trust_old_files(monkeypatch):  # noqa: PT004
    """Files written before a scan began count as settled (a test cannot wait out the
    real two-second window on every file)."""
    monkeypatch.setattr(filestat, "RACY_NS", 0)


def _store(tmp_path: Path, n: int = 3) -> Store:
    store = Store(tmp_path / "results")
    for i in range(n):
        store.put(record(f"m{i}", "US", [True] * (i + 2) + [False] * 3, task="mmlu"))
    return store


def _fresh(store: Store) -> list:
    """The summaries as a new process reads them: a new Store, which shares nothing with
    `store` but the folder."""
    return Store(store.root).summaries()


def _same(a, b) -> bool:
    fields = ("key", "model", "task", "metrics", "provenance", "backend", "generation")
    return all(getattr(a, f) == getattr(b, f) for f in fields)


def test_second_read_opens_no_record_file(tmp_path, monkeypatch, trust_old_files):
    store = _store(tmp_path)
    first = _fresh(store)
    assert (store.root / cache.TABLE_NAME).is_file() and (store.root / cache.SIDECAR_NAME).is_file()
    records = store.scan()[0]
    assert [s.key for s in first] == [r.key for r in records]
    assert all(
        s.score == r.score and s.model == r.model for s, r in zip(first, records, strict=True)
    )

    def refuse(self, path, keep=True):
        raise AssertionError(f"read {path} although it is cached and unchanged")

    monkeypatch.setattr(Store, "read", refuse)
    again = Store(store.root)
    second = again.summaries()
    assert len(second) == 3 and all(_same(a, b) for a, b in zip(first, second, strict=True))
    monkeypatch.undo()
    # the full record and its items are still there behind a cached summary
    assert again.record_of(second[0]) == records[0]
    assert len(again.items_of(second[0])) == records[0].task.n_samples
    assert again.correct_of(second[0]) == store.correct_of(records[0])


def test_items_read_through_a_summary_are_checked_against_the_sealed_sha256(
    tmp_path, monkeypatch, capsys, trust_old_files
):
    """A cached summary names its items file and that file's sha256 (covered by the
    record's digest when cached): pairing reads the items without the record, and an
    items file changed since is reported and gives no items."""
    store = _store(tmp_path, 2)
    records = store.scan()[0]
    _fresh(store)
    reader = Store(store.root)
    summaries = reader.summaries()  # from the cache
    assert all(s.items_file_sha256 for s in summaries)
    monkeypatch.setattr(Store, "read", lambda *a, **k: pytest.fail("read"))
    assert reader.correct_of(summaries[0]) == store.correct_of(records[0])
    monkeypatch.undo()

    items = store.items_dir / str(records[1].items_file)
    other = store.items_dir / str(records[0].items_file)
    items.write_bytes(other.read_bytes())  # a valid Parquet file, not the one sealed
    reader = Store(store.root)
    assert reader.correct_of(reader.summaries()[1]) == {}
    err = capsys.readouterr().err
    assert items.name in err and "sha256 mismatch" in err


def _paired(store: Store) -> list[dict]:
    """The correctness of every record, as a new process pairing them reads it; that
    process's Store writes what it learned into the summary cache when let go."""
    reader = Store(store.root)
    return [reader.correct_of(s) for s in reader.summaries()]


def test_paired_items_are_remembered_in_the_cache_and_read_once_per_key_list(
    tmp_path, monkeypatch, trust_old_files
):
    """Items read and checked once are kept with the summary cache: the next process
    reads one items file per distinct list of items (the others' keys come from it), and
    gets the same correctness."""
    store = Store(tmp_path / "results")
    for i in range(4):
        store.put(record(f"m{i}", "US", [i % 2 == 0, True, False, i > 1, True]))
    records = store.scan()[0]
    _fresh(store)
    first = _paired(store)  # remembered by itself: no call to make
    assert first == [store.correct_of(r) for r in records]

    opened = []
    real = store_module.read_columns_checked
    monkeypatch.setattr(
        store_module,
        "read_columns_checked",
        lambda root, record, thorough=False: (
            opened.append(record.key) or real(root, record, thorough)
        ),
    )
    assert _paired(store) == first
    assert len(opened) == 1  # one list of items shared by the four records


def test_two_stores_share_nothing(tmp_path, trust_old_files, capsys):
    """Each Store keeps its own records, snapshot, item keys and warnings: a second Store
    in the same process reads and reports as a new process would."""
    store = _store(tmp_path, 2)
    _fresh(store)
    path = store.path_for(store.scan()[0][0].key)
    path.write_text(path.read_text().replace('"value": ', '"value": 0.5', 1))
    one, two = Store(store.root), Store(store.root)
    assert len(one.summaries()) == len(two.summaries()) == 1
    assert capsys.readouterr().err.count(path.name) == 2  # each Store reports it once
    assert len(one.summaries()) == 1 and capsys.readouterr().err == ""  # and only once
    assert one.warnings is not two.warnings


def test_an_items_file_changed_after_it_was_remembered_is_read_and_reported(
    tmp_path, monkeypatch, capsys, trust_old_files
):
    store = _store(tmp_path, 2)
    _fresh(store)
    _paired(store)
    records = store.scan()[0]
    items = store.items_dir / str(records[1].items_file)
    items.write_bytes((store.items_dir / str(records[0].items_file)).read_bytes())
    reader = Store(store.root)
    summaries = reader.summaries()
    assert reader.correct_of(summaries[0]) == store.correct_of(records[0])
    assert reader.correct_of(summaries[1]) == {}  # its stat changed: read, and refused
    assert "sha256 mismatch" in capsys.readouterr().err


def test_items_read_too_soon_after_they_changed_are_not_trusted(tmp_path, monkeypatch):
    from gaptrack.store import checked_items
    from gaptrack.store.records import correctness_digest

    store = _store(tmp_path, 1)
    path = store.items_dir / str(store.scan()[0].pop().items_file)
    stat = FileStat.of(path.stat())
    keys = checked_items.ItemKeys()
    entry = keys.remember(stat, stat.changed_ns + filestat.RACY_NS + 1, {("s", 1, "p"): True})
    racy = keys.remember(stat, stat.changed_ns + filestat.RACY_NS, {("s", 1, "p"): True})
    sealed = correctness_digest(entry.keys, entry.n, entry.bits)  # as the record seals it
    assert keys.recall(path, entry, sealed) == {("s", 1, "p"): True}
    assert keys.recall(path, racy, sealed) is None
    assert keys.recall(path, entry) is None  # a record that seals none: read
    assert checked_items.ItemKeys().recall(path, entry, sealed) is None  # keys never read
    assert checked_items.replaces(entry, racy) and not checked_items.replaces(racy, entry)


def test_a_change_too_recent_to_be_seen_in_the_stat_is_never_trusted(tmp_path):
    store = _store(tmp_path, 1)
    summary = store.summaries()[0]
    path = store.path_for(summary.key)
    size = path.stat().st_size
    stat = FileStat(size=size, mtime_ns=5_000_000_000, ctime_ns=5_000_000_000, ino=1)
    entries = {"k": (stat, summary)}
    settled = Snapshot(started_ns=stat.changed_ns + filestat.RACY_NS + 1, entries=entries)
    racy = Snapshot(started_ns=stat.changed_ns + filestat.RACY_NS - 1, entries=entries)
    assert settled.trusted("k", stat, path) is summary
    assert racy.trusted("k", stat, path) is None  # same stat, but may hide an edit in that tick
    assert settled.trusted("k", stat._replace(ctime_ns=stat.ctime_ns + 1), path) is None
    assert settled.trusted("other", stat, path) is None


def test_record_edited_after_caching_is_reported_and_left_out(tmp_path, capsys, trust_old_files):
    store = _store(tmp_path)
    first = _fresh(store)
    path = store.path_for(first[0].key)
    data = json.loads(path.read_text())
    data["metrics"][0]["value"] = 0.99
    path.write_text(json.dumps(data, indent=1))

    kept = _fresh(store)
    assert [s.key for s in kept] == [s.key for s in first[1:]]
    assert "content digest mismatch" in capsys.readouterr().err
    result = runner.invoke(app, ["results", "--results", str(store.root)])
    assert "0.990" not in result.output


def test_damaged_cache_is_ignored_and_rewritten(tmp_path, monkeypatch, trust_old_files):
    store = _store(tmp_path)
    first = _fresh(store)
    table = store.root / cache.TABLE_NAME
    data = bytearray(table.read_bytes())
    data[len(data) // 2] ^= 0xFF
    table.write_bytes(bytes(data))
    assert cache.load(store.root) is None
    read = []
    real = Store.read
    monkeypatch.setattr(
        Store, "read", lambda self, p, keep=True: read.append(p) or real(self, p, keep)
    )

    again = _fresh(store)
    assert len(read) == 3 and all(_same(a, b) for a, b in zip(first, again, strict=True))
    assert cache.load(store.root) is not None  # rewritten


@pytest.mark.parametrize("damage", ["not parquet", "no sidecar", "other schema"])
def test_unreadable_cache_only_costs_speed(tmp_path, trust_old_files, damage):
    store = _store(tmp_path)
    first = _fresh(store)
    if damage == "not parquet":
        (store.root / cache.TABLE_NAME).write_bytes(b"\xff not a cache")
    elif damage == "no sidecar":
        (store.root / cache.SIDECAR_NAME).unlink()
    else:
        sidecar = json.loads((store.root / cache.SIDECAR_NAME).read_text())
        sidecar["schema_version"] = 99
        (store.root / cache.SIDECAR_NAME).write_text(json.dumps(sidecar))
    assert cache.load(store.root) is None
    again = _fresh(store)
    assert [s.key for s in again] == [s.key for s in first]


def test_deleted_record_leaves_the_cache_and_verify_ignores_it(tmp_path, trust_old_files):
    store = _store(tmp_path)
    first = _fresh(store)
    (store.items_dir / str(first[0].items_file)).unlink()
    store.path_for(first[0].key).unlink()
    kept = _fresh(store)
    assert [s.key for s in kept] == [s.key for s in first[1:]]
    assert first[0].key not in cache.load(store.root).entries.__repr__()
    result = runner.invoke(app, ["verify", "--results", str(store.root)])
    assert result.exit_code == 0, result.output


def test_measured_rows_built_without_validation_are_what_validation_gives(tmp_path):
    from gaptrack.compare.evidence import ScoreRow, load_measured

    store = _store(tmp_path)
    quantized = record("m-q", "CN", [True, True, False], task="arc_easy")
    quantized = quantized.model_copy(
        update={"model": quantized.model.model_copy(update={"quantization": "Q4_K_M"})}
    )
    store.put(quantized)
    rows = load_measured(store.root)
    assert len(rows) == 4
    for row in rows:
        validated = ScoreRow.model_validate(row.model_dump())
        assert validated.model_dump() == row.model_dump()
        bare = row.model_copy(update={"item_source": None, "correct_source": None})
        assert validated == bare  # every field, as pydantic compares models
        constructed = ScoreRow.model_construct(**row.model_dump())
        assert constructed.model_dump() == row.model_dump()
        assert validated.size_class == row.size_class and validated.identity() == row.identity()
        assert row.row_correct() and len(row.row_items()) == row.n_samples  # through the Store


def _forge(root: Path, change) -> None:
    """Edit summary.parquet's columns with `change(columns)` and update the sidecar's
    sha256 to match, as someone who wants a wrong number published would."""
    import hashlib
    import io

    import pyarrow as pa
    import pyarrow.parquet as pq

    table = root / cache.TABLE_NAME
    columns = pq.read_table(table).to_pydict()
    change(columns)
    schema = pq.read_schema(table)
    buffer = io.BytesIO()
    pq.write_table(pa.table(columns, schema=schema), buffer)
    table.write_bytes(buffer.getvalue())
    sidecar = json.loads((root / cache.SIDECAR_NAME).read_text())
    sidecar["sha256"] = hashlib.sha256(buffer.getvalue()).hexdigest()
    (root / cache.SIDECAR_NAME).write_text(json.dumps(sidecar))


def _forge_score(columns: dict) -> None:
    metrics = json.loads(columns["seal:metrics"][0])
    metrics[0]["value"] = 0.99
    columns["seal:metrics"][0] = json.dumps(metrics, sort_keys=True, separators=(",", ":"))


def _forge_origin(columns: dict) -> None:
    model = json.loads(columns["seal:model"][0])
    model["origin"] = "CN"
    columns["seal:model"][0] = json.dumps(model, sort_keys=True, separators=(",", ":"))


@pytest.mark.parametrize("forge", [_forge_score, _forge_origin], ids=["score", "origin"])
def test_a_forged_cache_is_never_published_and_fails_verify(tmp_path, trust_old_files, forge):
    store = _store(tmp_path)
    truth = [(s.score, s.model.origin) for s in _fresh(store)]
    assert cache.load(store.root) is not None
    _forge(store.root, forge)
    assert cache.load(store.root) is not None  # its sha256 matches: a reader loads it
    result = runner.invoke(app, ["verify", "--results", str(store.root)])
    assert result.exit_code == 2, result.output
    table = store.root / cache.TABLE_NAME
    assert f"BAD {table}: its entry for records/" in result.output
    assert "disagrees with the record" in result.output
    assert [(s.score, s.model.origin) for s in _fresh(store)] == truth  # the records' values
    # readers rebuilt it: verify passes again
    assert runner.invoke(app, ["verify", "--results", str(store.root)]).exit_code == 0


def test_forged_remembered_items_are_not_used_and_fail_verify(
    tmp_path, monkeypatch, trust_old_files
):
    store = _store(tmp_path, 2)
    _fresh(store)
    truth = _paired(store)

    def flip(columns: dict) -> None:
        bits = columns["items_bits"][0]
        columns["items_bits"][0] = bytes(b ^ 0xFF for b in bits)

    _forge(store.root, flip)
    result = runner.invoke(app, ["verify", "--results", str(store.root)])
    assert result.exit_code == 2, result.output
    assert "its remembered items of records/" in result.output
    assert _paired(store) == truth


def test_verify_and_results_refuse_a_results_folder_that_is_not_one(tmp_path, tiny_config):
    missing, a_file = tmp_path / "nowhere", tmp_path / "file.txt"
    a_file.write_text("x")
    for args, path, why in (
        (["verify", "--results", str(missing)], missing, "no such results folder"),
        (["verify", "--results", str(a_file)], a_file, "not a folder"),
        (["results", "-c", str(tiny_config), "--results", str(missing)], missing, "no such"),
    ):
        result = runner.invoke(app, args)
        assert result.exit_code == 2, (args, result.output)
        assert result.output.strip().startswith(f"error: {path}: {why}"), result.output
        assert len(result.output.strip().splitlines()) == 1


def test_a_command_reports_a_bad_record_once_whatever_stores_it_opens(tmp_path, monkeypatch):
    """`check --strict` reads the evidence twice (two Stores on one folder): the command's
    scope (store/problems.py) still names the bad record once, and the next command again."""
    store = _store(tmp_path, 2)
    path = store.path_for(store.scan()[0][0].key)
    data = json.loads(path.read_text())
    data["metrics"][0]["value"] = 0.99
    path.write_text(json.dumps(data, indent=1))
    opened = []
    real = Store.__init__
    monkeypatch.setattr(Store, "__init__", lambda s, *a, **k: opened.append(1) or real(s, *a, **k))
    for _ in range(2):
        result = runner.invoke(app, ["check", "--strict", "--results", str(store.root)])
        assert result.exit_code == 0, result.output
        assert result.output.count(f"warning: {path}") == 1, result.output
    assert len(opened) >= 4  # at least two Stores per command
