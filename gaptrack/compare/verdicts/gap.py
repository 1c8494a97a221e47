"""Gap statements (threshold, parity, trend): the gap between two origins' frontiers,
evaluated once per evidence kind the claim asks for."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from gaptrack.compare.claims import Claim, GapParity, GapQuantity, GapThreshold, GapTrend, Op
from gaptrack.compare.dates import period_end
from gaptrack.compare.evidence import (
    EvidenceKind,
    EvidenceRow,
    apply_editions,
    choose_editions,
)
from gaptrack.compare.gaps import GapPoint, gap_at, point_in_time
from gaptrack.compare.stats import (
    Interval,
    difference_interval,
    rounding_band,
    win_probability,
)
from gaptrack.compare.verdicts.base import (
    Check,
    Evaluation,
    PublishedGap,
    combine,
    compare,
    reported_rows,
    unique_rows,
)
from gaptrack.compare.vocabulary import BENCHMARKS

Checks = tuple[list[Check], float | None, Interval | None]
"""The checks of one statement, with the headline value and its interval."""


class _Context:
    """What every gap check needs besides the statement: the rows of one evidence kind,
    and all reported rows (where the report's own published gaps are)."""

    def __init__(
        self,
        rows: Sequence[EvidenceRow],
        kind: EvidenceKind,
        reported: Sequence[EvidenceRow],
        published_by: bool = False,
    ):
        self.rows = rows
        self.kind = kind
        self.reported = reported
        self.published_by = published_by

    def point(self, quantity: GapQuantity, at) -> GapPoint:
        rows = self.rows
        if self.published_by:  # only scores one could have read by then
            rows = [r for r in rows if r.published is None or r.published <= at]
        return gap_at(rows, quantity, at, self.kind)


def _decimals(value: float) -> int:
    text = repr(float(value))
    return 0 if text.endswith(".0") else len(text.split(".")[1]) if "." in text else 0


def _same_point(row: EvidenceRow, point: GapPoint, quantity: GapQuantity, wanted: str) -> bool:
    month = point.snapshot or point.at
    named = quantity.edition
    return (
        row.quantity == wanted
        and row.benchmark == quantity.benchmarks[0]
        and row.origin == quantity.origin_a
        and row.origin_b == quantity.origin_b
        and row.snapshot is not None
        and (row.snapshot.year, row.snapshot.month) == (month.year, month.month)
        # the edition the rows come from, or (a leaderboard claim tested on the dated
        # boards) the edition the claim names: its figure is the one to reproduce
        and (
            row.edition_label in {r.edition_label for r in point.rows}
            or (named is not None and (row.report, row.edition) == (named.report, named.edition))
        )
    )


def published_gap(
    point: GapPoint, quantity: GapQuantity, rows: Sequence[EvidenceRow]
) -> PublishedGap | None:
    """The report's own figure for the gap at this point, and whether the recomputation
    meets it within rounding."""
    if point.evidence_kind != "reported" or point.gap is None or len(quantity.benchmarks) != 1:
        return None
    wanted = "gap_rel" if quantity.unit == "relative" else "gap_abs"
    for row in rows:
        if _same_point(row, point, quantity, wanted):
            half = BENCHMARKS[quantity.benchmarks[0]].resolution / 2
            low, high = rounding_band(point.a.value, point.b.value, half, quantity.unit)
            own = 0.5 * 10 ** -_decimals(row.value)
            tainted = _derived_from(point, row.row_id, rows)
            return PublishedGap(
                value=row.value,
                row_id=row.row_id,
                source=row.source,
                band_low=low,
                band_high=high,
                within_rounding=low - own <= row.value <= high + own,
                independent=not tainted,
                derived_rows=tainted,
            )
    return None


def _derived_from(point: GapPoint, published_id: str, rows: Sequence[EvidenceRow]) -> list[str]:
    """Ids of the rows behind `point` derived, directly or through other rows, from the
    published figure `published_id`."""
    by_id = {r.row_id: r for r in rows}
    tainted = []
    for row in point.rows:
        seen, todo = set(), list(row.derived_from)
        while todo:
            ref = todo.pop()
            if ref not in seen:
                seen.add(ref)
                todo.extend(by_id[ref].derived_from if ref in by_id else ())
        if published_id in seen:
            tainted.append(row.row_id)
    return tainted


def no_interval_reason(point: GapPoint) -> str:
    """Why a gap has no interval, in words."""
    if point.gap is None:
        return point.problem or "no gap computed"
    lacking = [
        f"{r.row_id} ({r.benchmark})"
        for r in point.rows
        if getattr(r, "stderr", None) is None and getattr(r, "ci_low", None) is None
    ]
    if not lacking:
        return "the interval could not be computed (a relative gap dividing by zero)"
    return "no published error or interval, and no item count for a binomial error: " + (
        ", ".join(lacking)
    )


def _gap_check(
    point: GapPoint, label: str, decide: Callable, quantity: GapQuantity, ctx: _Context
) -> Check:
    published = published_gap(point, quantity, ctx.reported)
    if point.gap is None:
        reason = point.problem or "no gap could be computed"
        return Check(
            label=label, verdict="inconclusive", point=point, reason=reason, published=published
        )
    verdict, reason = decide(point.gap, point.interval)
    point_verdict = decide(point.gap, None)[0]
    if point.interval is None:
        verdict, reason = "inconclusive", f"no interval ({no_interval_reason(point)}); {reason}"
    if published is not None and not published.independent:
        verdict = "not independent"
        reason = (
            f"not independent: {', '.join(published.derived_rows)} derived from the "
            f"published figure {published.row_id}; {reason}"
        )
    if point.problem:
        verdict, reason = "inconclusive", f"{point.problem}; {reason}"
    return Check(
        label=label,
        verdict=verdict,
        value=point.gap,
        interval=point.interval,
        reason=reason,
        point=point,
        published=published,
        point_verdict=point_verdict,
        **_win(point, quantity),
    )


def _win(point: GapPoint, quantity: GapQuantity) -> dict:
    """A rating gap as the head-to-head win probability, with its interval's ends."""
    bench = BENCHMARKS.get(quantity.benchmarks[0])
    if bench is None or bench.scale != "elo" or quantity.unit != "points" or point.gap is None:
        return {}
    iv = point.interval
    return {
        "win_probability": win_probability(point.gap),
        "win_probability_interval": (
            (win_probability(iv.low), win_probability(iv.high)) if iv is not None else None
        ),
    }


def _unit_text(quantity: GapQuantity) -> str:
    return "%" if quantity.unit == "relative" else " pts"


def _threshold_checks(statement: GapThreshold, ctx: _Context) -> Checks:
    quantity = statement.quantity
    checks = []
    for cond in statement.conditions:
        at = period_end(cond.at)
        checks.append(
            _gap_check(
                ctx.point(quantity, at),
                f"gap at {at.isoformat()} {cond.op} {cond.value:g}{_unit_text(quantity)}",
                lambda g, i, c=cond: compare(g, i, c.op, c.value, c.tolerance),
                quantity,
                ctx,
            )
        )
    if len(checks) == 1:
        return checks, checks[0].value, checks[0].interval
    return checks, None, None


def _parity_checks(statement: GapParity, ctx: _Context) -> Checks:
    quantity = statement.quantity
    at = period_end(statement.at)
    check = _gap_check(
        ctx.point(quantity, at),
        f"|gap at {at.isoformat()}| <= {statement.within:g}{_unit_text(quantity)}",
        lambda g, i: compare(g, i, "==", 0.0, statement.within),
        quantity,
        ctx,
    )
    return [check], check.value, check.interval


def _trend_end(p: GapPoint, quantity: GapQuantity, ctx: _Context) -> Check:
    """One end of a trend: informs the change, decides nothing alone (but says where it
    rests on rows derived from the published figure it would be checked against)."""
    published = published_gap(p, quantity, ctx.reported)
    circular = published is not None and not published.independent
    return Check(
        label=f"gap at {p.at.isoformat()}",
        verdict="not independent" if circular else "inconclusive",
        value=p.gap,
        interval=p.interval,
        point=p,
        reason=p.problem or "one end of the trend: the change decides, not this gap alone",
        published=published,
        **_win(p, quantity),
    )


def _trend_checks(statement: GapTrend, ctx: _Context) -> Checks:
    quantity = statement.quantity
    start, end = period_end(statement.start), period_end(statement.end)
    first, last = ctx.point(quantity, start), ctx.point(quantity, end)
    # the per-date checks only carry the two points (usable or not); the trend check decides
    checks = [_trend_end(p, quantity, ctx) for p in (first, last)]
    if first.gap is None or last.gap is None:
        return checks, None, None
    change = last.gap - first.gap
    interval = None
    if first.interval is not None and last.interval is not None:
        interval = difference_interval((first.gap, first.interval), (last.gap, last.interval))
    op: Op = "<" if statement.direction == "narrowing" else ">"
    verdict, reason = compare(change, interval, op, 0.0)
    point_verdict = compare(change, None, op, 0.0)[0]
    if interval is None:
        missing = [no_interval_reason(p) for p in (first, last) if p.interval is None]
        verdict, reason = "inconclusive", f"no interval ({'; '.join(missing)}); {reason}"
    circular = [c.published for c in checks if c.published and not c.published.independent]
    if circular:
        verdict = "not independent"
        reason = f"not independent of the published figure {circular[0].row_id}; {reason}"
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
        point_verdict=point_verdict,
    )
    return [*checks, trend], change, interval


