"""From evidence rows to the arrays of one fit: rows that cannot identify their model or
benchmark are left out (each named, with its reason), scores are chance-rescaled, versions
are pooled into models, and models on too few benchmarks are set aside with the reason."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from gaptrack.compare.evidence.frame import with_units
from gaptrack.compare.index.floors import floor_of


@dataclass
class Options:
    """How evidence becomes a fit."""

    pool: bool = True
    """Pool the names of one registry version (reasoning efforts, providers' copies, the
    same release under several sources' names) into one model; versions released on
    different dates stay apart, each with its own date. False fits every source name
    separately (the plain version-level fit), still dated by the registry."""
    min_benchmarks: int = 2
    """A model needs scores on this many distinct benchmarks to get a capability."""
    since: str | None = None
    """Keep models released on or after this date (YYYY-MM-DD)."""
    chance: bool = True
    """Rescale scores so that chance counts as zero."""
    reporters: tuple[str, ...] | None = None
    """Use only these reporters' rows (("third_party",) for the independent-only fit);
    None uses all."""


INDEX_SINCE = "2023-01-01"
"""`gaptrack index` and the report fit models released from this date, as Epoch AI's own
index does: a pre-2023 model on one side only (GPT-3.5, PaLM) would set 2023's lags by
itself (20 months where Epoch's index, starting in 2023, has none)."""


def index_options(**changes) -> Options:
    """The options of `gaptrack index` and of the report's index (one definition, so the
    report's cache digest is the one `index` wrote)."""
    return Options(since=INDEX_SINCE, **changes)


@dataclass
class Prepared:
    """The arrays and tables one fit (and its bootstrap) works on."""

    rows: pd.DataFrame
    """Usable evidence rows with `y` (rescaled fraction), `mi`, `bi` and `pair` codes."""
    models: pd.DataFrame
    """One row per fitted model: model, released, origin, open_weights, n_benchmarks."""
    benchmarks: list[str]
    """Benchmark keys in code order."""
    left_out: pd.DataFrame = field(default_factory=pd.DataFrame)
    """Rows left out: row_id and reason."""
    too_few: pd.DataFrame = field(default_factory=pd.DataFrame)
    """Models with too few benchmarks: model and n_benchmarks."""


def pool_key(name: str) -> str:
    """Model identity across sources: case, spaces and punctuation do not count."""
    return re.sub(r"[^a-z0-9.]", "", name.lower())


def _reasons(frame: pd.DataFrame) -> pd.Series:
    reason = pd.Series("", index=frame.index)
    if "excluded" in frame.columns:
        # a score not comparable with single-attempt scores (best-of-N, majority vote,
        # pass@k; evidence/settings.py): the fit takes each pair's best row, which such a
        # row would win
        excluded = frame["excluded"].fillna("").astype(str)
        reason = reason.mask(excluded != "", excluded)
    checks = [
        (frame["benchmark"].isna() | (frame["benchmark"] == ""), "no benchmark"),
        (frame["score"].isna(), "no score"),
        (frame["version"].isna() & frame["model"].isna(), "no model name"),
        (frame["released"].isna(), "no release date"),
        (frame["origin"].isna(), "no origin"),
    ]
    for mask, text in reversed(checks):
        reason = reason.mask(mask, text)
    return reason


def prepare(frame: pd.DataFrame, options: Options) -> Prepared:
    """The fit's input from the long evidence table (evidence.frame.COLUMNS)."""
    frame = with_units(frame)
    # The registry's date where it knows the version: one date per version whatever a
    # source says (a compilation's misdating, such as DeepSeek-V2.5 in May 2024, is gone).
    frame = frame.assign(released=frame["unit_released"].fillna(frame["released"]))
    reason = _reasons(frame)
    left_out = pd.DataFrame({"row_id": frame["row_id"], "reason": reason})[reason != ""]
    usable = reason == ""
    if options.reporters:
        usable &= frame["reporter"].isin(options.reporters)
    rows = frame[usable].copy()
    rows["released"] = pd.to_datetime(rows["released"])
    if options.pool:
        # One model per registry version (its name and date); a name the registry does not
        # know pools by its pool key and takes its latest row's date, so no score is ever
        # credited to a date before the release it belongs to.
        fallback = rows["model"].fillna(rows["version"]).astype(str)
        rows["key"] = rows["unit_name"].fillna(fallback).astype(str)
        rows["pk"] = rows["unit"].fillna(fallback.map(pool_key)).astype(str)
        rows["released"] = rows.groupby("pk")["released"].transform("max")
    else:
        rows["key"] = rows["version"].fillna(rows["model"]).astype(str)
        rows["pk"] = rows["key"].map(pool_key)
    if options.since:
        rows = rows[rows["released"] >= pd.Timestamp(options.since)]
    floors = rows["benchmark"].map(lambda b: floor_of(b).value) if options.chance else 0.0
    rows["floor"] = floors
    rows["y"] = ((rows["score"] - floors) / (1 - floors)).clip(0, 1)
    counts = rows.groupby("pk")["benchmark"].nunique()
    keep = counts[counts >= options.min_benchmarks].index
    too_few = (
        rows[~rows["pk"].isin(keep)]
        .groupby("pk")
        .agg(model=("key", "first"), n_benchmarks=("benchmark", "nunique"))
        .reset_index(drop=True)
    )
    rows = rows[rows["pk"].isin(keep)].reset_index(drop=True)
    models = (
        rows.groupby("pk", sort=True)
        .agg(
            model=("key", "first"),
            released=("released", "max"),
            origin=("origin", "first"),
            open_weights=("open_weights", "first"),
            n_benchmarks=("benchmark", "nunique"),
            n_rows=("y", "size"),
        )
        .reset_index()
    )
    benchmarks = sorted(rows["benchmark"].unique())
    rows["mi"] = pd.Categorical(rows["pk"], categories=models["pk"]).codes.astype(np.int64)
    rows["bi"] = pd.Categorical(rows["benchmark"], categories=benchmarks).codes.astype(np.int64)
    rows["pair"] = rows["mi"].to_numpy() * len(benchmarks) + rows["bi"].to_numpy()
    return Prepared(
        rows=rows, models=models, benchmarks=benchmarks, left_out=left_out, too_few=too_few
    )


def aggregate(prep: Prepared, y: np.ndarray, weight: np.ndarray) -> tuple[np.ndarray, ...]:
    """(model idx, bench idx, score, weight) per (model, benchmark) pair drawn at least once:
    the best score over the pair's drawn rows (as Epoch aggregates repeated runs and
    variants), weighted by how many times its rows were drawn."""
    present = weight > 0
    pairs = prep.rows["pair"].to_numpy()[present]
    best = np.full(len(prep.models) * len(prep.benchmarks), -np.inf)
    np.maximum.at(best, pairs, y[present])
    used = np.flatnonzero(np.isfinite(best))
    nb = len(prep.benchmarks)
    drawn = np.bincount(pairs, weights=weight[present], minlength=len(best))
    return used // nb, used % nb, best[used], drawn[used]
