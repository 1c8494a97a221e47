"""A second verdict, on the capability index, for claims about a lead or a narrowing or
widening gap: the frontier gap (best US minus best Chinese capability among models released
by a date) and the months behind, each with its bootstrap interval."""

from __future__ import annotations

import numpy as np

from gaptrack.base import Frozen
from gaptrack.compare.claims import Claim, GapThreshold, GapTrend
from gaptrack.compare.dates import period_end
from gaptrack.compare.index.analysis import IndexReport
from gaptrack.compare.index.bootstrap import interval
from gaptrack.compare.index.months import best_by, lag_series


class IndexVerdict(Frozen):
    """A claim's verdict on the capability index."""

    claim_id: str
    """The claim."""
    question: str
    """What was asked of the index, in words."""
    verdict: str
    """supported, contradicted or inconclusive (the interval straddles the line)."""
    value: float
    """Frontier gap in index points (lead) or its change (trend)."""
    lo: float
    """95 % interval, low end."""
    hi: float
    """95 % interval, high end."""
    months: float | None = None
    """Months China trails at the (end) date, for context."""


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


def _decide(lo: float, hi: float, sign: int) -> str:
    """Supported when the whole interval lies on the claimed side of zero."""
    if sign * lo > 0 and sign * hi > 0:
        return "supported"
    if sign * lo < 0 and sign * hi < 0:
        return "contradicted"
    return "inconclusive"


def index_verdict(claim: Claim, report: IndexReport) -> IndexVerdict | None:
    """The verdict for a lead or trend claim; None for claims of other kinds."""
    st = claim.statement
    gap, months = _gap_fn(report)
    reps = report.reps.capability
    if isinstance(st, GapTrend):
        start, end = period_end(st.start), period_end(st.end)
        value = gap(report.fit.capability, end) - gap(report.fit.capability, start)
        boot = np.array([gap(c, end) - gap(c, start) for c in reps])
        sign = -1 if st.direction == "narrowing" else 1
        question = f"US-minus-CN frontier gap {st.direction} from {start} to {end}"
    elif isinstance(st, GapThreshold) and all(
        c.op in (">", ">=") and c.value == 0 for c in st.conditions
    ):
        end = period_end(st.conditions[-1].at)
        value = gap(report.fit.capability, end)
        boot = np.array([gap(c, end) for c in reps])
        sign, question = 1, f"US frontier ahead of CN frontier on {end}"
    else:
        return None
    lo, hi = interval(boot) if len(boot) else (np.nan, np.nan)
    return IndexVerdict(
        claim_id=claim.id,
        question=question,
        verdict=_decide(lo, hi, sign),
        value=float(value),
        lo=float(lo),
        hi=float(hi),
        months=months(end),
    )
