"""Property-based fuzzing of every loader a user's file reaches: configs, catalogues,
claims files, evidence CSVs and store records. Each test starts from a good file, breaks it
in ways hypothesis chooses (a value replaced by any other, a key dropped, added or given
twice, a list where a mapping was, bytes inserted, cut or repeated), and asserts what a
user must always get: the file loads, or ONE GaptrackError (the CLI prints its one line and
exits 2, tests/test_bad_input.py checks that mapping) naming the file; never another
exception, and the folder byte-identical afterwards. Records go through the CLI itself
(`gaptrack verify`) and the store's reader.

The profiles are in tests/conftest.py: `ci` (default) runs the same 200 examples per
loader every time; HYPOTHESIS_PROFILE=long searches longer, at random."""

from __future__ import annotations

import copy
import csv
import io
import json
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import event, given
from hypothesis import strategies as st
from typer.testing import CliRunner

from gaptrack.cli import app
from gaptrack.compare.claims import load_claims
from gaptrack.compare.evidence.csvio import CSV_COLUMNS, read_reported
from gaptrack.compare.evidence.measured import measured_rows
from gaptrack.compare.evidence.registry import read_registry
from gaptrack.config.loader import load_catalogue, load_config
from gaptrack.errors import GaptrackError
from gaptrack.store import Store
from gaptrack.store import records as records_module
from tests.test_gaps import record

runner = CliRunner()

# ------------------------------------------------------------------ what breaks a file

INTERESTING_TEXT = [
    "",
    " ",
    "US",
    "CN",
    "XX",
    "us",
    "0",
    "-1",
    "1e309",
    "nan",
    "NaN",
    "inf",
    "-inf",
    "2024-01-01",
    "2999-01-01",
    "2024-02-30",
    "2024-13",
    "0000",
    "9999-12-31",
    "arc_easy",
    "arc_easyy",
    "mmlu",
    "packaged",
    "hub",
    "local",
    "../outside",
    "/etc/hostname",
    "~nosuchuser/x",
    "a" * 300,
    "x/" * 200,
    "/".join(["b" * 255] * 20),
    "\x00",
    "a\x00b",
    "\ufeff",
    "=HYPERLINK(1)",
    "a,b",
    '"',
    "\n",
    "é",
    "score",
    "gap_rel",
    "figure",
    "event",
    "release",
    "primary",
    "acc",
]
KEYS = [
    "name",
    "models",
    "suite",
    "tasks",
    "catalogue",
    "results_dir",
    "id",
    "origin",
    "params_b",
    "released",
    "source",
    "kind",
    "repo",
    "path",
    "variant",
    "documents",
    "claims",
    "file",
    "date",
    "statement",
    "metrics",
    "value",
    "items",
    "model",
    "task",
    "schema_version",
    "content_digest",
    "items_file",
]
LEAF = st.one_of(
    # The values that have broken loaders before, most often: random text rarely hits one.
    st.sampled_from(INTERESTING_TEXT),
    st.sampled_from(INTERESTING_TEXT),
    st.sampled_from(INTERESTING_TEXT),
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(),  # NaN and infinities included
    st.text(max_size=12),
)
VALUE = st.recursive(
    LEAF,
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(st.sampled_from(KEYS) | st.text(max_size=6), inner, max_size=3)
    ),
    max_leaves=8,
)
NEW_VALUE = st.one_of(LEAF, LEAF, LEAF, VALUE)
"""Mostly one value where one was (the edit a user makes), sometimes a whole structure."""
SNIPPETS = [
    b"&a ",
    b"*a",
    b"*b",
    b"\t",
    b"\xff",
    b"\x00",
    b"\xef\xbb\xbf",
    b"- ",
    b": ",
    b"{",
    b"}",
    b"[",
    b"]",
    b"<<: ",
    b"? ",
    b"!!python/object/apply:os.system ['true']",
    b"!!binary ",
    b"---\n",
    b"\n",
    b"\r",
    b"#",
    b'"',
    b",",
    b"\\",
    b"NaN",
    b"1e999",
]


def _paths(tree: Any, prefix: tuple = ()) -> list[tuple]:
    """Every place in a parsed document (the root too), as key/index paths."""
    out = [prefix]
    if isinstance(tree, dict):
        for key, value in tree.items():
            out += _paths(value, (*prefix, key))
    elif isinstance(tree, list):
        for i, value in enumerate(tree):
            out += _paths(value, (*prefix, i))
    return out


