"""Frontier selection and gaps on hand-computed cases; also the record factories the other
compare tests use."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
from scipy import stats as sps

from gaptrack.compare.claims import GapQuantity
from gaptrack.compare.evidence import (
    EvidenceRow,
    ScoreRow,
    apply_editions,
    choose_editions,
    load_reported,
    measured_row,
)
from gaptrack.compare.gaps import frontier, gap_at, gap_series
from gaptrack.store.records import (
    CacheKey,
    Item,
    Metric,
    ModelInfo,
    Provenance,
    ResultRecord,
    TaskInfo,
)

D = dt.date


def score(
    model: str, origin: str, released: str, value: float, bench: str = "mmlu", **extra
) -> EvidenceRow:
    return ScoreRow(
        kind="reported",
        model=model,
        origin=origin,
        released=D.fromisoformat(released),
        benchmark=bench,
        value=value,
        source="test",
        row_id=f"r-{model}-{bench}",
        **extra,
    )


def arena(
    model: str, origin: str, snapshot: str, value: float, edition: str = "2025", **extra
) -> EvidenceRow:
    return ScoreRow(
        kind="reported",
        model=model,
        origin=origin,
        benchmark="chatbot_arena",
        value=value,
        snapshot=D.fromisoformat(snapshot),
        report="AI Index",
        edition=edition,
        source="test",
        **extra,
        row_id=f"r-{model}-{snapshot}",
    )


def record(
    model_id: str,
    origin: str,
    correct: list[bool],
    task: str = "mmlu",
    released: str = "2024-11-01",
    prompt_prefix: str = "p",
    params_b: float = 0.5,
) -> ResultRecord:
    n = len(correct)
    acc = sum(correct) / n
    stderr = (acc * (1 - acc) / (n - 1)) ** 0.5 if n > 1 else None
    key = CacheKey(
        model_fingerprint=f"hub:{model_id}",
        dtype="float32",
        backend="hf",
        task=task,
        task_fingerprint="t",
        num_fewshot=0,
        limit=n,
        lm_eval_version="0.4.13",
        transformers_version="5",
    )
    now = dt.datetime(2025, 1, 1, 12, 0, tzinfo=dt.timezone.utc)
    return ResultRecord(
        key=key.digest(),
        cache_key=key,
        model=ModelInfo(
            id=model_id,
            name=model_id,
            origin=origin,
            organisation="org",
            released=D.fromisoformat(released),
            params_b=params_b,
            size_class="<1B",
            variant="base",
            open_weights=True,
            source={"kind": "hub", "repo": "org/model"},
        ),
        task=TaskInfo(name=task, n_samples=n, primary_metric="acc", num_fewshot=0, limit=n),
        metrics=[Metric(name="acc", value=acc, stderr=stderr)],
        items=[
            Item(doc_id=i, prompt_hash=f"{prompt_prefix}{i}", correct=c)
            for i, c in enumerate(correct)
        ],
        provenance=Provenance(
            gaptrack_version="0.1.0",
            packages={},
            device="cpu",
            device_name="cpu",
            batch_size="1",
            wall_time_s=1.0,
            started_at=now,
            finished_at=now,
        ),
    )


MMLU_POINTS = GapQuantity(benchmarks=["mmlu"], unit="points")
MMLU_PERCENT = GapQuantity(benchmarks=["mmlu"], unit="relative")
ARENA_PERCENT = GapQuantity(benchmarks=["chatbot_arena"], unit="relative")

ROWS = [
    score("A1", "US", "2023-03-01", 80.0),
    score("A2", "US", "2024-06-01", 90.0),
    score("B1", "CN", "2023-06-01", 70.0),
    score("B2", "CN", "2024-09-01", 88.0),
    score("F1", "FR", "2024-01-01", 99.0),
]


def test_frontier_by_release_date_absolute_and_relative():
    early = gap_at(ROWS, MMLU_POINTS, D(2024, 1, 31), "reported")
    assert (early.a.model, early.b.model, early.gap) == ("A1", "B1", 10.0)
    rel = gap_at(ROWS, MMLU_PERCENT, D(2024, 1, 31), "reported")
    assert rel.gap == pytest.approx(100 * 10 / 70)  # 14.2857 %
    late = gap_at(ROWS, MMLU_POINTS, D(2024, 12, 31), "reported")
    assert (late.a.model, late.b.model, late.gap) == ("A2", "B2", 2.0)
    late_rel = gap_at(ROWS, MMLU_PERCENT, D(2024, 12, 31), "reported")
    assert late_rel.gap == pytest.approx(100 * 2 / 88)  # 2.2727 %
    # released on the day counts; the day before does not
    assert gap_at(ROWS, MMLU_POINTS, D(2024, 9, 1), "reported").b.model == "B2"
    assert gap_at(ROWS, MMLU_POINTS, D(2024, 8, 31), "reported").b.model == "B1"


def test_reported_scores_without_published_error_get_the_binomial_se():
    # MMLU has 14042 test items: se = 100 sqrt(p (1 - p) / n), straight from scipy
    point = gap_at(ROWS, MMLU_POINTS, D(2024, 12, 31), "reported")
    se = [100 * sps.binom.std(14042, p / 100) / 14042 for p in (point.a.value, point.b.value)]
    half = 1.959963984540054 * float(np.hypot(*se))
    assert point.uncertainty == "unpaired"
    assert (point.interval.low, point.interval.high) == pytest.approx((2.0 - half, 2.0 + half))
    assert "binomial se" in point.interval.method.text
    assert point.items == {r.row_id: 14042 for r in point.rows}


def test_ratings_without_published_interval_have_none():
    rows = [arena("A", "US", "2024-01-15", 1250), arena("B", "CN", "2024-01-15", 1200)]
    point = gap_at(rows, ARENA_PERCENT, D(2024, 1, 31), "reported")
    assert point.interval is None and point.uncertainty == "none published"


def test_reported_stderr_gives_unpaired_interval():
    rows = [
        score("A", "US", "2024-01-01", 60, stderr=3.0),
        score("B", "CN", "2024-01-01", 50, stderr=4.0),
    ]
    point = gap_at(rows, MMLU_POINTS, D(2024, 2, 1), "reported")
    assert point.uncertainty == "unpaired"
    assert point.interval.low == pytest.approx(10 - 1.959963984540054 * 5)


def test_ties_go_to_earlier_release_then_name():
    rows = [
        score("Zed", "US", "2024-01-01", 90.0),
        score("Alpha", "US", "2024-02-01", 90.0),
        score("Beta", "US", "2024-01-01", 90.0),
    ]
    best = frontier(rows, ["mmlu"])
    assert best.model == "Beta"  # Beta and Zed released first; Beta sorts first


def test_missing_origin_gives_no_gap_and_names_it():
    point = gap_at(ROWS, MMLU_POINTS, D(2023, 4, 30), "reported")
    assert point.gap is None and point.a.model == "A1" and point.b is None
    assert "CN" in point.problem


def test_other_origins_never_count():
    point = gap_at(ROWS, MMLU_POINTS, D(2024, 12, 31), "reported")
    assert "F1" not in (point.a.model, point.b.model)


def test_size_class_and_open_weight_frontiers():
    rows = [
        score("Big", "US", "2024-01-01", 90, params_b=70, open_weights=False),
        score("Small", "US", "2024-01-01", 60, params_b=7, open_weights=True),
        score("CNsmall", "CN", "2024-01-01", 65, params_b=7, open_weights=True),
    ]
    sized = GapQuantity(benchmarks=["mmlu"], unit="points", size_class="~7B")
    assert gap_at(rows, sized, D(2024, 2, 1), "reported").gap == -5
    open_only = GapQuantity(
        benchmarks=["mmlu"], unit="points", open_weights_a=True, open_weights_b=True
    )
    point = gap_at(rows, open_only, D(2024, 2, 1), "reported")
    assert (point.a.model, point.gap) == ("Small", -5)


def test_aggregate_is_mean_over_benchmarks_and_needs_all():
    rows = [
        score("A", "US", "2024-01-01", 80, "mmlu"),
        score("A", "US", "2024-01-01", 60, "gsm8k"),
        score("A2", "US", "2024-01-01", 99, "mmlu"),  # no gsm8k: left out
        score("B", "CN", "2024-01-01", 70, "mmlu"),
        score("B", "CN", "2024-01-01", 50, "gsm8k"),
    ]
    q = GapQuantity(benchmarks=["mmlu", "gsm8k"], unit="points")
    point = gap_at(rows, q, D(2024, 2, 1), "reported")
    assert (point.a.model, point.a.value, point.b.value, point.gap) == ("A", 70, 60, 10)


def test_leaderboard_uses_latest_snapshot_and_flags_stale_ones():
    rows = [
        arena("US1", "US", "2024-01-31", 1215),
        arena("CN1", "CN", "2024-01-31", 1112),
        arena("US2", "US", "2025-02-28", 1385),
        arena("CN2", "CN", "2025-02-28", 1362),
    ]
    q = GapQuantity(benchmarks=["chatbot_arena"], unit="relative")
    jan = gap_at(rows, q, D(2024, 1, 31), "reported")
    assert jan.snapshot == D(2024, 1, 31) and jan.gap == pytest.approx(9.2626, abs=1e-4)
    assert jan.problem is None
    mid = gap_at(rows, q, D(2024, 6, 30), "reported")
    assert mid.snapshot == D(2024, 1, 31) and mid.problem is None  # 151 days old
    stale = gap_at(rows, q, D(2024, 12, 31), "reported")
    assert "stale" in stale.problem
    assert gap_at(rows, q, D(2023, 12, 31), "reported").gap is None


def test_gap_series_is_monthly():
    series = gap_series(ROWS, MMLU_POINTS, D(2024, 5, 1), D(2024, 9, 15), "reported")
    assert [p.at for p in series] == [
        D(2024, 5, 31),
        D(2024, 6, 30),
        D(2024, 7, 31),
        D(2024, 8, 31),
        D(2024, 9, 30),
    ]
    assert [p.gap for p in series] == [10.0, 20.0, 20.0, 20.0, 2.0]


def test_measured_gap_is_paired_on_shared_items():
    us = record("us-model", "US", [True] * 30 + [False] * 20)
    cn = record("cn-model", "CN", [True] * 20 + [False] * 30)
    rows = [measured_row(us), measured_row(cn)]
    assert rows[0].value == pytest.approx(60.0)  # accuracy in percent
    point = gap_at(rows, MMLU_POINTS, D(2025, 1, 1), "measured")
    assert point.uncertainty == "paired" and point.gap == pytest.approx(20.0)
    assert point.mcnemar.a_only == 10 and point.mcnemar.b_only == 0
    assert point.interval.low > 0 and point.interval.method.kind == "paired_bootstrap"


def test_measured_gap_falls_back_to_unpaired_when_items_differ():
    us = record("us-model", "US", [True] * 30 + [False] * 20, prompt_prefix="x")
    cn = record("cn-model", "CN", [True] * 20 + [False] * 30, prompt_prefix="y")
    point = gap_at([measured_row(us), measured_row(cn)], MMLU_POINTS, D(2025, 1, 1), "measured")
    assert point.uncertainty == "unpaired" and point.mcnemar is None
    se = ((0.6 * 0.4 / 49) ** 0.5 * 100, (0.4 * 0.6 / 49) ** 0.5 * 100)
    assert point.interval.high - point.interval.low == pytest.approx(
        2 * 1.959963984540054 * (se[0] ** 2 + se[1] ** 2) ** 0.5
    )


def test_measured_gap_on_few_items_is_too_thin():
    point = gap_at(
        [
            measured_row(record("u", "US", [True, False] * 5)),
            measured_row(record("c", "CN", [False, True] * 5)),
        ],
        MMLU_POINTS,
        D(2025, 1, 1),
        "measured",
    )
    assert "too few items" in point.problem


def test_shipped_arena_rows_reproduce_the_ai_index():
    rows = load_reported(None)
    q = GapQuantity(benchmarks=["chatbot_arena"], unit="relative")
    choice = choose_editions(rows, ("AI Index", "2025"), D(2025, 7, 31))
    ed2025 = apply_editions(rows, choice, exclusive=True)
    assert gap_at(ed2025, q, D(2024, 1, 31), "reported").gap == pytest.approx(9.26, abs=0.005)
    feb = gap_at(ed2025, q, D(2025, 2, 28), "reported")
    assert feb.gap == pytest.approx(1.69, abs=0.005)
    assert (feb.a.value, feb.b.value) == (1385, 1362)
    ed2026 = apply_editions(
        rows, choose_editions(rows, ("AI Index", "2026"), D(2026, 1, 31)), exclusive=True
    )
    assert gap_at(ed2026, q, D(2025, 2, 28), "reported").gap == pytest.approx(100 * 5 / 1400)
    assert gap_at(ed2026, q, D(2026, 3, 31), "reported").gap == pytest.approx(100 * 39 / 1464)


def test_default_edition_is_latest_published_by_the_claim_date():
    rows = load_reported(None)
    assert choose_editions(rows, None, D(2025, 7, 31)).editions == {"AI Index": "2025"}
    # before any edition: the earliest
    assert choose_editions(rows, None, D(2020, 1, 1)).editions == {"AI Index": "2025"}


def test_models_far_below_their_sides_best_are_left_out_of_resampling_and_change_nothing():
    """A model more than REACH_Z standard errors below its side's best is never the best in
    a resample: leaving it out gives the same gap, interval and reselection shares, and only
    the models within reach are resampled."""
    from gaptrack.compare.gaps import REACH_Z, _measured_point, contenders, within_reach

    rng = np.random.default_rng(3)
    n = 400

    def model(name, origin, p):
        return measured_row(record(name, origin, list(rng.random(n) < p)))

    us = [model("us-best", "US", 0.80), model("us-close", "US", 0.78)]
    us += [model(f"us-weak{k}", "US", 0.30) for k in range(5)]
    cn = [model("cn-best", "CN", 0.70), model("cn-weak", "CN", 0.25)]
    ranked = contenders(us, ["mmlu"])
    kept = within_reach(ranked)
    assert [c.model for c in kept] == ["us-best", "us-close"]
    weak = ranked[-1]
    assert weak.value < ranked[0].value - REACH_Z * (weak.rows[0].stderr + ranked[0].rows[0].stderr)

    point = gap_at([*us, *cn], MMLU_POINTS, D(2025, 1, 1), "measured")
    everyone = _measured_point(ranked, contenders(cn, ["mmlu"]), "points", _base(), None)
    assert point.interval.method.models == (2, 1)
    assert everyone.interval.method.models == (7, 2)
    assert point.gap == everyone.gap and point.reselected == everyone.reselected
    assert (point.interval.low, point.interval.high) == (
        everyone.interval.low,
        everyone.interval.high,
    )


def _base() -> dict:
    return {
        "at": D(2025, 1, 1),
        "evidence_kind": "measured",
        "snapshot": None,
        "a": None,
        "b": None,
        "items": {},
    }


def _month_by_month(rows: list[EvidenceRow], benchmarks: list[str]) -> list:
    """gap_table by its definition: gap_at at every month end, one point at a time."""
    from gaptrack.compare.dates import month_ends
    from gaptrack.compare.gap_table import KINDS, POOLS, _dates, _quantity, _row

    out = []
    for bench in benchmarks:
        for kind in KINDS:
            mine = [r for r in rows if r.kind == kind and r.benchmark == bench]
            if not _dates(mine):
                continue
            for pool in POOLS:
                q, q_rel = (_quantity(bench, pool, u, "US", "CN") for u in ("points", "relative"))
                for at in month_ends(min(_dates(mine)), max(_dates(mine))):
                    point = gap_at(mine, q, at, kind)
                    if point.a is None or point.b is None or point.gap is None:
                        continue
                    out.append(_row(point, gap_at(mine, q_rel, at, kind), bench, pool, q))
    return out


def test_gap_table_is_gap_at_month_by_month():
    """The table ranks each side once and repeats a month's point while no model is
    released (or snapshot taken): every row equals the point gap_at computes on its own,
    for measured rows (paired bootstrap), reported rows (one model's rows disagreeing on its
    release date: ranked month by month), and leaderboard snapshots, stale ones included."""
    from gaptrack.compare.gap_table import gap_table

    rng = np.random.default_rng(11)
    measured = [
        measured_row(record(f"{origin.lower()}{k}", origin, list(rng.random(60) < p), released=day))
        for k, (origin, p, day) in enumerate(
            [
                ("US", 0.55, "2024-01-10"),
                ("US", 0.70, "2024-03-05"),
                ("US", 0.66, "2024-03-20"),
                ("US", 0.30, "2024-02-01"),
                ("CN", 0.50, "2024-01-20"),
                ("CN", 0.72, "2024-04-15"),
                ("CN", 0.71, "2024-04-16"),
            ]
        )
    ]
    reported = [
        *ROWS,
        score("B3", "CN", "2024-10-01", 89.0, bench="gsm8k"),
        score("A3", "US", "2024-02-01", 92.0, bench="gsm8k"),
        score("A3", "US", "2024-05-01", 93.0, bench="gsm8k", published=D(2025, 1, 1)),
        # published with their snapshot: point-in-time rows (gaps.point_in_time)
        arena("a", "US", "2024-01-15", 1250, published=D(2024, 1, 15)),
        arena("b", "CN", "2024-01-15", 1200, published=D(2024, 1, 15)),
        arena("a", "US", "2024-12-15", 1300, published=D(2024, 12, 15)),
        arena("b", "CN", "2024-12-15", 1290, published=D(2024, 12, 15)),
    ]
    benchmarks = ["mmlu", "gsm8k", "chatbot_arena"]
    table = gap_table([*measured, *reported], benchmarks)
    expected = _month_by_month([*measured, *reported], benchmarks)
    assert {(r.benchmark, r.evidence) for r in table} == {
        ("mmlu", "measured"),
        ("mmlu", "reported"),
        ("gsm8k", "reported"),
        ("chatbot_arena", "reported"),
    }
    assert any(r.problem and "stale" in r.problem for r in table)
    assert any(r.interval and r.interval.method.kind == "selection_bootstrap" for r in table)
    assert [r.model_dump() for r in table] == [r.model_dump() for r in expected]


def test_first_best_share_is_the_argmax_share_ties_included():
    from gaptrack.compare.stats import _first_best_share

    rng = np.random.default_rng(2)
    for _ in range(50):
        resampled = rng.integers(0, 4, size=(200, 6)).astype(float)  # many ties
        best = resampled.max(axis=1)
        for i in range(6):
            assert _first_best_share(resampled.T.copy().T, best, i) == pytest.approx(
                float((resampled.argmax(axis=1) == i).mean()), abs=0
            )
