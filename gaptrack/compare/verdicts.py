"""Claim + evidence -> verdict: supported, contradicted, inconclusive (interval straddles
the claimed value, or evidence missing, stale or thin), or untested (no statement)."""

from __future__ import annotations

import datetime as dt
import statistics
from collections.abc import Sequence
from typing import Literal

from gaptrack.base import Frozen
from gaptrack.compare.benchmarks import BENCHMARKS
from gaptrack.compare.claims import (
    Cadence,
    Claim,
    Document,
    EventDate,
    FigureCheck,
    GapParity,
    GapQuantity,
    GapThreshold,
    GapTrend,
    Op,
)
from gaptrack.compare.dates import period_end, period_start
from gaptrack.compare.evidence import EvidenceRow, apply_editions, choose_editions
from gaptrack.compare.gaps import GapPoint, gap_at
from gaptrack.compare.stats import Interval, difference_interval, rounding_band

Label = Literal["supported", "contradicted", "inconclusive", "untested"]
Kind = Literal["measured", "reported"]

APPROXIMATE_MARGIN = 0.05
"""An approximate figure ("about 400") this close (relative) to the claimed value decides
nothing."""
MIN_CADENCE_INTERVALS = 3


class PublishedGap(Frozen):
    """A gap the report itself publishes, set against the one recomputed from its scores."""

    value: float
    """Published gap."""
    row_id: str
    """Evidence row of the published gap."""
    source: str
    """Its source."""
    band_low: float
    """Lowest gap the recomputation gives with each score off by half its printed step."""
    band_high: float
    """Highest such gap."""
    within_rounding: bool
    """The published value (+- half its own last digit) meets that band."""


class Check(Frozen):
    """One comparison the statement makes (one condition, one date, one figure)."""

    label: str
    """What was compared, e.g. `gap at 2024-01-31 > 9`."""
    verdict: Label
    """Outcome of this comparison."""
    value: float | None = None
    """Computed value."""
    interval: Interval | None = None
    """Its 95 % interval; None where the evidence publishes no uncertainty."""
    reason: str
    """Why this outcome, in words."""
    point: GapPoint | None = None
    """The gap behind a gap comparison (models, snapshot, method, McNemar test)."""
    published: PublishedGap | None = None
    """The report's own figure for the same gap, where one is in the evidence."""


class Evaluation(Frozen):
    """A statement evaluated on one kind of evidence."""

    evidence_kind: Kind
    """`measured` (gaptrack's store) or `reported` (published figures)."""
    verdict: Label
    """Combined outcome of the checks: any contradicted -> contradicted; all supported ->
    supported; otherwise inconclusive."""
    value: float | None = None
    """Headline value: the single check's value, or the change of the gap for a trend."""
    interval: Interval | None = None
    """Interval of the headline value."""
    models: list[str] = []
    """Models behind the value (A vs B per date, or releases counted)."""
    checks: list[Check] = []
    """The individual comparisons."""
    editions: str | None = None
    """Report editions used and why."""
    notes: list[str] = []
    """Where the evidence measures something other than the claim, or less of it."""
    rows: list[EvidenceRow] = []
    """Exactly the evidence rows used."""


class ClaimVerdict(Frozen):
    """A claim with its verdict and the evidence behind it: the file under results/claims."""

    claim: Claim
    """The claim as registered."""
    document: Document
    """Its source document."""
    verdict: Label
    """The verdict of the first evaluation in the claim's order of preference."""
    evidence_kind: Kind | None = None
    """Evidence kind of that evaluation."""
    evaluations: list[Evaluation] = []
    """One per evidence kind evaluated."""


# ---------------------------------------------------------------- comparisons


