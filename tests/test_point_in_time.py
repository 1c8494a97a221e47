"""Issue 21: a dated gap series holds only what was published by each date. The AI Index's
January 2024 Arena ratings (derived from its own 9.26 % gap) and the 2026 edition's
February 2025 ratings (0.36 %, recomputed on a late-2025 board) were spliced into the
series of contemporaneous snapshots, drawing a dip no board ever showed."""

from __future__ import annotations

import datetime as dt

import pytest

from gaptrack.compare.check import CheckOptions, load_evidence
from gaptrack.compare.gap_table import gap_markers, gap_table
from gaptrack.compare.gaps import point_in_time


@pytest.fixture(scope="module")
def rows():
    return load_evidence("unused-results", CheckOptions())


@pytest.fixture(scope="module")
def arena(rows):
    series = gap_table(rows, ["chatbot_arena"])
    return {(g.at, g.pool): g for g in series if g.evidence == "reported"}


def test_no_report_figure_is_spliced_into_the_arena_series(arena):
    jan = arena[(dt.date(2024, 1, 31), "all")]
    assert jan.snapshot < dt.date(2024, 1, 31) and jan.a.model == "GPT 4 Turbo"
    assert jan.gap_rel == pytest.approx(11.48, abs=0.01)  # the board of 2024-01-25, not 9.26
    feb = arena[(dt.date(2025, 2, 28), "all")]
    assert feb.b.model == "DeepSeek-R1" and feb.gap_rel == pytest.approx(2.99, abs=0.01)
    assert all(g.marker is None for g in arena.values())
    assert not any(
        g.a.model.startswith("Top ") or g.a.model == "o1-2024-12-17" for g in arena.values()
    )


def test_report_figures_are_labelled_markers(rows):
    markers = gap_markers(rows, ["chatbot_arena"])
    by_label = {(m.at, round(m.gap_rel, 2)): m.marker for m in markers}
    assert by_label[(dt.date(2024, 1, 31), 9.26)].startswith(
        "AI Index 2025 (derived from its published gap"
    )
    assert by_label[(dt.date(2025, 2, 28), 0.36)].startswith(
        "AI Index 2026 (restated or recomputed after its snapshot"
    )


def test_point_in_time_rule(rows):
    by_id = {r.row_id: r for r in rows}
    assert not point_in_time(
        by_id["top-us-model-on-chatbot-arena-jan-2024.arena.2024-01.aiindex25"]
    )
    assert not point_in_time(by_id["o1-2024-12-17.arena.2025-02.aiindex26"])
    assert point_in_time(by_id["arena-history.2023-05-08.gpt-4"])
    assert point_in_time(by_id["gpt-4.mmlu.openai-tr"])  # fixed test sets: from release


def test_gap_series_never_mix_tiers(rows):
    """Issue 21: gaps.csv took the maximum over developer-reported and third-party rows
    together; each row now names its tier and every row behind it has that tier."""
    from gaptrack.compare.evidence.tiers import tier_of

    series = gap_table(rows, ["gpqa_diamond", "mmlu", "chatbot_arena"])
    assert {g.tier for g in series} == {"third_party_run", "developer_reported", "compilation"}
    for g in series:
        assert {tier_of(r) for r in (*g.a.rows, *g.b.rows)} == {g.tier}


def test_gpqa_diamond_end_2024_on_third_party_runs_beside_all_rows(rows):
    """The all-rows maximum is won by a compilation's copy of a self-reported QwQ-32B-
    Preview score (12.8 points); Epoch AI's own runs keep the gap wider (20.2)."""
    from gaptrack.compare.gap_table import tier_comparison

    found = {g.series: g for g in tier_comparison(rows, ["gpqa_diamond"])}
    third, every = found["third_party_run"], found["all rows"]
    assert every.model_b == "QwQ-32B-Preview" and every.tier_b == "compilation"
    assert every.gap == pytest.approx(12.8, abs=0.05)
    assert third.gap == pytest.approx(20.23, abs=0.01) and third.model_a.startswith("o1")
    assert third.interval.low > every.gap - 1  # wider, and not by rounding


def test_gaps_csv_has_a_tier_column_and_scale_free_arena_columns(tmp_path):
    import pandas as pd

    from gaptrack.compare.publication import collect
    from gaptrack.publish.outputs import write_tables

    findings = collect(tmp_path)
    write_tables(findings, tmp_path)
    gaps = pd.read_csv(tmp_path / "gaps.csv")
    assert "tier" in gaps.columns and gaps["tier"].notna().all()
    arena = gaps[gaps["benchmark"] == "chatbot_arena"]
    assert arena["gap_rel"].isna().all()  # no percentage of an anchored rating
    p = 1 / (1 + 10 ** (-arena["gap"] / 400))
    assert (arena["win_prob"] - p).abs().max() < 1e-4
    markers = pd.read_csv(tmp_path / "gap_markers.csv")
    assert set(markers["marker"].str.split(" \\(").str[0]) == {"AI Index 2025", "AI Index 2026"}