def _mutate_tree(data: st.DataObject, tree: Any) -> Any:
    """One to three edits of a document: replace, drop, add, or wrap a value in a list."""
    tree = copy.deepcopy(tree)
    for _ in range(data.draw(st.integers(1, 3), label="edits")):
        paths = _paths(tree)
        # The root rarely: a document replaced whole fails at its first line, and the
        # checks worth reaching are deeper.
        deep = paths[1:] if len(paths) > 1 and data.draw(st.integers(0, 19)) else paths
        path = data.draw(st.sampled_from(deep), label="where")
        op = data.draw(st.sampled_from(["replace", "drop", "add", "wrap"]), label="edit")
        if not path:
            if op in ("replace", "drop"):
                tree = data.draw(VALUE, label="new root")
            continue
        parent = tree
        for part in path[:-1]:
            parent = parent[part]
        last = path[-1]
        if op == "replace":
            parent[last] = data.draw(NEW_VALUE, label="value")
        elif op == "drop":
            del parent[last]
        elif op == "wrap":
            parent[last] = [parent[last]]
        elif isinstance(parent[last], dict):
            key = data.draw(st.sampled_from(KEYS) | st.text(max_size=6), label="key")
            parent[last][key] = data.draw(VALUE, label="value")
        elif isinstance(parent[last], list):
            parent[last].append(data.draw(VALUE, label="value"))
        else:
            parent[last] = data.draw(VALUE, label="value")
    return tree


def _mutate_bytes(data: st.DataObject, raw: bytes) -> bytes:
    """Byte-level damage: insert a snippet or random bytes, cut a range, repeat a line
    (a duplicate key in YAML, a duplicate row in a CSV), truncate."""
    for _ in range(data.draw(st.integers(0, 2), label="byte edits")):
        op = data.draw(st.sampled_from(["insert", "cut", "repeat", "truncate"]), label="op")
        at = data.draw(st.integers(0, len(raw)), label="at")
        if op == "insert":
            piece = data.draw(st.sampled_from(SNIPPETS) | st.binary(max_size=4), label="bytes")
            raw = raw[:at] + piece + raw[at:]
        elif op == "cut":
            raw = raw[:at] + raw[at + data.draw(st.integers(1, 12), label="cut") :]
        elif op == "repeat":
            lines = raw.splitlines(keepends=True)
            if lines:
                i = data.draw(st.integers(0, len(lines) - 1), label="line")
                lines.insert(i, lines[i])
                raw = b"".join(lines)
        else:
            raw = raw[:at]
    return raw


def _yaml_bytes(data: st.DataObject, tree: Any) -> bytes:
    text = yaml.safe_dump(_mutate_tree(data, tree), sort_keys=False, allow_unicode=True)
    return _mutate_bytes(data, text.encode("utf-8", "surrogatepass"))


def _snapshot(root: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()
    }


def _loads_or_one_error(load: Callable[[Path], object], file: Path, folder: Path) -> None:
    """`load(file)` returns, or raises one GaptrackError naming a file (the one loaded or one
    it names); anything else propagates and fails the test. The folder is left as it was."""
    before = _snapshot(folder)
    try:
        load(file)
        event("loaded")
    except GaptrackError as exc:
        event(f"refused: {exc.field.split('[')[0] if exc.field else ''} / {exc.message[:25]}")
        line = exc.one_line()
        assert "\n" not in line and line.strip(), repr(line)
        assert exc.file, f"error names no file: {line}"
    assert _snapshot(folder) == before


@pytest.fixture
def folder():
    """A fresh folder per example (hypothesis runs many examples in one test call)."""

    def make() -> Path:
        return Path(tempfile.mkdtemp(prefix="gaptrack-fuzz-"))

    made: list[Path] = []

    def fresh() -> Path:
        path = make()
        made.append(path)
        return path

    yield fresh
    for path in made:
        shutil.rmtree(path, ignore_errors=True)


# ------------------------------------------------------------------ configs and catalogues

MODEL = {
    "id": "m-us",
    "name": "M",
    "origin": "US",
    "organisation": "O",
    "released": "2024-01-01",
    "params_b": 1.5,
    "variant": "base",
    "source": {"kind": "hub", "repo": "org/model", "revision": "abc"},
}
CATALOGUE = {"models": [MODEL, {**MODEL, "id": "m-cn", "origin": "CN"}]}
CONFIG = {
    "name": "fuzz",
    "catalogue": ["cat.yaml"],
    "models": ["m-cn", {**MODEL, "id": "m-inline", "source": {"kind": "local", "path": "w"}}],
    "suite": {"tasks": ["arc_easy", {"name": "mmlu", "num_fewshot": 5}], "limit": 3},
    "results_dir": "results",
    "cluster": {"executor": "local"},
}