def compare(
    value: float, interval: Interval | None, op: Op, target: float, tolerance: float = 0.0
) -> tuple[Label, str]:
    """Decide `value op target`: with an interval, only an interval wholly on one side
    decides; without one, the point value decides (and the caller says so)."""
    if op == "==":
        low_t, high_t = target - tolerance, target + tolerance
        if interval is None:
            ok = low_t <= value <= high_t
            return (
                "supported" if ok else "contradicted",
                f"{value:.4g} is {'within' if ok else 'outside'} {target:g} +- {tolerance:g}",
            )
        if low_t <= interval.low and interval.high <= high_t:
            return "supported", f"interval inside {target:g} +- {tolerance:g}"
        if interval.high < low_t or interval.low > high_t:
            return "contradicted", f"interval outside {target:g} +- {tolerance:g}"
        return "inconclusive", f"interval overlaps the edge of {target:g} +- {tolerance:g}"
    holds = {
        "<": value < target,
        "<=": value <= target,
        ">": value > target,
        ">=": value >= target,
    }[op]
    if interval is None:
        return (
            "supported" if holds else "contradicted",
            f"{value:.4g} {op if holds else 'not ' + op} {target:g} (point value)",
        )
    lo, hi = interval.low, interval.high
    sure = {"<": hi < target, "<=": hi <= target, ">": lo > target, ">=": lo >= target}[op]
    refuted = {"<": lo >= target, "<=": lo > target, ">": hi <= target, ">=": hi < target}[op]
    if sure:
        return "supported", f"whole interval [{lo:.3g}, {hi:.3g}] {op} {target:g}"
    if refuted:
        return "contradicted", f"whole interval [{lo:.3g}, {hi:.3g}] fails {op} {target:g}"
    return "inconclusive", f"interval [{lo:.3g}, {hi:.3g}] straddles {target:g}"


def combine(labels: Sequence[Label]) -> Label:
    if not labels:
        return "inconclusive"
    if "contradicted" in labels:
        return "contradicted"
    if all(label == "supported" for label in labels):
        return "supported"
    return "inconclusive"


def _agree(labels: Sequence[Label]) -> Label:
    """Several independent sources for one figure: a verdict only when they agree."""
    if labels and all(label == labels[0] for label in labels):
        return labels[0]
    return "inconclusive"


def _decimals(value: float) -> int:
    text = repr(float(value))
    return 0 if text.endswith(".0") else len(text.split(".")[1]) if "." in text else 0


def _unique_rows(rows: Sequence[EvidenceRow]) -> list[EvidenceRow]:
    seen: dict[str, EvidenceRow] = {}
    for row in rows:
        seen.setdefault(row.row_id, row)
    return sorted(seen.values(), key=lambda r: r.row_id)


# ---------------------------------------------------------------- gaps


def _published_gap(
    point: GapPoint, quantity: GapQuantity, rows: Sequence[EvidenceRow]
) -> PublishedGap | None:
    if point.evidence_kind != "reported" or point.gap is None or len(quantity.benchmarks) != 1:
        return None
    wanted = "gap_rel" if quantity.unit == "percent" else "gap_abs"
    month = point.snapshot or point.at
    editions = {r.edition_label for r in point.rows}
    for row in rows:
        if (
            row.quantity == wanted
            and row.benchmark == quantity.benchmarks[0]
            and row.origin == quantity.origin_a
            and row.origin_b == quantity.origin_b
            and row.snapshot
            and (row.snapshot.year, row.snapshot.month) == (month.year, month.month)
            and row.edition_label in editions
            and row.value is not None
        ):
            half = BENCHMARKS[quantity.benchmarks[0]].resolution / 2
            low, high = rounding_band(point.a.value, point.b.value, half, quantity.unit)
            own = 0.5 * 10 ** -_decimals(row.value)
            within = low - own <= row.value <= high + own
            return PublishedGap(
                value=row.value,
                row_id=row.row_id,
                source=row.source,
                band_low=low,
                band_high=high,
                within_rounding=within,
            )
    return None


def _gap_check(point: GapPoint, label: str, decide) -> Check:
    if point.gap is None:
        return Check(
            label=label,
            verdict="inconclusive",
            point=point,
            reason=point.problem or "no gap could be computed",
        )
    verdict, reason = decide(point.gap, point.interval)
    if point.problem:
        verdict, reason = "inconclusive", f"{point.problem}; {reason}"
    return Check(
        label=label,
        verdict=verdict,
        value=point.gap,
        interval=point.interval,
        reason=reason,
        point=point,
    )


