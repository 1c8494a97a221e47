"""gaptrack's index against Epoch AI's published figures (ECI; Chinese models about 7 months
behind since 2023, between 4 and 14; first Chinese model at GPT-4's level in May 2024)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from gaptrack.compare.evidence.epochdata import eci_table, load_epoch_rows
from gaptrack.compare.index.analysis import SIDES, IndexReport, lag_summary, run_index
from gaptrack.compare.index.fit import VERSION_ANCHORS
from gaptrack.compare.index.months import first_at_level, month_grid, new_best_lags
from gaptrack.compare.index.prepare import Options, pool_key

EPOCH_PREP = Options(pool=True, min_benchmarks=4, since="2023-01-01", chance=True)
"""Epoch's data preparation: chance-rescaled, versions pooled, >= 4 benchmarks, from 2023."""
PERIOD = ("2023-01-01", "2025-12-31")
"""'Since 2023' as of Epoch's January 2026 data insight."""
GPT4 = ("GPT-4 (Mar 2023)", "GPT-4 (Jun 2023)")

TOLERANCE = {
    "spearman": 0.99,
    "average": (7.0, 2.0),
    "range": ((4.0, 2.0), (14.0, 2.0)),
    "gpt4_parity": ("2024-05", 2),
}
"""Written in the README before the figures were computed."""


@dataclass
class Agreement:
    """Rank agreement of one fit with Epoch's ECI."""

    label: str
    spearman: float
    n_common: int
    worst: pd.DataFrame
    """The largest disagreements: model, gaptrack, ECI, difference, rank difference."""


@dataclass
class EpochCheck:
    """All figures of the check, each beside Epoch's."""

    pooled: Agreement
    versions: Agreement
    report: IndexReport
    average: object
    monthly_range: tuple[float, float]
    new_best: pd.DataFrame
    parity: dict[str, tuple[str, dict[str, float]]]
    """GPT-4 version -> (first Chinese month at its level, share of replicates per month)."""
    version_average: float


def agreement(report: IndexReport, label: str, by: str, n_worst: int = 6) -> Agreement:
    """Spearman of the fit's capabilities with Epoch's ECI. `by="Model name"`: the pooled
    fit, one model per registry version, matched to the ECI rows of that version's Epoch
    model versions; else by the named column's pool key (the version-level fit)."""
    from gaptrack.compare.evidence.registry import resolve

    eci = eci_table().dropna(subset=["ECI Score"])
    if by == "Model name":
        eci["pk"] = eci["Model version"].map(
            lambda v: getattr(resolve("epoch", v), "version", None)
        )
    else:
        eci["pk"] = eci[by].astype(str).map(pool_key)
    eci = eci.dropna(subset=["pk"]).drop_duplicates("pk")[["pk", "ECI Score"]]
    ours = report.fit.prep.models.assign(capability=report.fit.capability)
    both = ours.merge(eci, on="pk")
    rho = both["capability"].corr(both["ECI Score"], method="spearman")
    both["difference"] = both["capability"] - both["ECI Score"]
    both["rank_difference"] = both["capability"].rank() - both["ECI Score"].rank()
    worst = both.reindex(both["rank_difference"].abs().sort_values(ascending=False).index)
    cols = ["model", "capability", "ECI Score", "difference", "rank_difference"]
    return Agreement(label, float(rho), len(both), worst[cols].head(n_worst))


def _parity(report: IndexReport) -> dict[str, tuple[str, dict[str, float]]]:
    models = report.fit.prep.models
    released = models["released"].to_numpy().astype("datetime64[D]")
    cn = (models["origin"] == "CN").to_numpy()
    names = list(models["model"])
    out = {}
    for name in GPT4:
        if name not in names:
            continue
        i = names.index(name)
        point = first_at_level(report.fit.capability, released, cn, report.fit.capability[i])
        dates = [first_at_level(c, released, cn, c[i]) for c in report.reps.capability]
        months = pd.Series([str(d)[:7] if not np.isnat(d) else "not yet" for d in dates])
        share = months.value_counts(normalize=True).sort_index().to_dict()
        out[name] = (str(point)[:7] if not np.isnat(point) else "not yet", share)
    return out


def run_epoch_check(n_boot: int = 100, seed: int = 0) -> EpochCheck:
    rows = load_epoch_rows()
    report = run_index(rows, EPOCH_PREP, n_boot=n_boot, seed=seed, end=PERIOD[1], sides=SIDES[:1])
    versions = run_index(
        rows,
        Options(pool=False, min_benchmarks=4, since="2023-01-01"),
        n_boot=0,
        end=PERIOD[1],
        anchors=VERSION_ANCHORS,
        sides=SIDES[:1],
    )
    models = report.fit.prep.models
    released = models["released"].to_numpy().astype("datetime64[D]")
    us, cn = (models["origin"] == "US").to_numpy(), (models["origin"] == "CN").to_numpy()
    best = new_best_lags(report.fit.capability, released, us, cn, PERIOD[0])
    best = best[best["released"] <= np.datetime64(PERIOD[1])]
    best.insert(0, "model", models["model"].to_numpy()[best["model_idx"]])
    grid = month_grid(*PERIOD)
    summary = report.summary[SIDES[0].name]
    return EpochCheck(
        pooled=agreement(report, "pooled (Epoch's preparation)", "Model name"),
        versions=agreement(versions, "plain version-level", "Model version"),
        report=report,
        average=summary["average"],
        monthly_range=(summary["min"].value, summary["max"].value),
        new_best=best.drop(columns=["model_idx"]),
        parity=_parity(report),
        version_average=lag_summary(versions.fit, versions.reps, SIDES[0], grid)["average"].value,
    )
