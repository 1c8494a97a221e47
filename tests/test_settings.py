"""Like-for-like benchmarks: benchmark variants as their own ids, settings as types, and
gaps that pair only comparable rows (evidence/settings.py, compare/gaps.side_rows)."""

from __future__ import annotations

import datetime as dt

import pytest

from gaptrack.compare.check import CheckOptions, excluded_rows, load_evidence
from gaptrack.compare.claims import GapQuantity
from gaptrack.compare.evidence import ScoreRow, load_reported
from gaptrack.compare.evidence.epochfiles import EPOCH_TO_GAPTRACK, index_key
from gaptrack.compare.evidence.frame import rows_frame
from gaptrack.compare.evidence.settings import (
    comparable,
    not_comparable,
    parse_setting,
    setting_of,
)
from gaptrack.compare.evidence.sources.epoch import epoch_rows
from gaptrack.compare.gaps import gap_at
from gaptrack.compare.index.prepare import Options, prepare


@pytest.fixture(scope="module")
def reported():
    return {r.row_id: r for r in load_reported(None)}


@pytest.fixture(scope="module")
def evidence():
    return load_evidence("unused", CheckOptions())


@pytest.mark.parametrize(
    ("metric", "note", "label", "shots", "cot"),
    [
        ("0-shot CoT", "", "unstated", 0, True),
        ("5-shot", "", "unstated", 5, None),
        ("pass@1", "", "pass@1", None, None),
        ("Pass@1 accuracy", "", "pass@1", None, None),
        ("4-shot em_maj1@1", "", "pass@1", 4, None),
        ("maj@1", "", "pass@1", None, None),
        ("Maj@32 5-shot CoT", "", "majority@32", 5, True),
        ("Avg@64", "", "avg@64", None, None),
        ("Pass@64", "", "pass@64", None, None),
        ("Pass@64", "x; sampling: avg@64 (corrected)", "avg@64", None, None),
        ("Diamond", "y; sampling: best-of-256 (corrected)", "best-of-256", None, None),
        ("Parallel test-time compute (footnotes 4, 5)", "", "best-of-N", None, None),
        ("cons@64", "", "majority@64", None, None),
        ("zero-shot evaluation", "", "unstated", 0, None),
    ],
)
def test_settings_parsed_from_text(metric, note, label, shots, cot):
    setting = parse_setting(metric, note)
    assert (setting.label, setting.shots, setting.cot) == (label, shots, cot)
    assert metric in setting.text  # the source's words are kept


def test_thinking_budget_where_stated():
    text = "Extended thinking (up to 64K tokens) with parallel test-time compute"
    setting = parse_setting(text)
    assert setting.thinking_budget == 64000 and setting.sampling == "best-of-N"
    assert parse_setting("5-shot").thinking_budget is None


def _row(model, origin, value, metric="pass@1", note="", released="2024-06-01", bench="math"):
    return ScoreRow(
        model=model,
        origin=origin,
        released=released,
        benchmark=bench,
        value=value,
        metric=metric,
        note=note,
        source="test",
        reporter="developer",
    )


def _gap(rows, bench="math", at="2024-12-31"):
    q = GapQuantity(benchmarks=[bench], unit="points", origin_a="US", origin_b="CN")
    return gap_at(rows, q, dt.date.fromisoformat(at), "reported")


def test_incompatible_settings_never_form_a_gap():
    rows = [
        _row("US best-of", "US", 95.0, metric="best-of-256"),
        _row("US vote", "US", 93.0, metric="maj@64"),
        _row("US pass@8", "US", 92.0, metric="pass@8"),
        _row("US one try", "US", 80.0, metric="pass@1"),
        _row("CN one try", "CN", 78.0, metric="0-shot CoT"),
    ]
    point = _gap(rows)
    assert point.a.model == "US one try" and point.gap == pytest.approx(2.0)
    # two rows of different sampling are not comparable; the same multi-sample setting is
    assert comparable(rows[0], rows[4]) == "sampling differs: best-of-256 vs unstated"
    assert comparable(rows[1], _row("x", "CN", 1, metric="maj@64")) is None
    assert comparable(rows[3], rows[4]) is None
    # a side with only multi-sample rows has no frontier: no gap
    assert _gap([rows[0], rows[4]]).gap is None