def _pair_names(point: GapPoint) -> str:
    a = point.a.model if point.a else "-"
    b = point.b.model if point.b else "-"
    return f"{a} vs {b}"


def _unit_text(quantity: GapQuantity) -> str:
    return "%" if quantity.unit == "percent" else " pts"


def _evaluate_gap(
    claim: Claim, rows: Sequence[EvidenceRow], kind: Kind, all_reported: Sequence[EvidenceRow]
) -> Evaluation:
    statement = claim.statement
    quantity: GapQuantity = statement.quantity
    editions = None
    if kind == "reported":
        named = (quantity.edition.report, quantity.edition.edition) if quantity.edition else None
        choice = choose_editions(rows, named, period_end(claim.date))
        rows = apply_editions(rows, choice, exclusive=named is not None)
        editions = choice.how
    unit = _unit_text(quantity)
    checks: list[Check] = []
    value = interval = None
    if isinstance(statement, GapThreshold):
        for cond in statement.conditions:
            at = period_end(cond.at)
            point = gap_at(rows, quantity, at, kind)
            check = _gap_check(
                point,
                f"gap at {at.isoformat()} {cond.op} {cond.value:g}{unit}",
                lambda g, i, c=cond: compare(g, i, c.op, c.value, c.tolerance),
            )
            checks.append(
                check.model_copy(
                    update={"published": _published_gap(point, quantity, all_reported)}
                )
            )
        if len(checks) == 1:
            value, interval = checks[0].value, checks[0].interval
    elif isinstance(statement, GapParity):
        at = period_end(statement.at)
        point = gap_at(rows, quantity, at, kind)
        check = _gap_check(
            point,
            f"|gap at {at.isoformat()}| <= {statement.within:g}{unit}",
            lambda g, i: compare(g, i, "==", 0.0, statement.within),
        )
        checks.append(
            check.model_copy(update={"published": _published_gap(point, quantity, all_reported)})
        )
        value, interval = check.value, check.interval
    else:
        checks, value, interval = _trend_checks(statement, rows, kind, all_reported)
    verdict = combine([c.verdict for c in checks])
    points = [c.point for c in checks if c.point is not None]
    used = _unique_rows([r for p in points for r in p.rows])
    models = [f"{p.at.isoformat()}: {_pair_names(p)}" for p in points]
    notes = _gap_notes(claim, quantity, kind, points, used)
    return Evaluation(
        evidence_kind=kind,
        verdict=verdict,
        value=value,
        interval=interval,
        models=models,
        checks=checks,
        editions=editions,
        notes=notes,
        rows=used,
    )


def _trend_checks(
    statement: GapTrend,
    rows: Sequence[EvidenceRow],
    kind: Kind,
    all_reported: Sequence[EvidenceRow],
) -> tuple[list[Check], float | None, Interval | None]:
    quantity = statement.quantity
    start, end = period_end(statement.start), period_end(statement.end)
    first, last = gap_at(rows, quantity, start, kind), gap_at(rows, quantity, end, kind)
    # the per-date checks only carry the two points (usable or not); the trend check decides
    checks = [
        Check(
            label=f"gap at {p.at.isoformat()}",
            verdict="inconclusive" if p.problem or p.gap is None else "supported",
            value=p.gap,
            interval=p.interval,
            point=p,
            reason=p.problem or "gap computed",
            published=_published_gap(p, quantity, all_reported),
        )
        for p in (first, last)
    ]
    if first.gap is None or last.gap is None:
        return checks, None, None
    change = last.gap - first.gap
    interval = None
    if first.interval is not None and last.interval is not None:
        interval = difference_interval((first.gap, first.interval), (last.gap, last.interval))
    op: Op = "<" if statement.direction == "narrowing" else ">"
    verdict, reason = compare(change, interval, op, 0.0)
    if first.problem or last.problem:
        verdict = "inconclusive"
        reason = "; ".join(p.problem for p in (first, last) if p.problem) + f"; {reason}"
    trend = Check(
        label=f"change of gap {start.isoformat()} -> {end.isoformat()} {op} 0 "
        f"({statement.direction})",
        verdict=verdict,
        value=change,
        interval=interval,
        reason=reason,
    )
    return [*checks, trend], change, interval