@given(data=st.data())
def test_fuzzed_configs_load_or_fail_in_one_line(folder, data: st.DataObject) -> None:
    root = folder()
    (root / "w").mkdir()
    (root / "cat.yaml").write_text(yaml.safe_dump(CATALOGUE))
    file = root / "fuzz.yaml"
    file.write_bytes(_yaml_bytes(data, CONFIG))
    _loads_or_one_error(load_config, file, root)


@given(data=st.data())
def test_fuzzed_catalogues_load_or_fail_in_one_line(folder, data: st.DataObject) -> None:
    root = folder()
    file = root / "cat.yaml"
    file.write_bytes(_yaml_bytes(data, CATALOGUE))
    _loads_or_one_error(load_catalogue, file, root)
    # and through a config that names it
    (root / "c.yaml").write_text(
        yaml.safe_dump(
            {
                "name": "c",
                "catalogue": ["cat.yaml"],
                "models": ["m-us"],
                "suite": {"tasks": ["arc_easy"]},
            }
        )
    )
    _loads_or_one_error(load_config, root / "c.yaml", root)


# ------------------------------------------------------------------ claims files

QUOTE = "China has closed the gap with the US on most benchmarks"
CLAIMS = {
    "documents": [
        {"id": "d1", "file": "d1.txt", "title": "T", "publisher": "P", "date": "2025-02"}
    ],
    "claims": [
        {
            "id": "c1",
            "document": "d1",
            "quote": QUOTE,
            "made_by": "author",
            "kind": "competitiveness",
            "statement": {
                "kind": "gap_parity",
                "at": "2025-01",
                "quantity": {"benchmarks": ["mmlu"], "unit": "points"},
                "within": 2.0,
            },
        },
        {
            "id": "c2",
            "document": "d1",
            "quote": QUOTE,
            "made_by": "author",
            "kind": "qualitative",
            "untestable_reason": "opinion",
        },
    ],
}


def test_the_registry_seed_is_valid(tmp_path: Path) -> None:
    (tmp_path / "models.yaml").write_text(yaml.safe_dump(REGISTRY))
    assert len(read_registry(tmp_path / "models.yaml")) == 1


def test_the_claims_seed_is_valid(tmp_path: Path) -> None:
    """The fuzzer's starting point loads, so its edits test what they change."""
    (tmp_path / "d1.txt").write_text(f"Intro. {QUOTE}. End.")
    (tmp_path / "claims.yaml").write_text(yaml.safe_dump(CLAIMS))
    assert len(load_claims(tmp_path / "claims.yaml").claims) == 2


@given(data=st.data())
def test_fuzzed_claims_files_load_or_fail_in_one_line(folder, data: st.DataObject) -> None:
    root = folder()
    (root / "d1.txt").write_text(f"Intro. {QUOTE}. End.")
    file = root / "claims.yaml"
    file.write_bytes(_yaml_bytes(data, CLAIMS))
    _loads_or_one_error(load_claims, file, root)


# ------------------------------------------------------------------ model registries

REGISTRY = {
    "models": [
        {
            "id": "qwen2.5-7b",
            "name": "Qwen2.5 7B",
            "organisation": "Alibaba",
            "origin": "CN",
            "open_weights": True,
            "params_b": 7.6,
            "family": "Qwen",
            "versions": [
                {
                    "id": "qwen2.5-7b",
                    "name": "Qwen2.5 7B",
                    "released": "2024-09-19",
                    "date_source": "https://qwenlm.github.io/blog/qwen2.5/",
                    "date_kind": "developer",
                    "aliases": {"epoch": ["Qwen2.5-7B"], "arena_catalog": ["qwen2.5-7b"]},
                }
            ],
        }
    ]
}


@given(data=st.data())
def test_fuzzed_model_registries_load_or_fail_in_one_line(folder, data: st.DataObject) -> None:
    root = folder()
    file = root / "models.yaml"
    file.write_bytes(_yaml_bytes(data, REGISTRY))
    _loads_or_one_error(read_registry, file, root)


# ------------------------------------------------------------------ evidence CSVs

ROWS = [
    {
        "id": "m.mmlu",
        "quantity": "score",
        "model": "M",
        "organisation": "Org",
        "origin": "US",
        "released": "2024-01-01",
        "params_b": "7",
        "benchmark": "mmlu",
        "metric": "5-shot",
        "value": "70.0",
        "stderr": "0.5",
        "ci_low": "69",
        "ci_high": "71",
        "published": "2024-02",
        "source": "https://example.org/paper",
        "source_kind": "primary",
        "status": "verified",
    },
    {
        "quantity": "gap_rel",
        "model": "US vs CN",
        "origin": "US",
        "origin_b": "CN",
        "benchmark": "mmlu",
        "value": "2.5",
        "snapshot": "2024-06",
        "published": "2024",
        "source": "https://example.org/report",
        "report": "AI Index",
        "edition": "2025",
        "derived_from": "m.mmlu",
    },
    {
        "quantity": "release",
        "model": "Q",
        "origin": "CN",
        "family": "Qwen",
        "released": "2024-09-19",
        "open_weights": "true",
        "source": "https://example.org/blog",
    },
]
CELL = st.sampled_from(INTERESTING_TEXT) | st.text(max_size=10) | st.floats().map(repr)