def _gap_notes(
    claim: Claim, kind: EvidenceKind, points: Sequence[GapPoint], used: Sequence[EvidenceRow]
) -> list[str]:
    quantity = claim.statement.quantity
    notes = []
    if kind == EvidenceKind.MEASURED:
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
        for differs in sorted({p.run_differences for p in points if p.run_differences}):
            notes.append(f"The two sides' records were not run alike ({differs}).")
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


def _pair_names(point: GapPoint) -> str:
    a = point.a.model if point.a else "-"
    b = point.b.model if point.b else "-"
    return f"{a} vs {b}"


def _decisive(checks: list[Check]) -> list[Check]:
    """A trend is decided by the change of the gap; its two ends only inform it."""
    change = [c for c in checks if c.label.startswith("change of gap")]
    return change or checks


def _evaluate_kind(claim: Claim, make_checks: Callable[..., Checks], ctx: _Context) -> Evaluation:
    quantity: GapQuantity = claim.statement.quantity
    editions = None
    # a dated gap holds only what was known on its date (gaps.point_in_time)
    ctx.rows = [r for r in ctx.rows if point_in_time(r)]
    if any(BENCHMARKS[b].leaderboard for b in quantity.benchmarks if b in BENCHMARKS):
        # tested on the dated boards themselves, never on a report's restatement of them:
        # the edition the claim names is the figure to reproduce (PublishedGap)
        editions = "dated leaderboard snapshots" + (
            f"; {quantity.edition.label()}'s own figures are the published cross-check"
            if quantity.edition
            else ""
        )
    elif ctx.kind == EvidenceKind.REPORTED:
        named = (quantity.edition.report, quantity.edition.edition) if quantity.edition else None
        choice = choose_editions(ctx.rows, named, period_end(claim.date))
        ctx.rows = apply_editions(ctx.rows, choice, exclusive=named is not None)
        editions = choice.how
    checks, value, interval = make_checks(claim.statement, ctx)
    points = [c.point for c in checks if c.point is not None]
    used = unique_rows([r for p in points for r in p.rows])
    return Evaluation(
        evidence_kind=ctx.kind,
        # a trend is decided by its last check (the change); the two ends only inform it
        verdict=combine([c.verdict for c in _decisive(checks)]),
        value=value,
        interval=interval,
        models=[f"{p.at.isoformat()}: {_pair_names(p)}" for p in points],
        checks=checks,
        editions=editions,
        notes=_gap_notes(claim, ctx.kind, points, used),
        rows=used,
    )


def _over_kinds(make_checks: Callable[..., Checks]):
    """An evaluator: the statement on each evidence kind the quantity lists."""

    def evaluate(
        claim: Claim, rows: Sequence[EvidenceRow], published_by: bool = False
    ) -> list[Evaluation]:
        quantity = claim.statement.quantity
        reported = reported_rows(rows)
        evaluations = []
        for kind in quantity.evidence:
            kind_rows = [r for r in rows if r.kind == kind]
            has_any = any(getattr(r, "benchmark", None) in quantity.benchmarks for r in kind_rows)
            if kind == EvidenceKind.MEASURED and not has_any and len(quantity.evidence) > 1:
                continue  # no store records for these benchmarks: nothing to say
            ctx = _Context(kind_rows, EvidenceKind(kind), reported, published_by)
            evaluations.append(_evaluate_kind(claim, make_checks, ctx))
        return evaluations

    return evaluate


evaluate_threshold = _over_kinds(_threshold_checks)
evaluate_parity = _over_kinds(_parity_checks)
evaluate_trend = _over_kinds(_trend_checks)