def _gap_notes(
    claim: Claim,
    quantity: GapQuantity,
    kind: Kind,
    points: Sequence[GapPoint],
    used: Sequence[EvidenceRow],
) -> list[str]:
    notes = []
    if kind == "measured":
        models = sorted({r.model for r in used})
        notes.append(
            "Measured evidence covers only the models in gaptrack's store ("
            + ", ".join(models)
            + "), not the frontier of either origin; the "
            "verdict is about these models and these items only."
        )
        quantized = sorted({r.model for r in used if r.note.startswith("quantized")})
        if quantized:
            notes.append("Quantized weights: " + ", ".join(quantized) + ".")
    if claim.source_measure and claim.source_measure not in quantity.benchmarks:
        notes.append(
            f"The claim's source measured {claim.source_measure}; this evaluation "
            f"uses {' + '.join(quantity.benchmarks)}, a different measure."
        )
    if any(p.uncertainty == "none published" and p.gap is not None for p in points):
        notes.append(
            "Reported figures without published uncertainty: the verdict rests on "
            "point values (interval None)."
        )
    indirect = sorted(
        {f"{r.model} ({r.source_kind})" for r in used if r.source_kind in ("secondary", "derived")}
    )
    if indirect:
        notes.append("Secondary or derived rows used: " + "; ".join(indirect) + ".")
    return notes


# ---------------------------------------------------------------- other statements


def _evaluate_cadence(statement: Cadence, rows: Sequence[EvidenceRow]) -> Evaluation:
    start, end = period_start(statement.start), period_end(statement.end)
    per_family: dict[str, dict[dt.date, EvidenceRow]] = {}
    for row in sorted(rows, key=lambda r: (r.quantity != "release", r.row_id)):
        if (
            row.family in statement.families
            and row.origin == statement.origin
            and row.released is not None
            and start <= row.released <= end
        ):
            per_family.setdefault(row.family, {}).setdefault(row.released, row)
    intervals: list[int] = []
    models = []
    for family in sorted(per_family):
        dates = sorted(per_family[family])
        intervals += [(b - a).days for a, b in zip(dates, dates[1:], strict=False)]
        models += [f"{per_family[family][d].model} ({d.isoformat()})" for d in dates]
    used = _unique_rows([r for fam in per_family.values() for r in fam.values()])
    label = f"median days between releases {statement.op} {statement.days:g}"
    if len(intervals) < MIN_CADENCE_INTERVALS:
        check = Check(
            label=label,
            verdict="inconclusive",
            reason=f"only {len(intervals)} release intervals in the evidence",
        )
        return Evaluation(
            evidence_kind="reported",
            verdict="inconclusive",
            checks=[check],
            models=models,
            rows=used,
        )
    median = float(statistics.median(intervals))
    verdict, reason = compare(median, None, statement.op, statement.days)
    check = Check(
        label=label,
        verdict=verdict,
        value=median,
        reason=f"{reason}; intervals (days): {sorted(intervals)}",
    )
    notes = [
        "Release dates carry no uncertainty, but which releases count as an iteration "
        "is a choice: the evidence lists major releases of each family."
    ]
    return Evaluation(
        evidence_kind="reported",
        verdict=verdict,
        value=median,
        checks=[check],
        models=models,
        notes=notes,
        rows=used,
    )