def test_best_of_n_rows_excluded_from_pass1_gaps(evidence):
    """Claude 3.7 Sonnet's GPQA Diamond 84.8 is best-of-256 with a learned scorer; Claude
    Opus 4's and Sonnet 4's 83.3 / 83.8 are 'parallel test-time compute': none is the US
    frontier of a pass@1 gap (on main 84.8 was, from February to May 2025)."""
    best_of = {
        "llmstats.claude-3-7-sonnet-20250219.gpqa_diamond",
        "llmstats.claude-opus-4-20250514.gpqa_diamond",
        "llmstats.claude-sonnet-4-20250514.gpqa_diamond",
    }
    rows = [r for r in evidence if r.kind == "reported"]
    for row_id in best_of:
        row = next(r for r in rows if r.row_id == row_id)
        assert setting_of(row).sampling == "best-of-N"
    for month in ("2025-02-28", "2025-04-30", "2025-06-30"):
        point = _gap(rows, "gpqa_diamond", month)
        assert point.a is not None
        assert not {r.row_id for r in point.rows} & best_of
        assert all(not_comparable(r) is None for r in point.rows)
    named = {e.row_id for e in excluded_rows(evidence)}
    assert best_of <= named
    assert all(e.reason.startswith(("sampling", "tool use")) for e in excluded_rows(evidence))


def test_o1_math500_not_compared_with_full_math(reported, evidence):
    """o1's 94.8 and o1-preview's 85.5 sit under the simple-evals column 'MATH-500': they
    are MATH-500 rows, and the end-2024 full-MATH gap does not use them (on main it
    compared o1's 94.8 with Qwen2.5-32B's full-MATH 83.1: 11.7 points)."""
    for row_id in ("o1.math_500.openai-o1", "o1-preview.math_500.openai-o1"):
        row = reported[row_id]
        assert row.benchmark == "math_500" and "MATH-500" in row.note
    assert "o1.math.openai-o1" not in reported
    assert reported["llmstats.o1-2024-12-17.math_500"].value == 96.4
    assert reported["llmstats.o3-mini.math_500"].value == 97.9
    point = _gap([r for r in evidence if r.kind == "reported"], "math", "2024-12-31")
    assert point.b.model == "Qwen2.5 32B Instruct"
    assert all(r.benchmark == "math" for r in point.rows)
    assert not any(r.model.startswith(("o1", "o3")) for r in point.a.rows)
    # which full-MATH model is the US frontier depends on the registry's dates (Gemini
    # 1.5 Pro's 86.5 once they land): never o1's MATH-500 94.8
    assert point.gap < 94.8 - 83.1 and point.a.value < 94.8


def test_qwen3_64_sample_mean_is_single_attempt(reported):
    row = reported["llmstats.qwen3-235b-a22b.aime_2024"]
    assert row.metric == "Pass@64"  # LLMStats' own text is kept
    assert setting_of(row).label == "avg@64" and not_comparable(row) is None


def test_index_leaves_out_multi_sample_rows_with_reason(reported):
    rows = [reported[i] for i in ("llmstats.claude-opus-4-20250514.gpqa_diamond",)]
    rows.append(reported["o1.math_500.openai-o1"])
    prep = prepare(rows_frame(rows), Options(min_benchmarks=1, pool=False))
    reasons = dict(zip(prep.left_out["row_id"], prep.left_out["reason"], strict=True))
    assert reasons["llmstats.claude-opus-4-20250514.gpqa_diamond"].startswith("sampling best-of")
    assert "o1.math_500.openai-o1" not in reasons


def test_one_epoch_map_with_variants_apart():
    assert index_key("MATH level 5") == "math_level_5"
    assert index_key("OTIS Mock AIME 2024-2025") == "otis_mock_aime"
    assert index_key("GPQA diamond") == "gpqa_diamond"
    assert {"math", "math_500", "aime_2024", "aime_2025", "gpqa"}.isdisjoint(
        EPOCH_TO_GAPTRACK.values()
    )
    # the evidence rows and the index name Epoch's benchmarks alike
    assert {r.benchmark for r in epoch_rows()} <= set(EPOCH_TO_GAPTRACK.values())


def test_tool_assisted_scores_never_pair_with_unassisted(reported, evidence):
    """o3's AIME 2025 98.4 is 'pass@1 (with python tool)': not the US frontier of the
    no-tools AIME 2025 gap (on main it was: o3 98.4 vs Qwen3-235B 81.5, 16.9 points)."""
    row = reported["llmstats.o3-2025-04-16.aime_2025"]
    assert setting_of(row).tools is True and not_comparable(row).startswith("tool use")
    assert setting_of(reported["llmstats.o4-mini.aime_2025"]).tools is False
    assert comparable(row, reported["llmstats.o4-mini.aime_2025"]) == "tool use differs"
    point = _gap([r for r in evidence if r.kind == "reported"], "aime_2025", "2025-05-31")
    assert row.row_id not in {r.row_id for r in point.rows}
    assert point.a.model != "o3" and point.a.value < 98.4


def test_setting_differences_read_not_texts():
    from gaptrack.compare.evidence.settings import differences

    a, b = _row("a", "US", 1, metric="Accuracy"), _row("b", "CN", 1, metric="Score")
    assert differences(a, b) == []  # two texts that state nothing read alike
    c, d = _row("c", "US", 1, metric="0-shot CoT"), _row("d", "CN", 1, metric="5-shot")
    assert differences(c, d) == ["shots 0 vs 5", "CoT stated vs not stated"]
