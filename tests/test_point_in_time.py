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