def _evaluate_figure(statement: FigureCheck, rows: Sequence[EvidenceRow]) -> Evaluation:
    start, end = period_start(statement.start), period_end(statement.end)
    used = [
        r
        for r in rows
        if r.quantity == "figure"
        and r.benchmark == statement.figure
        and r.model == statement.subject
        and r.snapshot is not None
        and start <= r.snapshot <= end
        and r.value is not None
    ]
    used = _unique_rows(used)
    checks = []
    for row in used:
        label = (
            f"{statement.figure} per {row.source} ({row.snapshot.isoformat()}) "
            f"{statement.op} {statement.value:g}"
        )
        verdict, reason = compare(row.value, None, statement.op, statement.value)
        close = abs(row.value - statement.value) <= APPROXIMATE_MARGIN * abs(statement.value)
        if row.approximate and close:
            verdict = "inconclusive"
            reason = (
                f"the source gives an approximate {row.value:g}, within "
                f"{APPROXIMATE_MARGIN:.0%} of the claimed {statement.value:g}"
            )
        checks.append(Check(label=label, verdict=verdict, value=row.value, reason=reason))
    if not checks:
        checks = [
            Check(
                label=f"{statement.figure} {statement.op} {statement.value:g}",
                verdict="inconclusive",
                reason="no reported figure in the period",
            )
        ]
    verdict = _agree([c.verdict for c in checks])
    notes = [r.note for r in used if r.note]
    return Evaluation(
        evidence_kind="reported",
        verdict=verdict,
        value=checks[0].value if len(checks) == 1 else None,
        checks=checks,
        models=[statement.subject],
        notes=notes,
        rows=used,
    )


def _evaluate_event(statement: EventDate, rows: Sequence[EvidenceRow]) -> Evaluation:
    low = period_start(statement.at) - dt.timedelta(days=statement.tolerance_days)
    high = period_end(statement.at) + dt.timedelta(days=statement.tolerance_days)
    if statement.event == "release":
        used = [
            r
            for r in rows
            if r.quantity == "release" and r.model == statement.subject and r.released is not None
        ]
        dated = sorted({(r.released, r.row_id) for r in used})
    else:
        used = [
            r
            for r in rows
            if r.quantity == "event"
            and r.benchmark == statement.event
            and r.model == statement.subject
        ]
        dated = sorted({(r.snapshot, r.row_id) for r in used})
    used = _unique_rows(used)
    by_id = {r.row_id: r for r in used}
    checks = []
    for when, row_id in dated:
        inside = low <= when <= high
        checks.append(
            Check(
                label=f"{statement.event} of {statement.subject} in {low.isoformat()}.."
                f"{high.isoformat()}",
                verdict="supported" if inside else "contradicted",
                reason=f"{by_id[row_id].source} dates it {when.isoformat()}",
            )
        )
    if not checks:
        checks = [
            Check(
                label=f"{statement.event} of {statement.subject}",
                verdict="inconclusive",
                reason="no dated evidence",
            )
        ]
    notes = sorted({r.note for r in used if r.note})
    return Evaluation(
        evidence_kind="reported",
        verdict=_agree([c.verdict for c in checks]),
        checks=checks,
        models=[statement.subject],
        notes=notes,
        rows=used,
    )


# ---------------------------------------------------------------- entry point


def evaluate_claim(claim: Claim, document: Document, rows: Sequence[EvidenceRow]) -> ClaimVerdict:
    """Verdict of one claim on all evidence rows (measured and reported together)."""
    statement = claim.statement
    base = {"claim": claim, "document": document}
    if statement is None:
        return ClaimVerdict(**base, verdict="untested")
    reported = [r for r in rows if r.kind == "reported"]
    evaluations: list[Evaluation] = []
    if isinstance(statement, (GapThreshold, GapParity, GapTrend)):
        quantity = statement.quantity
        for kind in quantity.evidence:
            kind_rows = [r for r in rows if r.kind == kind]
            has_any = any(r.benchmark in quantity.benchmarks for r in kind_rows)
            if kind == "measured" and not has_any and len(quantity.evidence) > 1:
                continue  # no store records for these benchmarks: nothing to say
            evaluations.append(_evaluate_gap(claim, kind_rows, kind, reported))
    elif isinstance(statement, Cadence):
        evaluations.append(_evaluate_cadence(statement, reported))
    elif isinstance(statement, FigureCheck):
        evaluations.append(_evaluate_figure(statement, reported))
    else:
        evaluations.append(_evaluate_event(statement, reported))
    first = evaluations[0]
    return ClaimVerdict(
        **base, verdict=first.verdict, evidence_kind=first.evidence_kind, evaluations=evaluations
    )
