"""Selection-aware gap interval (coverage by simulation with a known true gap) and the
intervals from published uncertainty, checked against direct scipy/numpy computations."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats as sps

from gaptrack.compare.stats import (
    Z95,
    PairedSample,
    binomial_se,
    paired_point,
    selection_bootstrap,
    unpaired_interval,
)

# Latent item difficulty d ~ N(0, 1) shared by all models (items are paired); a model of
# ability t answers an item right with probability Phi(t - d), so its population accuracy
# is E[Phi(t - d)] = Phi(t / sqrt(2)): the true gap is known exactly.
ABILITY_A = np.array([0.6, 0.55, 0.5])  # three close US models
ABILITY_B = np.array([0.3, 0.3, 0.25])  # three close CN models, two tied
N_ITEMS, N_DATASETS, RESAMPLES = 200, 500, 400


def _simulate(rng: np.random.Generator, a: np.ndarray, b: np.ndarray, n: int):
    d = rng.standard_normal(n)
    xa = rng.random((len(a), n)) < sps.norm.cdf(a[:, None] - d)
    xb = rng.random((len(b), n)) < sps.norm.cdf(b[:, None] - d)
    return xa, xb


def _true_gap(a: np.ndarray, b: np.ndarray) -> float:
    return 100 * (sps.norm.cdf(a.max() / np.sqrt(2)) - sps.norm.cdf(b.max() / np.sqrt(2)))


def test_selection_aware_interval_covers_the_true_gap():
    rng = np.random.default_rng(2024)
    truth = _true_gap(ABILITY_A, ABILITY_B)
    hits = 0
    for k in range(N_DATASETS):
        xa, xb = _simulate(rng, ABILITY_A, ABILITY_B, N_ITEMS)
        result = selection_bootstrap([xa], [xb], "points", resamples=RESAMPLES, seed=k)
        hits += result.interval.contains(truth)
    coverage = hits / N_DATASETS
    assert 0.92 <= coverage <= 0.98, coverage


def test_one_model_per_side_matches_the_paired_point():
    rng = np.random.default_rng(1)
    xa, xb = _simulate(rng, ABILITY_A[:1], ABILITY_B[:1], 150)
    result = selection_bootstrap([xa], [xb], "points", resamples=500)
    a, b, gap = paired_point([PairedSample(a=list(xa[0]), b=list(xb[0]))], "points")
    assert (result.a, result.b, result.gap) == pytest.approx((a, b, gap))
    assert result.a_reselected == result.b_reselected == 1.0
    assert result.interval.low < gap < result.interval.high


def test_selection_picks_the_observed_best_and_reports_reselection():
    rng = np.random.default_rng(3)
    xa, xb = _simulate(rng, np.array([0.5, 0.5]), np.array([0.2]), 300)
    result = selection_bootstrap([xa], [xb], "points", resamples=400)
    assert result.a_index == int(np.argmax(xa.mean(axis=1)))
    assert 0.0 < result.a_reselected < 1.0  # tied models trade places across resamples
    assert "re-selected in every resample" in result.interval.method.text


def test_mismatched_items_are_rejected():
    with pytest.raises(ValueError, match="same items"):
        selection_bootstrap([np.ones((2, 5))], [np.ones((1, 4))], "points")


@pytest.mark.parametrize(("percent", "n"), [(60.0, 198), (86.4, 14042), (50.0, 30), (3.0, 500)])
def test_binomial_se_matches_scipy(percent, n):
    expected = 100 * sps.binom.std(n, percent / 100) / n
    assert binomial_se(percent, n) == pytest.approx(expected, rel=1e-12)


def test_gpqa_diamond_se_near_sixty_percent_is_about_3_5_points():
    assert binomial_se(60.0, 198) == pytest.approx(3.48, abs=0.01)


def test_arena_interval_propagates_into_the_relative_gap():
    # ratings with published 95 % intervals (+-6 and +-5 Elo): the delta-method interval of
    # (A - B) / B * 100 against a direct Monte Carlo of the same normals
    a, half_a, b, half_b = 1385.0, 6.0, 1362.0, 5.0
    se_a, se_b = half_a / Z95, half_b / Z95
    interval = unpaired_interval(a, se_a, b, se_b, "relative")
    rng = np.random.default_rng(0)
    ra, rb = rng.normal(a, se_a, 400_000), rng.normal(b, se_b, 400_000)
    low, high = np.percentile((ra - rb) / rb * 100, [2.5, 97.5])
    assert interval.low == pytest.approx(low, abs=0.01)
    assert interval.high == pytest.approx(high, abs=0.01)


def test_item_counts_have_sources():
    from gaptrack.compare.vocabulary import BENCHMARKS

    assert BENCHMARKS["gpqa_diamond"].items == 198 and BENCHMARKS["mmlu"].items == 14042
    assert BENCHMARKS["math_500"].items == 500 and BENCHMARKS["humaneval"].items == 164
    assert BENCHMARKS["mmlu_pro"].items == 12032 and BENCHMARKS["aime_2024"].items == 30
    assert all(b.items_source for b in BENCHMARKS.values() if b.items)


def test_gaps_table_and_claims_use_the_same_engine():
    import datetime as dt

    from gaptrack.compare.claims import GapQuantity
    from gaptrack.compare.evidence import measured_rows
    from gaptrack.compare.gaps import gap_at
    from gaptrack.publish.gaps_table import gap_rows
    from tests.test_gaps import record

    rng = np.random.default_rng(5)
    xa, xb = _simulate(rng, np.array([0.6, 0.58]), np.array([0.3, 0.2]), 120)
    records = [
        record("us-1", "US", list(xa[0])),
        record("us-2", "US", list(xa[1])),
        record("cn-1", "CN", list(xb[0])),
        record("cn-2", "CN", list(xb[1])),
    ]
    [table] = gap_rows(records, "US", "CN")
    quantity = GapQuantity(benchmarks=["mmlu"], unit="points", evidence=["measured"])
    point = gap_at(measured_rows(records), quantity, dt.date(2025, 1, 1), "measured")
    assert table[5] == f"{point.gap:+.1f}"
    assert table[7] == point.interval.method.text
    assert "best of 2 vs best of 2 models re-selected" in table[7]
    direct = selection_bootstrap([np.array(xa, float)], [np.array(xb, float)], "points")
    assert (point.interval.low, point.interval.high) == pytest.approx(
        (direct.interval.low, direct.interval.high)
    )
