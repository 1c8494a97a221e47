"""Epoch AI Benchmarking Hub rows as reported evidence: equal to the shipped source rows,
verified against the file's digest, Epoch named where it ran the model."""

from __future__ import annotations

import csv
import hashlib

import pytest

from gaptrack.compare.check import CheckOptions, load_evidence
from gaptrack.compare.evidence.epochfiles import EPOCH_TO_GAPTRACK
from gaptrack.compare.evidence.sources.epoch import EVIDENCE_BENCHMARKS, epoch_rows
from gaptrack.paths import project_root

EPOCH = project_root() / "evidence" / "epoch"


@pytest.fixture(scope="module")
def rows():
    return epoch_rows()


def test_rows_equal_the_source_rows(rows):
    assert {r.benchmark for r in rows} == {EPOCH_TO_GAPTRACK[n] for n in EVIDENCE_BENCHMARKS}
    cache: dict[str, list[dict]] = {}
    for row in rows:
        path = row.locator.split(" record ")[0]
        if path not in cache:
            cache[path] = list(csv.DictReader((project_root() / path).read_text().splitlines()))
        records = cache[path]
        source = records[int(row.locator.rsplit(" ", 1)[1]) - 2]  # the header is record 1
        assert source["Model version"] in row.model
        cells = [float(v) for v in source.values() if _number(v)]
        assert any(abs(100 * c - row.value) < 1e-9 or abs(c - row.value) < 1e-9 for c in cells)


def _number(text: str | None) -> bool:
    try:
        float(text or "")
    except ValueError:
        return False
    return True


def test_verified_with_the_digest_of_the_file(rows):
    for path in {r.locator.split(" record ")[0] for r in rows}:
        digest = hashlib.sha256((project_root() / path).read_bytes()).hexdigest()
        assert {r.source_digest for r in rows if r.locator.startswith(path)} == {digest}
    assert {r.status for r in rows} == {"verified"}


def test_epoch_named_where_it_ran_the_model(rows):
    gpqa = [r for r in rows if r.benchmark == "gpqa_diamond"]
    assert gpqa and all(r.measured_by == "Epoch AI" and r.stderr is not None for r in gpqa)
    assert all(r.reporter == "third_party" for r in gpqa)
    mmlu = [r for r in rows if r.benchmark == "mmlu"]
    assert mmlu and all(r.measured_by != "Epoch AI" for r in mmlu)


def test_check_and_strict_check_use_them(rows):
    ids = {r.row_id for r in rows}
    assert ids <= {r.row_id for r in load_evidence("unused", CheckOptions())}
    # --strict: Epoch AI's own runs, not its copies of others' figures (compilations)
    own = {r.row_id for r in rows if r.measured_by == "Epoch AI"}
    strict = {r.row_id for r in load_evidence("unused", CheckOptions(strict=True))}
    assert own <= strict and not (ids - own) & strict
