"""`gaptrack index` end to end: the fit on all evidence, the third-party-only fit, the
self-reported comparison, the check against Epoch AI, and the comparisons with CAISI and the
"Close, But How Close?" range."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from gaptrack.compare.claims import load_claims
from gaptrack.compare.index.analysis import SIDES, Estimate, IndexReport, run_index
from gaptrack.compare.index.cache import inputs_digest
from gaptrack.compare.index.epochcheck import EpochCheck, run_epoch_check
from gaptrack.compare.index.headline import HeadlineFigure, headline_figures, headline_report
from gaptrack.compare.index.inputs import load_all
from gaptrack.compare.index.months import lag_series
from gaptrack.compare.index.prepare import INDEX_SINCE, index_options
from gaptrack.compare.index.selfreport import SelfReport, self_vs_third
from gaptrack.compare.verdicts.base import ClaimVerdict
from gaptrack.compare.verdicts.index import index_verdict
from gaptrack.errors import GaptrackError

CAISI_DATE = "2026-05-01"
"""NIST CAISI's evaluation of DeepSeek V4 Pro (about 8 months behind the US frontier)."""


@dataclass
class IndexOutcome:
    """What `gaptrack index` prints and writes."""

    report: IndexReport
    """The fit on all evidence, with its bootstrap."""
    third_party: IndexReport | None
    """The same fit on third-party rows only (point estimates)."""
    self_report: SelfReport
    epoch: EpochCheck | None
    caisi: Estimate | None
    """CN-behind-US months on CAISI_DATE, with interval (None where no data reach it)."""
    n_rows: int
    """Evidence rows read (before any was left out)."""
    claims: list[ClaimVerdict]
    """Second verdicts, on this index, for the claims about a lead or a trend (the one
    verdict type: verdicts.index)."""
    inputs_digest: str
    """What `report` is fitted from (index.cache): kept beside the CSVs for it."""
    headline: list[HeadlineFigure] | None = None
    """The headline figures (index.headline: third-party runs, >= 4 benchmarks, from
    2023) with the all-evidence ones beside them."""


def lag_on(report: IndexReport, date: str) -> Estimate | None:
    """Months CN trails the US on one date, with interval."""
    models = report.fit.prep.models
    released = models["released"].to_numpy().astype("datetime64[D]")
    origin = models["origin"].astype(str).to_numpy()
    when = np.array([np.datetime64(date, "D")])

    def one(cap):
        return lag_series(cap, released, origin == "US", origin == "CN", when)[0]

    point = one(report.fit.capability)
    boot = np.array([one(c) for c in report.reps.capability])
    if np.isnan(point):
        return None
    lo, hi = np.nanpercentile(boot, [2.5, 97.5]) if np.isfinite(boot).any() else (np.nan,) * 2
    return Estimate(float(point), float(lo), float(hi))


def _index_verdicts(
    report: IndexReport, claims_file: str | Path | None, seed: int
) -> list[ClaimVerdict]:
    registry = load_claims(claims_file)
    return [
        v
        for c in registry.claims
        if c.statement is not None
        and (v := index_verdict(c, registry.document(c.document), report, seed)) is not None
    ]


def run(
    results_dir: str | Path | None,
    reported_files: Iterable[str | Path] = (),
    n_boot: int = 100,
    seed: int = 0,
    epoch_check: bool = True,
    claims_file: str | Path | None = None,
) -> IndexOutcome:
    frame = load_all(results_dir, reported_files)
    options = index_options()
    report = run_index(frame, options, n_boot=n_boot, seed=seed, start=INDEX_SINCE)
    third = run_index(
        frame,
        index_options(reporters=("third_party",)),
        n_boot=0,
        start=INDEX_SINCE,
        sides=SIDES[:1],
    )
    try:
        head = headline_figures(headline_report(frame, n_boot, seed), report)
    except GaptrackError:
        head = None  # too few third-party models: the all-evidence figures stand alone
    return IndexOutcome(
        report=report,
        third_party=third,
        self_report=self_vs_third(frame),
        epoch=run_epoch_check(n_boot=n_boot, seed=seed) if epoch_check else None,
        caisi=lag_on(report, CAISI_DATE),
        n_rows=len(frame),
        claims=_index_verdicts(report, claims_file, seed),
        inputs_digest=inputs_digest(frame, n_boot, seed, options),
        headline=head,
    )
