"""Intervals and tests for gaps, against direct computations on known data."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats as sps

from gaptrack.compare.stats import (
    Interval,
    IntervalMethod,
    PairedSample,
    difference_interval,
    gap_value,
    mcnemar,
    paired_bootstrap,
    paired_point,
    rounding_band,
    unpaired_interval,
)


def test_gap_value_absolute_and_relative():
    assert gap_value(1385, 1362, "points") == 23
    assert gap_value(1385, 1362, "relative") == pytest.approx(100 * 23 / 1362)  # 1.6887 %
    assert gap_value(1215, 1112, "relative") == pytest.approx(9.2626, abs=1e-4)
    assert gap_value(5, 0, "relative") is None


def test_unpaired_interval_points_is_normal_with_combined_se():
    iv = unpaired_interval(60.0, 3.0, 50.0, 4.0, "points")
    half = 1.959963984540054 * 5.0  # sqrt(3^2 + 4^2) = 5
    assert iv.low == pytest.approx(10 - half)
    assert iv.high == pytest.approx(10 + half)
    assert iv.method.kind == "unpaired_normal"


def test_unpaired_interval_relative_uses_delta_method():
    a, se_a, b, se_b = 60.0, 3.0, 50.0, 4.0
    iv = unpaired_interval(a, se_a, b, se_b, "relative")
    # 100 * sqrt(0.0036 + 0.009216)
    se = 100 * math.sqrt((se_a / b) ** 2 + (a * se_b / b**2) ** 2)
    assert se == pytest.approx(11.3208, abs=1e-4)
    assert (iv.low + iv.high) / 2 == pytest.approx(20.0)
    assert iv.high - iv.low == pytest.approx(2 * 1.959963984540054 * se)
    assert unpaired_interval(1, 1, 0, 1, "relative") is None


def test_mcnemar_exact_and_mid_p_by_hand():
    # 7 items only A got right, 2 only B, 3 both, 1 neither
    a = [True] * 7 + [False] * 2 + [True] * 3 + [False]
    b = [False] * 7 + [True] * 2 + [True] * 3 + [False]
    result = mcnemar([PairedSample(a=a, b=b)])
    assert (result.a_only, result.b_only) == (7, 2)
    # P(X <= 2 | n=9) = (1 + 9 + 36) / 512; two-sided exact = 92/512; mid-p = (92 - 36)/512
    assert result.p_exact == pytest.approx(92 / 512)
    assert result.p_exact == pytest.approx(sps.binomtest(2, 9, 0.5).pvalue)
    assert result.p_mid == pytest.approx(56 / 512)


def test_mcnemar_without_discordant_items():
    result = mcnemar([PairedSample(a=[True, False], b=[True, False])])
    assert result.p_exact == 1.0 and result.a_only == result.b_only == 0


def _scipy_percentile_interval(a: np.ndarray, b: np.ndarray, unit: str) -> tuple[float, float]:
    """The same interval from scipy.stats.bootstrap (paired resampling, percentile method)
    with many more resamples: an independent reference, not a re-implementation."""

    def gap(x, y, axis=-1):
        mx, my = x.mean(axis=axis), y.mean(axis=axis)
        return 100 * (mx - my) if unit == "points" else 100 * (mx - my) / my

    res = sps.bootstrap(
        (a.astype(float), b.astype(float)),
        gap,
        paired=True,
        vectorized=True,
        n_resamples=20000,
        method="percentile",
        random_state=np.random.default_rng(7),
    )
    return res.confidence_interval.low, res.confidence_interval.high


@pytest.mark.parametrize("unit", ["points", "relative"])
def test_paired_bootstrap_agrees_with_scipy_bootstrap(unit):
    rng = np.random.default_rng(42)
    a = rng.random(80) < 0.6
    b = rng.random(80) < 0.45
    iv = paired_bootstrap([PairedSample(a=a.tolist(), b=b.tolist())], unit)
    low, high = _scipy_percentile_interval(a, b, unit)
    # Different random draws: the endpoints agree to Monte-Carlo error (about 0.5 points
    # for 2000 resamples here) plus the lattice step of an 80-item mean (1.25 points).
    tolerance = 2.5 if unit == "points" else 6.0
    assert iv.low == pytest.approx(low, abs=tolerance)
    assert iv.high == pytest.approx(high, abs=tolerance)
    assert (iv.method.kind, iv.method.resamples, iv.method.seed, iv.method.items) == (
        "paired_bootstrap",
        2000,
        0,
        80,
    )


def test_paired_bootstrap_matches_the_normal_closed_form_on_a_large_sample():
    # n = 4000 paired items: the bootstrap distribution of the mean difference is close to
    # normal with sd = sd(a - b) / sqrt(n) (plug-in variance), so the percentile interval
    # is close to gap +- 1.96 sd.
    rng = np.random.default_rng(3)
    a = rng.random(4000) < 0.7
    b = (rng.random(4000) < 0.5) | (a & (rng.random(4000) < 0.3))
    iv = paired_bootstrap([PairedSample(a=a.tolist(), b=b.tolist())], "points")
    d = 100 * (a.astype(float) - b.astype(float))
    half = 1.959963984540054 * d.std() / math.sqrt(len(d))
    assert iv.low == pytest.approx(d.mean() - half, abs=0.1 * half)
    assert iv.high == pytest.approx(d.mean() + half, abs=0.1 * half)


def test_paired_bootstrap_identical_models_gives_zero_width_and_is_deterministic():
    same = [True, False, True, True, False] * 10
    iv = paired_bootstrap([PairedSample(a=same, b=same)], "points")
    assert (iv.low, iv.high) == (0.0, 0.0)
    x = [True, False, False, True, True, False, True] * 6
    y = [False, False, True, True, False, False, True] * 6
    first = paired_bootstrap([PairedSample(a=x, b=y)], "relative")
    second = paired_bootstrap([PairedSample(a=x, b=y)], "relative")
    assert first == second


def test_paired_bootstrap_rejects_unequal_samples():
    with pytest.raises(ValueError):
        paired_bootstrap([PairedSample(a=[True], b=[True, False])], "points")


def test_aggregate_point_is_mean_of_benchmarks():
    s1 = PairedSample(a=[True, True, False, False], b=[True, False, False, False])  # 50 vs 25
    s2 = PairedSample(a=[True, True], b=[True, True])  # 100 vs 100
    a, b, gap = paired_point([s1, s2], "points")
    assert (a, b, gap) == (75.0, 62.5, 12.5)


def test_difference_interval_combines_two_gaps():
    normal = IntervalMethod(kind="unpaired_normal")
    first = (9.0, Interval(low=7.0, high=11.0, method=normal))
    second = (2.0, Interval(low=1.0, high=3.0, method=normal))
    iv = difference_interval(first, second)
    se = math.hypot(4 / (2 * 1.959963984540054), 2 / (2 * 1.959963984540054))
    assert (iv.low + iv.high) / 2 == pytest.approx(-7.0)
    assert iv.high - iv.low == pytest.approx(2 * 1.959963984540054 * se)


def test_rounding_band_of_the_ai_index_february_2025_gap():
    low, high = rounding_band(1385, 1362, 0.5, "relative")
    assert low == pytest.approx(100 * 22 / 1362.5)  # 1.6147 %
    assert high == pytest.approx(100 * 24 / 1361.5)  # 1.7628 %
    assert low < 1.70 < high


@pytest.mark.parametrize("a_only,b_only", [(0, 1), (1, 1), (3, 40), (250, 180), (900, 1100)])
def test_mcnemar_matches_scipy_binomtest_across_sizes(a_only, b_only):
    a = [True] * a_only + [False] * b_only
    b = [False] * a_only + [True] * b_only
    result = mcnemar([PairedSample(a=a, b=b)])
    k, n = min(a_only, b_only), a_only + b_only
    assert result.p_exact == pytest.approx(sps.binomtest(k, n, 0.5).pvalue, rel=1e-9, abs=1e-300)
    expected_mid = min(1.0, 2 * sps.binom.cdf(k, n, 0.5)) - sps.binom.pmf(k, n, 0.5)
    assert result.p_mid == pytest.approx(min(1.0, expected_mid), rel=1e-6, abs=1e-300)
