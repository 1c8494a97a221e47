"""Source tiers (evidence/tiers.py): whose number each shipped row is, and what counts as
verified at its source."""

from __future__ import annotations

from collections import Counter

import pytest

from gaptrack.compare.check import CheckOptions, load_evidence, status_share, tier_share
from gaptrack.compare.evidence import (
    ScoreRow,
    load_reported,
    read_reported,
    shipped_reported_files,
    tier_of,
    verified_at_source,
)
from gaptrack.compare.evidence.sources.epoch import epoch_rows


@pytest.fixture(scope="module")
def shipped():
    return {p.name: read_reported(p) for p in shipped_reported_files()}


@pytest.fixture(scope="module")
def by_id(shipped):
    return {r.row_id: r for rows in shipped.values() for r in rows} | {
        r.row_id: r for r in epoch_rows()
    }


@pytest.mark.parametrize(
    ("row_id", "tier"),
    [
        # the developer's own paper about its own model
        ("deepseek-v3.mmlu.dsv3-report", "developer_reported"),
        # LMArena's own export of its leaderboard
        ("lmarena.2025-03-07.grok-3-preview-02-24", "third_party_run"),
        # a third party's extraction of the Arena files
        ("arena-history.2023-05-08.gpt-4", "compilation"),
        # LLMStats: verified against its own file, not the developer's page
        ("llmstats.o3-mini.aime_2024", "compilation"),
        # the primary source is named but the figure was found only in a copy
        ("claude-3-opus.mmlu.anthropic-c3", "compilation"),
    ],
)
def test_tier_of_known_rows(by_id, row_id, tier):
    assert tier_of(by_id[row_id]) == tier
    assert by_id[row_id].tier == tier


def test_tier_of_epoch_rows():
    tiers = Counter((r.measured_by == "Epoch AI", tier_of(r)) for r in epoch_rows())
    # Epoch's own runs are third-party runs; its copies of others' figures are compilations
    assert set(tiers) == {(True, "third_party_run"), (False, "compilation")}


def test_measured_rows_and_unattributed_imports():
    base = dict(model="M", origin="US", released="2024-01-01", benchmark="mmlu", value=50.0)
    measured = ScoreRow(kind="measured", source="store record x", source_kind="measured", **base)
    assert tier_of(measured) == "third_party_run"
    # no reporter: only a known independent evaluator makes it third-party
    assert tier_of(ScoreRow(source="s", measured_by="Epoch AI", **base)) == "third_party_run"
    assert tier_of(ScoreRow(source="s", measured_by="Some Lab", **base)) == "developer_reported"
    derived = ScoreRow(source="s", source_kind="derived", reporter="third_party", **base)
    assert tier_of(derived) == "compilation"


def test_shipped_tiers_per_file(shipped):
    counts = {
        name: dict(Counter(tier_of(r) for r in rows if r.quantity == "score"))
        for name, rows in shipped.items()
    }
    assert counts["llmstats.csv"] == {"compilation": 337}
    assert counts["arena_history.csv"] == {"compilation": 550}
    assert counts["arena_catalog.csv"] == {"third_party_run": 104}
    assert counts["arena_ai.csv"] == {"compilation": 44}  # a third party's scrape of arena.ai
    assert counts["arena_ai_style_control.csv"] == {"compilation": 42}
    assert counts["developer_reports.csv"] == {"developer_reported": 18}
    assert counts["reported.csv"] == {
        "developer_reported": 48,
        "third_party_run": 23,
        "compilation": 33,
    }


def test_verified_count_excludes_compilation_only_rows():
    rows = load_evidence("unused", CheckOptions())
    share = status_share(rows)
    reported = [r for r in rows if r.kind == "reported"]
    # each reported row counted once, and compilation copies never as verified at source
    assert sum(share.values()) == len(reported)
    assert share["verified"] == sum(1 for r in reported if verified_at_source(r))
    assert not any(verified_at_source(r) for r in reported if tier_of(r) == "compilation")
    # 337 LLMStats + 550 Arena-extraction rows are verified only against the copy (the
    # 887 the issue names), and so are Epoch AI's copies of others' figures and the 86
    # rows of the 2026 scrape of arena.ai's pages (arena_ai*.csv)
    epoch_copies = sum(1 for r in epoch_rows() if r.measured_by != "Epoch AI")
    assert share["compilation"] == 887 + 86 + epoch_copies
    assert share["verified"] < 1886 - 887
    tiers = tier_share(rows)
    assert sum(tiers.values()) == len(reported)


def test_strict_admits_no_compilation_copy_verified_elsewhere():
    """Claude 3 Opus's MMLU 86.8 is `secondary` in reported.csv (found only in LLMStats) and
    `verified` in llmstats.csv (against LLMStats' file): --strict admits neither."""
    strict = {r.row_id: r for r in load_evidence("unused", CheckOptions(strict=True))}
    assert "claude-3-opus.mmlu.anthropic-c3" not in strict
    assert "llmstats.claude-3-opus-20240229.mmlu" not in strict
    assert not [r for r in strict.values() if r.kind == "reported" and tier_of(r) == "compilation"]
    everything = load_reported(None)
    assert any(r.row_id == "llmstats.claude-3-opus-20240229.mmlu" for r in everything)


def test_verdict_status_of_a_compilation_copy_is_secondary(by_id):
    """A verdict states the weakest status of its rows *at the primary source*: an LLMStats
    row `verified` against LLMStats' file reads `secondary` there."""
    from gaptrack.compare.evidence import source_status
    from gaptrack.publish.claims_view import weakest_status

    copy = by_id["llmstats.o3-mini.aime_2024"]
    own = by_id["deepseek-v3.mmlu.dsv3-report"]
    assert copy.status == "verified" and source_status(copy) == "secondary"
    assert source_status(own) == "verified"
    assert weakest_status([own, copy]) == "secondary"
    assert weakest_status([own]) == "verified"
