"""Months behind: on each date, the best capability among side B's models released by then,
and how long before that date side A first reached it. Pure numpy so that every bootstrap
replicate gets its own series."""

from __future__ import annotations

import numpy as np
import pandas as pd

DAYS_PER_MONTH = 365.25 / 12


def month_grid(start: str, end: str) -> np.ndarray:
    """Month ends from start to end inclusive, as datetime64[D]."""
    return pd.date_range(start, end, freq="ME").to_numpy().astype("datetime64[D]")


def first_reached(cap: np.ndarray, released: np.ndarray, level: np.ndarray) -> np.ndarray:
    """For each level, the earliest release date of a model with capability >= level
    (NaT where none has reached it). Models with NaN capability are ignored."""
    ok = np.isfinite(cap)
    cap, released = cap[ok], released[ok]
    order = np.argsort(released, kind="stable")
    running = np.maximum.accumulate(cap[order]) if len(order) else np.array([])
    pos = np.searchsorted(running, level, side="left")
    out = np.full(len(level), np.datetime64("NaT"), dtype="datetime64[D]")
    hit = pos < len(running)
    out[hit] = released[order][pos[hit]]
    return out


def best_by(cap: np.ndarray, released: np.ndarray, dates: np.ndarray) -> tuple[np.ndarray, ...]:
    """(best capability, index of the model holding it) among models released by each date;
    NaN / -1 before the first model."""
    ok = np.flatnonzero(np.isfinite(cap))
    order = ok[np.argsort(released[ok], kind="stable")]
    if not len(order):
        return np.full(len(dates), np.nan), np.full(len(dates), -1)
    running = np.maximum.accumulate(cap[order])
    # index of the running best: the last position where the running max increased
    holder = order[np.maximum.accumulate(np.where(cap[order] >= running, np.arange(len(order)), 0))]
    pos = np.searchsorted(released[order], dates, side="right") - 1
    best = np.where(pos >= 0, running[np.maximum(pos, 0)], np.nan)
    who = np.where(pos >= 0, holder[np.maximum(pos, 0)], -1)
    return best, who


def lag_series(
    cap: np.ndarray, released: np.ndarray, side_a: np.ndarray, side_b: np.ndarray, dates: np.ndarray
) -> np.ndarray:
    """Months by which side B trails side A on each date: NaN before B has a model, and where A
    has never reached B's best (B leads on that date)."""
    best_b, _ = best_by(np.where(side_b, cap, np.nan), released, dates)
    reached = first_reached(np.where(side_a, cap, np.nan), released, best_b)
    # A's model must be out by the date itself; a later one does not make B trail yet.
    reached = np.where(reached <= dates, reached, np.datetime64("NaT"))
    lag = (dates - reached).astype(float) / DAYS_PER_MONTH
    return np.where(np.isnat(reached), np.nan, lag)


def new_best_lags(
    cap: np.ndarray, released: np.ndarray, side_a: np.ndarray, side_b: np.ndarray, since
) -> pd.DataFrame:
    """At each release from `since` that sets a new best for side B: that model, its date
    and how many months earlier side A first reached its capability."""
    idx = np.flatnonzero(side_b & np.isfinite(cap))
    idx = idx[np.argsort(released[idx], kind="stable")]
    running, rows = -np.inf, []
    for i in idx:
        if cap[i] > running:
            running = cap[i]
            if released[i] >= np.datetime64(since, "D"):
                rows.append(i)
    rows = np.array(rows, dtype=int)
    reached = first_reached(np.where(side_a, cap, np.nan), released, cap[rows])
    lag = (released[rows] - reached).astype(float) / DAYS_PER_MONTH
    return pd.DataFrame({"model_idx": rows, "released": released[rows], "lag": lag})


def first_at_level(cap: np.ndarray, released: np.ndarray, side: np.ndarray, level: float):
    """Release date of side's first model at or above level (NaT if none)."""
    return first_reached(np.where(side, cap, np.nan), released, np.array([level]))[0]
