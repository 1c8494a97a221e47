"""`gaptrack report` reuses the index that `gaptrack index` wrote only while everything the
fit depends on is unchanged: the same tables come back from the CSVs as from a fit, and a
new evidence row or record, other settings, an edited key or a damaged file fit again."""

from __future__ import annotations

import copy
import json
import warnings
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from gaptrack.cli import app
from gaptrack.compare.index import analysis, cache
from gaptrack.compare.index.inputs import load_all
from gaptrack.compare.index.prepare import INDEX_SINCE, index_options
from gaptrack.compare.publication import INDEX_BOOTSTRAP, capability_index
from gaptrack.store.store import Store
from tests.test_gaps import record
from tests.test_publish import REPORTED

runner = CliRunner()
DRAWN = ["model", "origin", "released", "capability", "lo", "hi"]
"""The models columns the report draws (index_section.frontier_figure)."""


def _summary(report) -> dict:
    # NaN (no month where one side trails, as for the US behind CN since 2023) compares
    # equal to itself here, as it does in the stored CSV
    def same(x):
        return None if x != x else float(x)

    return {
        s: {k: (same(e.value), same(e.lo), same(e.hi)) for k, e in f.items()}
        for s, f in report.summary.items()
    }


@pytest.fixture(scope="module")
def indexed(tmp_path_factory) -> tuple[Path, analysis.IndexReport]:
    """A results folder with one measured record, `gaptrack index` run on it, and the
    report's own fit of the same evidence for comparison."""
    results = tmp_path_factory.mktemp("indexed") / "results"
    Store(results).put(record("us-a", "US", [True] * 40 + [False] * 10, "arc_easy", "2024-11-01"))
    done = runner.invoke(app, ["index", "--results", str(results), "--no-epoch-check"])
    assert done.exit_code == 0, done.output
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        fitted = analysis.run_index(
            load_all(results), index_options(), n_boot=INDEX_BOOTSTRAP, seed=0, start=INDEX_SINCE
        )
    return results, fitted


@pytest.fixture
def no_fit(monkeypatch, indexed) -> list[int]:
    """Counts fits instead of running them (each is seconds); each returns a copy of the
    module's real fit, so what reads a fit (the headline) gets one."""
    calls: list[int] = []

    def fake(*args, **kwargs):
        calls.append(1)
        return copy.copy(indexed[1])

    monkeypatch.setattr(analysis, "run_index", fake)
    return calls


def test_report_reads_the_stored_index_and_gets_the_fit_back(indexed, no_fit):
    results, fitted = indexed
    key = json.loads((results / "index" / cache.KEY_FILE).read_text())
    assert len(key["inputs_sha256"]) == 64
    stored = capability_index(results)
    assert isinstance(stored, cache.StoredIndex) and no_fit == []
    # exactly the frames a fit gives (dtypes too), so plots and pages come out byte-identical
    pd.testing.assert_frame_equal(stored.models[DRAWN], fitted.models[DRAWN])
    pd.testing.assert_frame_equal(stored.months, fitted.months)
    assert stored.models[DRAWN].to_json(orient="split") == fitted.models[DRAWN].to_json(
        orient="split"
    )
    assert _summary(stored) == _summary(fitted)
    anchors = stored.models.set_index("model").loc[["Claude 3.5 Sonnet", "GPT-5"], "capability"]
    assert anchors.tolist() == pytest.approx([130.0, 150.0])  # the scale's anchors, read back


def test_new_reported_evidence_fits_again(indexed, no_fit, tmp_path):
    results, _ = indexed
    extra = tmp_path / "reported.csv"
    extra.write_text(REPORTED)
    # fitted again, not read from the cache
    assert not isinstance(capability_index(results, [extra]), cache.StoredIndex) and no_fit == [1]


def test_a_new_record_fits_again(indexed, no_fit, tmp_path):
    results, _ = indexed
    copy = tmp_path / "results"
    copy.mkdir()
    for path in results.rglob("*"):
        if path.is_file():
            target = copy / path.relative_to(results)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(path.read_bytes())
    assert isinstance(capability_index(copy), cache.StoredIndex)  # the copy still matches
    Store(copy).put(record("cn-b", "CN", [True] * 20 + [False] * 30, "arc_easy", "2024-12-01"))
    assert not isinstance(capability_index(copy), cache.StoredIndex) and no_fit == [1]


def test_other_settings_or_a_changed_score_change_the_digest(indexed):
    results, _ = indexed
    frame = load_all(results)
    digest = cache.inputs_digest(frame, INDEX_BOOTSTRAP, 0, index_options())
    assert digest == json.loads((results / "index" / cache.KEY_FILE).read_text())["inputs_sha256"]
    assert cache.inputs_digest(frame, 50, 0, index_options()) != digest
    assert cache.inputs_digest(frame, INDEX_BOOTSTRAP, 1, index_options()) != digest
    assert cache.inputs_digest(frame, INDEX_BOOTSTRAP, 0, index_options(min_benchmarks=3)) != digest
    changed = frame.copy()
    changed.loc[len(changed) - 1, "score"] += 1e-9
    assert cache.inputs_digest(changed, INDEX_BOOTSTRAP, 0, index_options()) != digest


def test_an_edited_key_or_a_damaged_file_fits_again(indexed, tmp_path):
    results, _ = indexed
    folder = tmp_path / "index"
    folder.mkdir()
    for path in (results / "index").iterdir():
        (folder / path.name).write_bytes(path.read_bytes())
    digest = json.loads((folder / cache.KEY_FILE).read_text())["inputs_sha256"]
    assert cache.stored_index(folder, digest) is not None
    assert cache.stored_index(folder, "0" * 64) is None
    summary = (folder / "summary.csv").read_bytes()
    (folder / "summary.csv").write_text("sides,figure\n")  # cut short: no value column
    assert cache.stored_index(folder, digest) is None
    (folder / "summary.csv").write_bytes(summary.splitlines(keepends=True)[0])  # header only
    assert cache.stored_index(folder, digest) is None
    (folder / "summary.csv").write_bytes(summary)
    assert cache.stored_index(folder, digest) is not None
    cache.forget(folder)
    assert not (folder / cache.KEY_FILE).exists() and cache.stored_index(folder, digest) is None
