"""The capability fit: score(m, b) = sigmoid(alpha_b * (C_m - D_b)), by non-linear least
squares with a ridge penalty (scipy.optimize.least_squares, sparse Jacobian), then a linear
map that puts two named anchor models at fixed values so numbers stay put as evidence grows."""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
from scipy.optimize import least_squares
from scipy.special import expit

from gaptrack.errors import GaptrackError

ANCHORS = (("Claude 3.5 Sonnet", 130.0), ("GPT-5", 150.0))
"""Epoch AI's ECI anchors (its eci_scaling.csv), so gaptrack's numbers read on ECI's scale."""

VERSION_ANCHORS = (("claude-3-5-sonnet-20240620", 130.0), ("gpt-5-2025-08-07_high", 150.0))
"""The same anchors for the version-level fit: the first Claude 3.5 Sonnet, GPT-5 at high
reasoning effort (the variant Epoch's pages show)."""

RIDGE = 0.01
"""Ridge weight on C, D and (alpha - 1): it fixes the model's free scale (C -> aC, alpha -> alpha/a)
and keeps models seen on few, saturated benchmarks finite."""


class FitError(GaptrackError):
    """The optimiser did not converge; the message is scipy's own."""


class Problem:
    """Index arrays of one fit: row i is model m[i] scored y[i] on benchmark b[i]."""

    def __init__(
        self,
        m: np.ndarray,
        b: np.ndarray,
        y: np.ndarray,
        n_models: int,
        n_bench: int,
        weight: np.ndarray | None = None,
    ):
        self.m, self.b, self.y = m, b, y
        # A bootstrap replicate that draws a row k times weighs its residual by sqrt(k).
        self.root_w = np.ones(len(y)) if weight is None else np.sqrt(weight)
        self.n_models, self.n_bench = n_models, n_bench
        self.n_params = n_models + 2 * n_bench

    def split(self, x: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        nm, nb = self.n_models, self.n_bench
        return x[:nm], x[nm : nm + nb], x[nm + nb :]

    def residuals(self, x: np.ndarray, ridge: float) -> np.ndarray:
        c, d, a = self.split(x)
        pred = expit(a[self.b] * (c[self.m] - d[self.b]))
        penalty = np.sqrt(ridge) * np.concatenate([c, d, a - 1.0])
        return np.concatenate([self.root_w * (pred - self.y), penalty])

    def _pattern(self) -> sp.csr_matrix:
        # Each score depends on one C, one D and one alpha, in that column order.
        n = len(self.y)
        rows = np.repeat(np.arange(n), 3)
        cols = np.stack(
            [self.m, self.n_models + self.b, self.n_models + self.n_bench + self.b], axis=1
        ).ravel()
        return sp.csr_matrix((np.ones(3 * n), (rows, cols)), shape=(n, self.n_params))

    def jacobian(self, x: np.ndarray, ridge: float) -> sp.csr_matrix:
        """Analytic sparse Jacobian: three entries per score row, the ridge's diagonal below.
        (scipy's finite differences over jac_sparsity give the same matrix at twice the cost.)"""
        if not hasattr(self, "_indices"):
            pattern = self._pattern()
            self._indices, self._indptr = pattern.indices, pattern.indptr
            self._ridge_rows = sp.identity(self.n_params, format="csr")
        c, d, a = self.split(x)
        diff = c[self.m] - d[self.b]
        s = expit(a[self.b] * diff)
        g = s * (1 - s) * self.root_w
        vals = np.stack([g * a[self.b], -g * a[self.b], g * diff], axis=1).ravel()
        data = sp.csr_matrix(
            (vals, self._indices, self._indptr), shape=(len(self.y), self.n_params)
        )
        return sp.vstack([data, np.sqrt(ridge) * self._ridge_rows], format="csr")

    def start(self) -> np.ndarray:
        c = np.zeros(self.n_models)
        # A benchmark's difficulty starts where its mean score says it is.
        mean = np.bincount(self.b, self.y, self.n_bench) / np.maximum(
            np.bincount(self.b, minlength=self.n_bench), 1
        )
        d = -np.log(np.clip(mean, 0.02, 0.98) / (1 - np.clip(mean, 0.02, 0.98)))
        return np.concatenate([c, d, np.ones(self.n_bench)])


def solve(
    problem: Problem,
    x0: np.ndarray | None = None,
    ridge: float = RIDGE,
    quick: bool = False,
    max_nfev: int = 200,
) -> np.ndarray:
    """Raw parameters of the least-squares fit; FitError when scipy does not converge.
    quick: looser tolerances for bootstrap refits from a warm start."""
    nm, nb = problem.n_models, problem.n_bench
    lower = np.concatenate([np.full(nm + nb, -np.inf), np.full(nb, 0.02)])
    upper = np.concatenate([np.full(nm + nb, np.inf), np.full(nb, 50.0)])
    start = problem.start() if x0 is None else np.clip(x0, lower + 1e-9, upper - 1e-9)
    # Measured on the shipped evidence: quick refits land within 0.35 ECI points of a tight
    # fit (median 0.02) at a third of the cost; bootstrap intervals are several points wide.
    tolerances = (
        {"xtol": 1e-3, "ftol": 1e-4, "x_scale": "jac", "tr_options": {"atol": 1e-3, "btol": 1e-3}}
        if quick
        else {"xtol": 1e-8, "ftol": 1e-10}
    )
    result = least_squares(
        problem.residuals,
        start,
        jac=problem.jacobian,
        args=(ridge,),
        bounds=(lower, upper),
        method="trf",
        tr_solver="lsmr",
        max_nfev=max_nfev,
        **tolerances,
    )
    if result.status <= 0:
        raise FitError(f"capability fit did not converge: {result.message}")
    return result.x


def anchor_map(c: np.ndarray, i1: int, i2: int, v1: float, v2: float) -> tuple[float, float]:
    """(shift, scale) so that shift + scale * c puts model i1 at v1 and i2 at v2."""
    gap = c[i2] - c[i1]
    if not np.isfinite(gap) or abs(gap) < 1e-9:
        raise FitError(
            "capability fit did not converge: the two anchor models share one "
            "capability, so the scale is undefined"
        )
    scale = (v2 - v1) / gap
    return v1 - scale * c[i1], scale
