"""The AI Index benchmark-gap table: published next to computed, models on each side, and
tested alternatives where they differ."""

from __future__ import annotations

import datetime as dt

from gaptrack.compare.evidence import GapRow
from gaptrack.compare.published_table import published_gap_table
from tests.test_gaps import score


def _published(value: float, month: str) -> GapRow:
    return GapRow(
        kind="reported",
        quantity="gap_abs",
        model="top US vs top CN",
        origin="US",
        origin_b="CN",
        benchmark="mmlu",
        value=value,
        snapshot=dt.date.fromisoformat(f"{month}-01"),
        report="AI Index",
        edition="2025",
        source="test",
        row_id=f"pub-{month}",
    )


ROWS = [
    score("A", "US", "2024-01-10", 90.0, metric="5-shot"),
    score("B", "US", "2024-12-20", 95.0, metric="0-shot CoT"),
    score("C", "CN", "2024-02-01", 85.0, metric="5-shot"),
]


def test_published_next_to_computed_with_models_and_reasons():
    [row] = published_gap_table([*ROWS, _published(5.0, "2024-12")])
    assert (row.benchmark, row.at, row.published) == ("mmlu", dt.date(2024, 12, 31), 5.0)
    assert row.computed == 10.0 and not row.agrees
    assert (row.us.model, row.cn.model) == ("B", "C")
    assert row.us.setting == "0-shot CoT" and row.us.released == dt.date(2024, 12, 20)
    assert any(w.startswith("settings differ: US 0-shot CoT vs CN 5-shot") for w in row.why)
    late = next(w for w in row.why if w.startswith("later release date"))
    assert "without B (2024-12-20)" in late and "+5.0 (closer to 5)" in late
    setting = next(w for w in row.why if "only 5-shot scores" in w)
    assert "(A vs C)" in setting and "+5.0 (closer" in setting


def test_agreement_within_the_interval_needs_no_reason():
    [row] = published_gap_table([*ROWS, _published(10.2, "2024-12")])
    assert row.agrees and row.why == []
    assert row.interval.contains(10.2)


def test_missing_side_is_named():
    [row] = published_gap_table([*ROWS, _published(13.5, "2023-12")])
    assert row.computed is None and row.cn is None and not row.agrees
    assert row.why == ["no reported evidence for origin US, CN on mmlu by 2023-12-31"]


def test_check_prints_the_table(tmp_path):
    from typer.testing import CliRunner

    from gaptrack.cli import app

    result = CliRunner().invoke(app, ["check", "--results", str(tmp_path), "--verbose"])
    assert result.exit_code == 0, result.output
    assert "AI Index 2025 US-China benchmark gaps (points): published vs gaptrack" in result.output
    assert "mmlu 2023-12-31: published 17.5" in result.output
    assert "    US: " in result.output and "    CN: " in result.output


def test_the_shipped_table_dates_models_as_the_gap_engine_does(tmp_path):
    """The end-2024 MATH row: LLMStats dates Gemini 2.0 Flash 2024-12-01 (the experimental
    preview); the registry dates its scored version 2025-02-05, so it is not the US frontier
    at 2024-12-31, here as in the claims' verdicts (it was, before the table read the
    registry); and no best-of-N or tool-assisted row enters the table."""
    from gaptrack.compare.check import CheckOptions, load_evidence
    from gaptrack.compare.evidence.settings import not_comparable
    from gaptrack.compare.gaps import released_of

    rows = load_evidence(tmp_path / "results", CheckOptions())
    table = {(r.benchmark, r.at.isoformat()): r for r in published_gap_table(rows)}
    math = table[("math", "2024-12-31")]
    assert math.us is not None and "Gemini 2.0 Flash" not in math.us.model
    by_id = {r.row_id: r for r in rows}
    for row in table.values():
        for side in (row.us, row.cn):
            if side is not None:
                used = by_id[side.row_id]
                assert released_of(used) <= row.at and not not_comparable(used)
