"""Claims about a lead or a narrowing or widening gap, tested a second time on the
capability index: the frontier gap (best US minus best Chinese capability among models
released by a date) or its change, with the bootstrap interval of the index's fit. The
verdict is a ClaimVerdict like every other (verdicts.base): the same vocabulary, the same
interval fields, the same comparison (`compare`), and in `explanation` what would change
it."""

from __future__ import annotations

import math

import numpy as np

from gaptrack.compare.claims import Claim, Document, GapThreshold, GapTrend
from gaptrack.compare.dates import period_end
from gaptrack.compare.index.analysis import IndexReport
from gaptrack.compare.index.bootstrap import interval
from gaptrack.compare.index.months import best_by, lag_series
from gaptrack.compare.stats import Interval, IntervalMethod
from gaptrack.compare.verdicts.base import Check, ClaimVerdict, Evaluation, Label, compare


def _gap_fn(report: IndexReport):
    models = report.fit.prep.models
    released = models["released"].to_numpy().astype("datetime64[D]")
    origin = models["origin"].astype(str).to_numpy()
    us, cn = origin == "US", origin == "CN"

    def gap(cap: np.ndarray, date) -> float:
        when = np.array([np.datetime64(date, "D")])
        return (
            best_by(np.where(us, cap, np.nan), released, when)[0][0]
            - best_by(np.where(cn, cap, np.nan), released, when)[0][0]
        )

    def months(date) -> float:
        when = np.array([np.datetime64(date, "D")])
        return float(lag_series(report.fit.capability, released, us, cn, when)[0])

    return gap, months


def _what_would_change(label: Label, op: str, band: Interval | None, point: Label) -> str:
    """The verdict, why, and what evidence would turn it."""
    side = "above" if op == ">" else "below"
    if band is None:
        return (
            f"inconclusive: no interval (no bootstrap replicate gave a value; the point value "
            f"alone says {point}); replicates that reach both frontiers (--boot) would decide it"
        )
    where = f"the 95 % interval [{band.low:+.1f}, {band.high:+.1f}] index points"
    if label == "supported":
        return (
            f"supported: {where} lies wholly {side} 0; evidence that brought its near end "
            "to 0 (a stronger model of the other side by that date, or fewer behind this "
            "one) would make it inconclusive"
        )
    if label == "contradicted":
        return (
            f"contradicted: {where} lies wholly on the other side of 0; evidence that "
            "brought its near end to 0 would make it inconclusive"
        )
    return (
        f"inconclusive: {where} straddles 0; evidence that narrowed it to one side of 0 "
        "(more models or benchmarks near both frontiers on that date) would decide it"
    )


def index_verdict(
    claim: Claim, document: Document, report: IndexReport, seed: int | None = None
) -> ClaimVerdict | None:
    """The verdict for a lead or trend claim on the index; None for claims of other kinds.
    `seed`: the bootstrap's, for the interval's method."""
    st = claim.statement
    gap, months = _gap_fn(report)
    reps = report.reps.capability
    if isinstance(st, GapTrend):
        start, end = period_end(st.start), period_end(st.end)
        value = gap(report.fit.capability, end) - gap(report.fit.capability, start)
        boot = np.array([gap(c, end) - gap(c, start) for c in reps])
        op = "<" if st.direction == "narrowing" else ">"
        question = f"US-minus-CN frontier gap {st.direction} from {start} to {end}"
    elif isinstance(st, GapThreshold) and all(
        c.op in (">", ">=") and c.value == 0 for c in st.conditions
    ):
        end = period_end(st.conditions[-1].at)
        value = gap(report.fit.capability, end)
        boot = np.array([gap(c, end) for c in reps])
        op, question = ">", f"US frontier ahead of CN frontier on {end}"
    else:
        return None
    lo, hi = interval(boot) if len(boot) else (np.nan, np.nan)
    method = IntervalMethod(kind="index_bootstrap", resamples=len(boot), seed=seed)
    band = (
        Interval(low=float(lo), high=float(hi), method=method)
        if math.isfinite(lo) and math.isfinite(hi)
        else None
    )
    point = compare(float(value), None, op, 0.0)[0]
    label, reason = compare(float(value), band, op, 0.0)
    no_interval = None if band else "no bootstrap replicate gave a value"
    if band is None:
        label, reason = "inconclusive", f"no interval ({no_interval}); {reason}"
    behind = months(end)
    notes = [] if math.isnan(behind) else [f"CN {behind:.1f} months behind"]
    check = Check(
        label=question,
        verdict=label,
        value=float(value),
        interval=band,
        reason=reason,
        no_interval=no_interval,
        point_verdict=point,
    )
    evaluation = Evaluation(
        evidence_kind=None,
        verdict=label,
        value=float(value),
        interval=band,
        checks=[check],
        notes=notes,
        no_interval=no_interval,
    )
    return ClaimVerdict(
        claim=claim,
        document=document,
        verdict=label,
        evaluations=[evaluation],
        explanation=_what_would_change(label, op, band, point),
    )