@given(data=st.data())
def test_fuzzed_evidence_csvs_load_or_fail_in_one_line(folder, data: st.DataObject) -> None:
    root = folder()
    columns = list(CSV_COLUMNS)
    rows = copy.deepcopy(ROWS)
    for _ in range(data.draw(st.integers(1, 4), label="edits")):
        op = data.draw(
            st.sampled_from(["cell", "cell", "cell", "drop column", "rename", "repeat column"]),
            label="edit",
        )
        if op == "cell":
            row = data.draw(st.sampled_from(rows), label="row")
            row[data.draw(st.sampled_from(CSV_COLUMNS), label="column")] = data.draw(CELL)
        elif op == "drop column" and len(columns) > 1:
            columns.remove(data.draw(st.sampled_from(columns), label="dropped"))
        elif op == "rename":
            i = data.draw(st.integers(0, len(columns) - 1), label="renamed")
            columns[i] = data.draw(CELL, label="new name")
        else:
            columns.append(data.draw(st.sampled_from(columns), label="repeated"))
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([row.get(c, "") for c in columns])
    file = root / "evidence.csv"
    file.write_bytes(_mutate_bytes(data, buffer.getvalue().encode("utf-8", "surrogatepass")))
    _loads_or_one_error(read_reported, file, root)


# ------------------------------------------------------------------ store records


@pytest.fixture(scope="module")
def good_store(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str, dict]:
    """A store holding one good record with inline items (the JSON layout): (root, the
    record's file name, its JSON)."""
    root = tmp_path_factory.mktemp("fuzz-store") / "results"
    path = Store(root, layout="json").put(record("m-us", "US", [True, False, True, True]))
    return root, path.name, json.loads(path.read_text())


def _resealed(tree: Any) -> Any:
    """The record's digests recomputed after an edit where they can be, so that edits reach
    the checks behind the digest: a record is then as a careless tool (not the reader's own
    digest check) would write it."""
    if not isinstance(tree, dict):
        return tree
    tree = copy.deepcopy(tree)
    try:
        items = [records_module.Item.model_validate(i) for i in tree.get("items", [])]
        tree["items_digest"] = records_module.items_digest(items)
        seal = getattr(records_module, "record_seal", None)
        if seal is not None and tree.get("schema_version") == records_module.SCHEMA_VERSION:
            tree["content_digest"] = seal(tree)
        else:
            metrics = [records_module.Metric.model_validate(m) for m in tree["metrics"]]
            tree["content_digest"] = records_module.content_digest(
                metrics, tree["items_digest"], tree.get("items_file_sha256")
            )
    except Exception:  # noqa: BLE001 (edits that leave nothing to seal stay as they are)
        pass
    return tree


@given(data=st.data())
def test_fuzzed_records_are_read_or_reported_in_one_line(folder, good_store, data) -> None:
    template, name, good = good_store
    root = folder() / "results"
    shutil.copytree(template, root)
    tree = _mutate_tree(data, good)
    if data.draw(st.booleans(), label="reseal"):
        tree = _resealed(tree)
    raw = json.dumps(tree, indent=1).encode()  # NaN and Infinity written as JS does
    (root / "records" / name).write_bytes(_mutate_bytes(data, raw))
    before = _snapshot(root)

    result = runner.invoke(app, ["verify", "--results", str(root)])

    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    assert "Traceback" not in result.output
    bad = [line for line in result.output.splitlines() if line.startswith("BAD ")]
    event(f"verify: {bad[0].split(': ', 1)[1][:30] if bad else 'ok'}")
    if result.exit_code == 0:
        assert bad == [] and "1 records ok" in result.output, result.output
    else:
        assert result.exit_code == 2, result.output
        assert len(bad) == 1 and bad[0].startswith(f"BAD {root / 'records' / name}: "), bad
    assert _snapshot(root) == before

    # The reader every table uses: a bad record is left out with a warning, never raised.
    store = Store(root)
    summaries = store.summaries()
    assert len(summaries) == (1 if result.exit_code == 0 else 0)
    measured_rows(summaries, store)
    after = _snapshot(root)
    for part in ("records", "items"):  # the summary cache may be (re)written; no record
        assert {k: v for k, v in after.items() if k.startswith(part)} == {
            k: v for k, v in before.items() if k.startswith(part)
        }
