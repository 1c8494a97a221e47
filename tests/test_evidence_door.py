"""The one door for evidence (compare/evidence/sources): `check` and the capability index
read every source through `load_evidence`, so a new source is one module and one entry
in SOURCES, and both see its rows."""

from __future__ import annotations

import datetime as dt
import shutil
import types
from pathlib import Path

from typer.testing import CliRunner

from gaptrack.cli import app
from gaptrack.compare.check import CheckOptions, check_claims, load_evidence
from gaptrack.compare.evidence import EvidenceKind, ScoreRow
from gaptrack.compare.evidence import sources as door
from gaptrack.compare.index.inputs import load_all
from gaptrack.store.store import Store
from tests.test_gaps import record

ROOT = Path(__file__).parents[1]


def _new_source() -> types.ModuleType:
    """A source as a new module would be: a NAME and a reader of typed rows."""
    module = types.ModuleType("fake_source")
    module.NAME = "fake"
    module.calls = []

    def rows(request: door.EvidenceRequest) -> list[ScoreRow]:
        module.calls.append(request)
        return [
            ScoreRow(
                kind="reported",
                row_id="fake.mmlu.1",
                model="Fake Model",
                origin="CN",
                released=dt.date(2024, 6, 1),
                benchmark="mmlu",
                value=71.5,
                source="a new source (test)",
            )
        ]

    module.rows = rows
    return module


def test_a_new_source_is_one_module_and_one_entry_seen_by_check_and_index(tmp_path, monkeypatch):
    source = _new_source()
    monkeypatch.setattr(door, "SOURCES", [*door.SOURCES, source])  # the one entry
    # check: the row is evidence, and a claim may cite it (a missing id is an error)
    rows = load_evidence(tmp_path, CheckOptions())
    assert "fake.mmlu.1" in {r.row_id for r in rows}
    seeds = tmp_path / "seeds"
    shutil.copytree(ROOT / "seeds", seeds)
    claims = seeds / "claims.yaml"
    claims.write_text(
        claims.read_text().replace(
            "cited_rows: [us.ai_vc_investment_usd_b.2024]", "cited_rows: [fake.mmlu.1]"
        )
    )
    verdicts = check_claims(tmp_path, options=CheckOptions(claims_file=claims))
    assert len(verdicts) > 1
    result = CliRunner().invoke(app, ["check", "--results", str(tmp_path), "--claims", str(claims)])
    assert result.exit_code == 0, result.output
    # the index: the same row in its long table, as a fraction, dated by its release
    frame = load_all(tmp_path)
    mine = frame[frame["row_id"] == "fake.mmlu.1"]
    assert len(mine) == 1
    assert mine["score"].iloc[0] == 0.715 and mine["origin"].iloc[0] == "CN"
    assert {r.results_dir for r in source.calls} == {tmp_path}


def test_without_the_entry_neither_sees_the_row(tmp_path):
    assert "fake.mmlu.1" not in {r.row_id for r in load_evidence(tmp_path, CheckOptions())}


def test_check_and_index_read_the_same_typed_rows(tmp_path):
    """Every typed score row check weighs on a percent benchmark is in the index's table
    (Epoch's rows come in the index's own layout, every benchmark), and the measured rows
    come first in check's order, the rest by id."""
    store = Store(tmp_path)
    store.put(record("us-a", "US", [True] * 30 + [False] * 10, "arc_easy", "2024-11-01"))
    store.put(record("cn-b", "CN", [True] * 20 + [False] * 20, "arc_easy", "2024-12-01"))
    evidence = door.load_evidence(door.EvidenceRequest(results_dir=tmp_path))
    rows = evidence.rows()
    assert [r.row_id for r in rows] == [r.row_id for r in load_evidence(tmp_path, CheckOptions())]
    kinds = [r.kind for r in rows]
    assert kinds[:2] == [EvidenceKind.MEASURED] * 2 and EvidenceKind.MEASURED not in kinds[2:]
    assert [r.row_id for r in rows[2:]] == sorted(r.row_id for r in rows[2:])
    frame = load_all(tmp_path)
    ids = set(frame["row_id"])
    from gaptrack.compare.vocabulary import BENCHMARKS

    typed = {
        r.row_id
        for r in rows
        if r.quantity == "score"
        and r.benchmark in BENCHMARKS
        and BENCHMARKS[r.benchmark].scale == "percent"
        and not r.row_id.startswith("epoch.")
    }
    assert typed and typed <= ids
    assert (frame["kind"] == "epoch").sum() > 1000  # Epoch AI's every benchmark


def test_strict_keeps_measured_rows_and_rows_verified_at_their_source(tmp_path):
    store = Store(tmp_path)
    store.put(record("us-a", "US", [True] * 30 + [False] * 10, "arc_easy", "2024-11-01"))
    every = load_evidence(tmp_path, CheckOptions())
    strict = load_evidence(tmp_path, CheckOptions(strict=True))
    assert len(strict) < len(every)

    def measured(rows):
        return [r.row_id for r in rows if r.kind == EvidenceKind.MEASURED]

    assert measured(strict) == measured(every) != []
