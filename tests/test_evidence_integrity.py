"""Invariants of every verdict on the shipped evidence, and circular checks: a figure is
never set against rows derived from it."""

from __future__ import annotations

import datetime as dt

import pytest

from gaptrack.compare.check import CheckOptions, check_claims, load_evidence
from gaptrack.compare.evidence import EvidenceRow, GapRow
from gaptrack.compare.verdicts import evaluate_claim
from tests.test_gaps import arena
from tests.test_verdicts import DOC, claim

GAP_KINDS = ("gap_threshold", "gap_parity", "gap_trend")


@pytest.fixture(scope="module")
def shipped():
    return check_claims("unused-results", options=CheckOptions())


def _derived_ancestors(row: EvidenceRow, by_id: dict[str, EvidenceRow]) -> set[str]:
    seen, todo = set(), list(row.derived_from)
    while todo:
        ref = todo.pop()
        if ref not in seen:
            seen.add(ref)
            todo.extend(by_id[ref].derived_from if ref in by_id else ())
    return seen


def test_every_tested_verdict_has_an_interval_or_says_why(shipped):
    for verdict in shipped:
        for ev in verdict.evaluations:
            assert ev.weakest_status is not None or not ev.rows, verdict.claim.id
            for chk in ev.checks:
                assert chk.interval is not None or chk.no_interval, (verdict.claim.id, chk.label)
                if chk.point is not None and chk.verdict in ("supported", "contradicted"):
                    assert chk.interval is not None, (verdict.claim.id, chk.label)


def test_no_check_compares_a_figure_with_rows_derived_from_it(shipped):
    rows = load_evidence("unused-results", CheckOptions())
    by_id = {r.row_id: r for r in rows}
    for verdict in shipped:
        for ev in verdict.evaluations:
            for chk in ev.checks:
                if chk.published is None or chk.point is None:
                    continue
                tainted = [
                    r.row_id
                    for r in chk.point.rows
                    if chk.published.row_id in _derived_ancestors(r, by_id)
                ]
                assert sorted(tainted) == sorted(chk.published.derived_rows)
                if tainted:
                    assert not chk.published.independent
                    assert chk.verdict == "not independent", (verdict.claim.id, chk.label)


def test_rows_derived_from_the_published_gap_never_enter_a_verdict():
    """Ratings computed back from a published gap (the AI Index's January 2024 pair) are
    not point-in-time evidence: a check never compares the gap with rows derived from it;
    the same ratings published with their board reproduce it independently."""
    published = GapRow(
        kind="reported",
        quantity="gap_abs",
        model="US vs CN",
        origin="US",
        origin_b="CN",
        benchmark="chatbot_arena",
        value=103,
        snapshot=dt.date(2024, 1, 31),
        report="AI Index",
        edition="2025",
        source="test",
        row_id="aiindex.arena-gap.2024-01",
    )
    link = {"derived_from": ("aiindex.arena-gap.2024-01",)}
    rows = [
        published,
        arena("US1", "US", "2024-01-31", 1215, ci_low=1214, ci_high=1216, **link),
        arena("CN1", "CN", "2024-01-31", 1112, ci_low=1111, ci_high=1113, **link),
    ]
    quantity = {
        "benchmarks": ["chatbot_arena"],
        "unit": "points",
        "edition": {"report": "AI Index", "edition": "2025"},
    }
    statement = {
        "kind": "gap_threshold",
        "quantity": quantity,
        "conditions": [{"at": "2024-01", "op": ">", "value": 100}],
    }
    result = evaluate_claim(claim(statement), DOC, rows)
    check = result.evaluations[0].checks[0]
    assert result.verdict == "inconclusive" and check.value is None
    assert "no leaderboard snapshot" in check.reason
    on_board = {"derived_from": (), "published": dt.date(2024, 1, 31)}
    independent = [published, *(r.model_copy(update=on_board) for r in rows[1:])]
    again = evaluate_claim(claim(statement), DOC, independent).evaluations[0].checks[0]
    assert again.published.independent and again.published.within_rounding
    assert again.verdict == "supported"
