"""Claim -> verdict: the evaluator of each statement kind, looked up in one table. A new
claim kind is a statement class in claims.py, one evaluator function, and one entry here."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from gaptrack.compare.claims import STATEMENT_TAGS, Claim, Document
from gaptrack.compare.evidence import EvidenceRow, source_status
from gaptrack.compare.verdicts.base import Check, ClaimVerdict, Evaluation
from gaptrack.compare.verdicts.cadence import evaluate_cadence
from gaptrack.compare.verdicts.event import evaluate_event
from gaptrack.compare.verdicts.figure import evaluate_figure
from gaptrack.compare.verdicts.gap import (
    evaluate_parity,
    evaluate_threshold,
    evaluate_trend,
    no_interval_reason,
)
from gaptrack.compare.verdicts.spec import (
    RowSets,
    curve_of,
    run_spec,
    specifications,
    verdict_from,
)

Evaluator = Callable[..., list[Evaluation]]
"""Evaluations of a claim's statement, in the claim's order of preference (first decides),
from all evidence rows (measured and reported); gap evaluators also take `published_by`
(the specification curve's date rule)."""

EVALUATORS: dict[str, Evaluator] = {
    "gap_threshold": evaluate_threshold,
    "gap_parity": evaluate_parity,
    "gap_trend": evaluate_trend,
    "cadence": evaluate_cadence,
    "figure": evaluate_figure,
    "event": evaluate_event,
}

if set(EVALUATORS) != STATEMENT_TAGS:  # a statement kind without an evaluator fails at import
    raise RuntimeError(f"statement kinds without evaluator: {STATEMENT_TAGS ^ set(EVALUATORS)}")


def evaluate_claim(
    claim: Claim,
    document: Document,
    rows: Sequence[EvidenceRow] | RowSets,
) -> ClaimVerdict:
    """Verdict of one claim on all evidence rows (measured and reported together), from
    its specification curve (verdicts.spec). `rows`: a RowSets shared by the claims of one
    run saves filtering the same rows per claim."""
    base = {"claim": claim, "document": document}
    if claim.statement is None:
        return ClaimVerdict(**base, verdict="untestable", explanation=claim.untestable_reason)
    row_sets = rows if isinstance(rows, RowSets) else RowSets(rows)
    evaluator = EVALUATORS[claim.statement.kind]
    outcomes, chosen = [], None
    for spec in specifications(claim):
        outcome, evaluations = run_spec(claim, spec, row_sets, evaluator)
        outcomes.append(outcome)
        if chosen is None and outcome.outcome != "no evidence":
            chosen = evaluations  # the main specification: the first with evidence
    if chosen is None:  # nothing anywhere: show why on every tier, all models
        specs = specifications(claim)
        widest = next((s for s in specs if s.tier == "all"), specs[0])
        chosen = run_spec(claim, widest, row_sets, evaluator)[1]
    evaluations = [finish(ev) for ev in chosen]
    if claim.cited_rows:
        evaluations = [own_source(ev, claim, row_sets.rows) for ev in evaluations]
    return verdict_from(claim, document, evaluations, curve_of(outcomes))


def _ancestors(row: EvidenceRow, by_id: dict[str, EvidenceRow]) -> set[str]:
    """Ids of every row `row` was derived from, directly or through other rows."""
    seen: set[str] = set()
    todo = list(row.derived_from)
    while todo:
        ref = todo.pop()
        if ref not in seen:
            seen.add(ref)
            todo.extend(by_id[ref].derived_from if ref in by_id else ())
    return seen


def own_source(ev: Evaluation, claim: Claim, rows: Sequence[EvidenceRow]) -> Evaluation:
    """`not independent` where every row the evaluation rests on is the claim's own
    citation (`cited_rows`) or derived from it: a figure agreeing with the source the
    claim quotes shows the claim quotes it faithfully, not that it is true."""
    if not ev.rows:
        return ev
    cited = set(claim.cited_rows)
    by_id = {r.row_id: r for r in rows if r.derived_from or r.row_id in cited}
    own = [r.row_id for r in ev.rows if r.row_id in cited or _ancestors(r, by_id) & cited]
    if len(own) < len(ev.rows):
        return ev
    note = (
        f"not independent: the only evidence ({', '.join(own)}) is the claim's own "
        f"citation or derived from it; it would have been `{ev.verdict}` had it been "
        "independent evidence"
    )
    return ev.model_copy(update={"verdict": "not independent", "notes": [note, *ev.notes]})


_EXACT = "an exact published figure: no sampling error to propagate"
_STATUS_ORDER = {"unverified": 0, "secondary": 1, "verified": 2}


def _check_reason(check: Check) -> str:
    if check.point is not None:
        return no_interval_reason(check.point)
    if check.value is None:
        return "a date or an absence compared with the claim: no value to put an interval on"
    return _EXACT


def finish(ev: Evaluation) -> Evaluation:
    """Say, for every value without an interval, why; and state the weakest status of the
    rows the evaluation rests on."""
    checks = [
        c if c.interval is not None else c.model_copy(update={"no_interval": _check_reason(c)})
        for c in ev.checks
    ]
    lacking = [c.no_interval for c in checks if c.no_interval]
    no_interval = lacking[0] if ev.interval is None and lacking else None
    # at the primary source: a compilation copy verified only in the copy is `secondary`
    statuses = [source_status(r) for r in ev.rows]
    weakest = min(statuses, key=_STATUS_ORDER.__getitem__, default=None)
    return ev.model_copy(
        update={"checks": checks, "no_interval": no_interval, "weakest_status": weakest}
    )
