"""Every verdict branch: supported, contradicted, inconclusive (straddle, missing, stale,
thin, approximate, disagreeing sources) and untestable."""

from __future__ import annotations

import datetime as dt

import pytest

from gaptrack.compare.claims import Claim, Document
from gaptrack.compare.evidence import (
    EventRow,
    EvidenceRow,
    FigureRow,
    ReleaseRow,
    ScoreRow,
    measured_row,
)
from gaptrack.compare.stats import Interval, IntervalMethod
from gaptrack.compare.verdicts import combine, compare, evaluate_claim
from tests.test_gaps import record, score

DOC = Document(id="d", file="d.txt", title="T", publisher="P", date="2025-07")
IV = Interval(low=8.0, high=12.0, method=IntervalMethod(kind="unpaired_normal"))


def claim(statement: dict | None, **extra) -> Claim:
    fields = {
        "id": "c",
        "document": "d",
        "quote": "a quote long enough",
        "made_by": "X",
        "kind": "benchmark_gap",
        "date": "2025-07",
        **extra,
    }
    if statement is None:
        fields["untestable_reason"] = "no data"
    else:
        fields["statement"] = statement
    return Claim.model_validate(fields)


@pytest.mark.parametrize(
    ("op", "target", "expected"),
    [
        (">", 7, "supported"),
        (">", 12, "contradicted"),
        (">", 10, "inconclusive"),
        (">=", 8, "supported"),
        (">=", 12.5, "contradicted"),
        (">=", 9, "inconclusive"),
        ("<", 13, "supported"),
        ("<", 8, "contradicted"),
        ("<", 10, "inconclusive"),
        ("<=", 12, "supported"),
        ("<=", 7, "contradicted"),
        ("<=", 11, "inconclusive"),
    ],
)
def test_compare_with_interval(op, target, expected):
    assert compare(10.0, IV, op, target)[0] == expected


def test_compare_equality_with_tolerance():
    assert compare(10.0, IV, "==", 10, 2.5)[0] == "supported"
    assert compare(10.0, IV, "==", 20, 2)[0] == "contradicted"
    assert compare(10.0, IV, "==", 10, 1)[0] == "inconclusive"
    assert compare(1.69, None, "==", 1.7, 0.05)[0] == "supported"
    assert compare(3.3, None, "==", 0.3, 2)[0] == "contradicted"


def test_compare_point_values():
    assert compare(9.26, None, ">", 9) == ("supported", "9.26 > 9 (point value)")
    assert compare(1.69, None, ">", 2)[0] == "contradicted"


def test_combine():
    assert combine(["supported", "supported"]) == "supported"
    assert combine(["supported", "contradicted", "inconclusive"]) == "contradicted"
    assert combine(["supported", "inconclusive"]) == "inconclusive"
    assert combine([]) == "inconclusive"


def board(model: str, origin: str, snapshot: str, value: float, **extra) -> EvidenceRow:
    """A rating on a dated board, published with its snapshot (point-in-time)."""
    day = dt.date.fromisoformat(snapshot)
    return ScoreRow(
        kind="reported",
        model=model,
        origin=origin,
        benchmark="chatbot_arena",
        value=value,
        snapshot=day,
        published=day,
        source="test board",
        row_id=f"board-{model}-{snapshot}",
        **extra,
    )


ARENA = [
    board("US1", "US", "2024-01-31", 1215),
    board("CN1", "CN", "2024-01-31", 1112),
    board("US2", "US", "2025-02-28", 1385),
    board("CN2", "CN", "2025-02-28", 1362),
]
# the same ratings published with 95 % intervals of +-1 Elo
ARENA_CI = [
    board(
        r.model, r.origin, r.snapshot.isoformat(), r.value, ci_low=r.value - 1, ci_high=r.value + 1
    )
    for r in ARENA
]
# rating points: invariant to where the scale is anchored (a percentage of a rating is not)
ARENA_Q = {"benchmarks": ["chatbot_arena"], "unit": "points"}


def _threshold(conditions, quantity=None):
    return {"kind": "gap_threshold", "quantity": quantity or ARENA_Q, "conditions": conditions}


def test_threshold_supported_and_contradicted_on_reported_points():
    ok = evaluate_claim(
        claim(
            _threshold(
                [
                    {"at": "2024-01", "op": ">", "value": 100},
                    {"at": "2025-02", "op": "<", "value": 27},
                ]
            )
        ),
        DOC,
        ARENA_CI,
    )
    assert ok.verdict == "supported" and ok.evidence_kind == "reported"
    ev = ok.evaluations[0]
    assert [round(c.value, 2) for c in ev.checks] == [103, 23]
    assert all(c.interval is not None for c in ev.checks)
    assert ev.editions == "dated leaderboard snapshots"
    assert [round(c.win_probability, 3) for c in ev.checks] == [0.644, 0.533]
    assert {r.model for r in ev.rows} == {"US1", "CN1", "US2", "CN2"}
    bad = evaluate_claim(
        claim(_threshold([{"at": "2025-02", "op": "<", "value": 15}])), DOC, ARENA_CI
    )
    assert bad.verdict == "contradicted"


