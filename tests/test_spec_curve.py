"""Issue 21: each testable claim evaluated under every defensible reading (a
specification curve); only a claim holding across SHARE_DECIDES of them, with intervals
clearing the threshold, is supported (likewise contradicted)."""

from __future__ import annotations

import pytest

from gaptrack.compare.check import CheckOptions, check_claims
from gaptrack.compare.verdicts import evaluate_claim
from gaptrack.compare.verdicts.base import SHARE_DECIDES
from gaptrack.compare.verdicts.spec import specifications
from tests.test_verdicts import ARENA_CI, ARENA_Q, DOC, claim


def _parity(thresholds: list[float]):
    statement = {"kind": "gap_parity", "quantity": ARENA_Q, "at": "2025-02", "within": 30}
    vague = {"word": "close", "thresholds": thresholds, "rationale": "a stated test range"}
    return claim(statement, vague=vague)


def test_share_of_specifications_decides():
    # the gap is 23 points (+-1.4): within 30, 40, 50, 60 holds, within 20 fails
    four_of_five = evaluate_claim(_parity([30, 40, 50, 60, 20]), DOC, ARENA_CI)
    curve = four_of_five.curve
    assert curve.evaluated and curve.supported / curve.evaluated == pytest.approx(0.8)
    assert four_of_five.verdict == "supported"
    three_of_four = evaluate_claim(_parity([30, 40, 50, 20]), DOC, ARENA_CI)
    assert three_of_four.curve.share_supported == pytest.approx(0.75)
    assert three_of_four.curve.share_supported < SHARE_DECIDES
    assert three_of_four.verdict == "inconclusive"
    assert "fewer than 80%" in three_of_four.explanation
    # every specification is listed with its outcome, those without evidence included
    outcomes = three_of_four.curve.outcomes
    assert len(outcomes) == len(specifications(_parity([30, 40, 50, 20])))
    assert {o.outcome for o in outcomes} == {"supported", "contradicted", "no evidence"}


@pytest.fixture(scope="module")
def shipped():
    return {v.claim.id: v for v in check_claims("unused-results", options=CheckOptions())}


def test_competitive_reads_the_style_controlled_board_first_with_the_plain_beside(shipped):
    verdict = shipped["c001-competitive"]
    main = verdict.curve.outcomes[verdict.curve.main]
    assert main.spec.board == "style_controlled" and main.spec.threshold == 70
    assert main.values == [pytest.approx(64.0, abs=0.01)]
    plain = next(
        o
        for o in verdict.curve.outcomes
        if o.spec.board == "plain"
        and o.spec.model_copy(update={"board": "style_controlled"}) == main.spec
    )
    assert plain.values == [pytest.approx(78.2, abs=0.1)]
    check = verdict.evaluations[0].checks[0]
    assert check.win_probability == pytest.approx(0.591, abs=0.001)  # scale-free
    assert check.win_probability_interval[0] < 0.591 < check.win_probability_interval[1]
    assert verdict.verdict == "inconclusive"  # 'competitive' holds in some readings only


def test_no_arena_claim_uses_a_percentage_of_a_rating(shipped):
    for verdict in shipped.values():
        statement = verdict.claim.statement
        arena = statement is not None and statement.kind.startswith("gap")
        if arena and "chatbot_arena" in statement.quantity.benchmarks:
            assert statement.quantity.unit == "points", verdict.claim.id


def test_a_verdict_that_flips_under_strict_says_so(shipped):
    """c001-gap-9-to-2-mmlu was contradicted through one unverified row (GLM-4's MMLU)
    and supported under --strict: the default verdict now names the row and the flip."""
    verdict = shipped["c001-gap-9-to-2-mmlu"]
    assert verdict.verdict == "inconclusive"
    assert "with --strict" in verdict.explanation
    assert "glm-4-0116.mmlu.glm4-paper" in verdict.explanation
    strict = check_claims(
        "unused-results", "c001-gap-9-to-2-mmlu", options=CheckOptions(strict=True)
    )[0]
    assert strict.verdict == "supported"
    assert "without --strict" in strict.explanation and "`inconclusive`" in strict.explanation


def test_ai_index_benchmark_gaps_are_not_reproduced_with_the_models_named(shipped):
    verdict = shipped["cref-mmlu-gap"]
    assert verdict.verdict == "not reproduced"
    assert "o1 vs DeepSeek-V3" in verdict.explanation
    assert "that choice explains the difference" in verdict.explanation
    assert shipped["cref-math-gap"].verdict == "not reproduced"
