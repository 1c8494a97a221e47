"""One capability fit on prepared evidence, anchored on two named models, and the refits a
bootstrap replicate needs (warm-started from the full fit)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from gaptrack.compare.index.fit import ANCHORS, FitError, Problem, anchor_map, solve
from gaptrack.compare.index.prepare import Prepared, aggregate, pool_key


@dataclass
class IndexFit:
    """Anchored estimates of one fit."""

    prep: Prepared
    """The evidence it was fitted on."""
    x: np.ndarray
    """Raw parameters (the warm start of every bootstrap refit)."""
    capability: np.ndarray
    """C per model (prep.models order), on the anchored scale."""
    difficulty: np.ndarray
    """D per benchmark (prep.benchmarks order), same scale."""
    slope: np.ndarray
    """alpha per benchmark, per anchored capability unit."""
    anchor_idx: tuple[int, int]
    """Model indices of the two anchors."""
    anchors: tuple[tuple[str, float], ...]
    """The anchor models and the values they are put at."""


def anchor_indices(prep: Prepared, anchors=ANCHORS) -> tuple[int, int]:
    """Indices of the anchor models; FitError naming any that has no capability."""
    from gaptrack.compare.evidence.registry import lookup

    keys = list(prep.models["pk"])
    found = []
    for name, _ in anchors:
        # an anchor is named as people write it: the registry's version where that is
        # fitted as one model (pooled), else the name's pool key (version-level fit)
        entry = lookup(name)
        key = entry.version if entry is not None and entry.version in keys else pool_key(name)
        if key not in keys:
            raise FitError(
                f"anchor model {name!r} is not among the fitted models (it needs "
                "scores on at least two benchmarks); choose other anchors"
            )
        found.append(keys.index(key))
    return found[0], found[1]


def _problem(prep: Prepared, y: np.ndarray, weight: np.ndarray) -> Problem:
    mi, bi, best, w = aggregate(prep, y, weight)
    return Problem(mi, bi, best, len(prep.models), len(prep.benchmarks), weight=w)


def fit_index(prep: Prepared, anchors=ANCHORS) -> IndexFit:
    """The full fit: every prepared row once."""
    idx = anchor_indices(prep, anchors)
    y = prep.rows["y"].to_numpy()
    x = solve(_problem(prep, y, np.ones(len(y))))
    return _anchored(prep, x, idx, anchors)


def _anchored(prep: Prepared, x: np.ndarray, idx, anchors) -> IndexFit:
    nm, nb = len(prep.models), len(prep.benchmarks)
    c, d, a = x[:nm], x[nm : nm + nb], x[nm + nb :]
    shift, scale = anchor_map(c, idx[0], idx[1], anchors[0][1], anchors[1][1])
    return IndexFit(
        prep=prep,
        x=x,
        capability=shift + scale * c,
        difficulty=shift + scale * d,
        slope=a / scale,
        anchor_idx=idx,
        anchors=tuple(anchors),
    )


def refit(fit: IndexFit, y: np.ndarray, weight: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(capability, difficulty) of one bootstrap replicate, NaN for models left with fewer
    than two benchmarks and for benchmarks left with no rows."""
    prep = fit.prep
    problem = _problem(prep, y, weight)
    x = solve(problem, x0=fit.x, quick=True)
    nm, nb = len(prep.models), len(prep.benchmarks)
    n_bench = np.bincount(problem.m, minlength=nm)
    c, d = x[:nm].copy(), x[nm : nm + nb].copy()
    c[n_bench < 2] = np.nan
    d[np.bincount(problem.b, minlength=nb) == 0] = np.nan
    i1, i2 = fit.anchor_idx
    if np.isnan(c[i1]) or np.isnan(c[i2]):
        raise FitError("an anchor model lost its evidence in this replicate")
    shift, scale = anchor_map(c, i1, i2, fit.anchors[0][1], fit.anchors[1][1])
    return shift + scale * c, shift + scale * d