def test_threshold_inconclusive_when_evidence_missing():
    result = evaluate_claim(
        claim(_threshold([{"at": "2023-06", "op": ">", "value": 9}])), DOC, ARENA
    )
    assert result.verdict == "inconclusive"
    assert "no leaderboard snapshot" in result.evaluations[0].checks[0].reason


def test_threshold_inconclusive_on_stale_snapshot():
    result = evaluate_claim(
        claim(_threshold([{"at": "2024-12", "op": ">", "value": 0}])), DOC, ARENA
    )
    assert result.verdict == "inconclusive" and "stale" in result.evaluations[0].checks[0].reason


def test_parity():
    parity = {"kind": "gap_parity", "quantity": ARENA_Q, "at": "2025-02", "within": 30}
    assert evaluate_claim(claim(parity), DOC, ARENA_CI).verdict == "supported"
    tight = {**parity, "within": 15}
    assert evaluate_claim(claim(tight), DOC, ARENA_CI).verdict == "contradicted"


def test_trend_on_points():
    narrowing = {
        "kind": "gap_trend",
        "quantity": ARENA_Q,
        "start": "2024-01",
        "end": "2025-02",
        "direction": "narrowing",
    }
    result = evaluate_claim(claim(narrowing), DOC, ARENA_CI)
    assert result.verdict == "supported"
    assert result.evaluations[0].value == pytest.approx(23 - 103)
    widening = {**narrowing, "direction": "widening"}
    assert evaluate_claim(claim(widening), DOC, ARENA_CI).verdict == "contradicted"


def _measured(us: list[bool], cn: list[bool], released_cn: str = "2024-11-01") -> list[EvidenceRow]:
    return [
        measured_row(record("us-tiny", "US", us)),
        measured_row(record("cn-tiny", "CN", cn, released=released_cn)),
    ]


MMLU_Q = {"benchmarks": ["mmlu"], "unit": "points"}


def test_measured_threshold_inconclusive_when_interval_straddles():
    # 56 % vs 50 %, with many items only one of the two got right
    rows = _measured([True] * 28 + [False] * 22, [False] * 22 + [True] * 25 + [False] * 3)
    c = claim(_threshold([{"at": "2025-01", "op": ">", "value": 0}], MMLU_Q))
    result = evaluate_claim(c, DOC, rows)
    kinds = [e.evidence_kind for e in result.evaluations]
    assert kinds == ["reported", "measured"]
    assert result.evaluations[0].verdict == "inconclusive"  # no reported MMLU rows given
    measured = result.evaluations[1]
    assert measured.verdict == "inconclusive"
    assert measured.value == pytest.approx(6.0)
    assert measured.interval.low < 0 < measured.interval.high
    assert measured.interval.method.kind == "paired_bootstrap"
    assert any("only the models in gaptrack's store" in n for n in measured.notes)


def test_measured_threshold_supported_and_contradicted_with_intervals():
    rows = _measured([True] * 45 + [False] * 5, [True] * 10 + [False] * 40)  # 90 vs 20
    up = claim(_threshold([{"at": "2025-01", "op": ">", "value": 0}], MMLU_Q))
    assert evaluate_claim(up, DOC, rows).evaluations[1].verdict == "supported"
    down = claim(_threshold([{"at": "2025-01", "op": "<", "value": 0}], MMLU_Q))
    assert evaluate_claim(down, DOC, rows).evaluations[1].verdict == "contradicted"


def test_measured_trend_with_same_models_is_inconclusive():
    rows = _measured([True] * 30 + [False] * 20, [True] * 25 + [False] * 25)
    trend = {
        "kind": "gap_trend",
        "quantity": MMLU_Q,
        "start": "2024-12",
        "end": "2025-01",
        "direction": "widening",
    }
    measured = evaluate_claim(claim(trend), DOC, rows).evaluations[1]
    assert measured.value == 0 and measured.verdict == "inconclusive"


def test_source_measure_note():
    c = claim(
        _threshold([{"at": "2025-01", "op": ">", "value": 0}], MMLU_Q),
        source_measure="chatbot_arena",
    )
    rows = [score("A", "US", "2024-01-01", 80), score("B", "CN", "2024-01-01", 70)]
    notes = evaluate_claim(c, DOC, rows).evaluations[0].notes
    assert any("source measured chatbot_arena" in n for n in notes)


def _release(model: str, family: str, date: str) -> EvidenceRow:
    return ReleaseRow(
        kind="reported",
        model=model,
        origin="CN",
        family=family,
        released=dt.date.fromisoformat(date),
        source="s",
        row_id=f"r-{model}",
    )


RELEASES = [
    _release("Q1", "Q", "2024-01-01"),
    _release("Q2", "Q", "2024-03-01"),  # 60 days
    _release("Q3", "Q", "2024-05-01"),  # 61
    _release("D1", "D", "2024-01-10"),
    _release("D2", "D", "2024-07-10"),
]  # 182


def test_cadence_median_interval():
    cadence = {
        "kind": "cadence",
        "origin": "CN",
        "families": ["Q", "D"],
        "start": "2024-01",
        "end": "2024-12",
        "op": "<",
        "days": 91,
    }
    result = evaluate_claim(claim(cadence, kind="cadence"), DOC, RELEASES)
    assert result.verdict == "supported" and result.evaluations[0].value == 61.0  # [60, 61, 182]
    slower = {**cadence, "days": 60}
    assert evaluate_claim(claim(slower, kind="cadence"), DOC, RELEASES).verdict == "contradicted"
    thin = {**cadence, "families": ["D"]}
    assert evaluate_claim(claim(thin, kind="cadence"), DOC, RELEASES).verdict == "inconclusive"


def _figure(value: float, snapshot: str, approx: bool = False, source: str = "s") -> EvidenceRow:
    return FigureRow(
        kind="reported",
        model="Qwen",
        origin="CN",
        benchmark="hf_downloads_m",
        value=value,
        snapshot=dt.date.fromisoformat(snapshot),
        approximate=approx,
        source=source,
        row_id=f"r-{value}",
    )


def test_figure_branches():
    stmt = {
        "kind": "figure",
        "figure": "hf_downloads_m",
        "subject": "Qwen",
        "start": "2026-01",
        "end": "2026-03",
        "op": ">",
        "value": 1000,
    }
    rows = [_figure(700, "2026-01-13", approx=True), _figure(942.1, "2026-03-31")]
    assert evaluate_claim(claim(stmt, kind="adoption"), DOC, rows).verdict == "contradicted"
    assert (
        evaluate_claim(claim(stmt, kind="adoption"), DOC, [_figure(1200, "2026-02-01")]).verdict
        == "supported"
    )
    near = [_figure(990, "2026-02-01", approx=True)]
    assert evaluate_claim(claim(stmt, kind="adoption"), DOC, near).verdict == "inconclusive"
    disagree = [_figure(900, "2026-01-05"), _figure(1100, "2026-03-01", source="t")]
    assert evaluate_claim(claim(stmt, kind="adoption"), DOC, disagree).verdict == "inconclusive"
    outside = [_figure(900, "2025-06-01")]
    result = evaluate_claim(claim(stmt, kind="adoption"), DOC, outside)
    assert result.verdict == "inconclusive" and result.evaluations[0].rows == []


def test_event_branches():
    ev_row = EventRow(
        kind="reported",
        model="Qwen",
        origin="CN",
        benchmark="qwen_passes_llama_hf_downloads",
        snapshot=dt.date(2025, 9, 30),
        source="ATOM",
        row_id="r-ev",
    )
    stmt = {
        "kind": "event",
        "event": "qwen_passes_llama_hf_downloads",
        "subject": "Qwen",
        "at": "2024-09",
        "tolerance_days": 31,
    }
    assert evaluate_claim(claim(stmt, kind="adoption"), DOC, [ev_row]).verdict == "contradicted"
    later = {**stmt, "at": "2025-09"}
    assert evaluate_claim(claim(later, kind="adoption"), DOC, [ev_row]).verdict == "supported"
    assert evaluate_claim(claim(stmt, kind="adoption"), DOC, []).verdict == "inconclusive"
    release = {"kind": "event", "event": "release", "subject": "Q2", "at": "2024-03"}
    assert evaluate_claim(claim(release, kind="release"), DOC, RELEASES).verdict == "supported"


def test_untestable_claims_have_no_evaluation():
    result = evaluate_claim(claim(None, kind="forecast"), DOC, ARENA)
    assert result.verdict == "untestable" and result.evaluations == []


def test_every_statement_kind_has_an_evaluator():
    from gaptrack.compare.claims import STATEMENT_TAGS
    from gaptrack.compare.verdicts import EVALUATORS

    assert set(EVALUATORS) == STATEMENT_TAGS


def test_point_values_without_interval_decide_nothing():
    result = evaluate_claim(
        claim(_threshold([{"at": "2024-01", "op": ">", "value": 100}])), DOC, ARENA
    )
    ev = result.evaluations[0]
    assert result.verdict == "inconclusive"
    assert ev.checks[0].interval is None and ev.checks[0].reason.startswith("no interval")
    assert "no published error or interval" in ev.no_interval
    assert ev.weakest_status == "unverified"
