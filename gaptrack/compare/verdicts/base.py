"""What every evaluator produces (checks, evaluations, the claim's verdict) and the
comparisons they share."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

from gaptrack.base import Frozen
from gaptrack.compare.claims import Claim, Document, Op
from gaptrack.compare.evidence import EvidenceKind, EvidenceRow
from gaptrack.compare.gaps import GapPoint
from gaptrack.compare.stats import Interval
from gaptrack.update.active import UsedCopy

Label = Literal[
    "supported",
    "contradicted",
    "not reproduced",
    "not independent",
    "inconclusive",
    "untestable",
]
"""The one verdict vocabulary of every claim kind (README, "How gaptrack decides"):

* `supported` / `contradicted`: the claim holds (fails) under at least SHARE_DECIDES of the
  defensible analysis choices (its specification curve), each with an interval clearing
  the threshold;
* `not reproduced`: the claim restates a figure computed by someone else (the AI Index's
  benchmark gaps) and gaptrack's data gives another value; the verdict names the models
  each side used and the analysis choice that explains the difference;
* `not independent`: the only evidence is the claim's own citation or figures derived from
  it: agreeing with it proves nothing;
* `inconclusive`: intervals straddle the threshold, or the specifications disagree, or the
  evidence is missing, stale or thin;
* `untestable`: no statement can be tested (the claim says why)."""
DECIDED: frozenset[str] = frozenset({"supported", "contradicted"})


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
    independent: bool = True
    """False where a row behind the recomputation is derived from the published figure
    (directly or through other rows): then the comparison cannot fail and proves nothing."""
    derived_rows: list[str] = []
    """Ids of the rows derived from the published figure, where not independent."""


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
    no_interval: str | None = None
    """Why `interval` is None, where it is."""
    point_verdict: Label | None = None
    """What the point value alone says (supported or contradicted), whatever the interval:
    shown beside the verdict where the interval is missing or straddles."""
    win_probability: float | None = None
    """Rating gaps (Elo): the chance A's answer is preferred to B's head to head,
    1 / (1 + 10^(-gap / 400)); None for other gaps."""
    win_probability_interval: tuple[float, float] | None = None
    """The same at the two ends of the gap's interval (the map is monotone)."""


class Evaluation(Frozen):
    """A statement evaluated on one kind of evidence."""

    evidence_kind: EvidenceKind | None
    """`measured` (gaptrack's store) or `reported` (published figures); None on the
    capability index (verdicts.index), which is fitted on every kind together."""
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
    weakest_status: str | None = None
    """The weakest status of the rows used (`unverified` < `secondary` < `verified`;
    measured rows count as verified); None where no row was used."""
    no_interval: str | None = None
    """Why the headline value has no interval, where it has none."""


ModelSet = Literal["all", "open_weights", "non_reasoning", "as_stated", "as_stated_non_reasoning"]
TierChoice = Literal["third_party", "all"]
Board = Literal["style_controlled", "plain"]
SHARE_DECIDES = 0.8
"""A claim is supported (contradicted) only where at least this share of the specifications
with evidence support (contradict) it, each with an interval clearing the threshold: the
"large majority" of a specification curve (Simonsohn, Simmons & Nelson 2020)."""


class Specification(Frozen):
    """One defensible way to test a claim: each field is one analysis choice."""

    model_set: ModelSet = "all"
    """Models each side may field: `all`; `open_weights` (both sides); `non_reasoning`
    (reasoning models left out, per the model registry); `as_stated` where the claim fixes
    open weights itself (and `as_stated_non_reasoning`)."""
    tier: TierChoice = "all"
    """Evidence rows: `third_party` runs only (evidence.tiers), or `all` tiers."""
    board: Board | None = None
    """Leaderboard claims: LMArena's `style_controlled` board or the `plain` one."""
    date_rule: str = "stated"
    """`stated`: the statement's dates (fixed test sets: models released by then;
    leaderboards: the latest snapshot by then); `published`: only scores also published by
    then; otherwise the name of the claim's `date_reading`."""
    threshold: float | None = None
    """The threshold this specification reads a vague word with (claim.vague)."""

    def label(self) -> str:
        parts = [
            f"models {self.model_set.replace('_', ' ')}",
            f"tier {self.tier.replace('_', '-')}",
        ]
        if self.board:
            parts.append(f"board {self.board.replace('_', '-')}")
        parts.append(f"dates {self.date_rule}")
        if self.threshold is not None:
            parts.append(f"threshold {self.threshold:g}")
        return ", ".join(parts)


SpecResult = Literal["supported", "contradicted", "not independent", "inconclusive", "no evidence"]


class SpecOutcome(Frozen):
    """The claim under one specification."""

    spec: Specification
    """The choices."""
    outcome: SpecResult
    """`supported` / `contradicted` only with intervals clearing the threshold; `no
    evidence` where a gap could not be computed (a side without models, no board)."""
    point_outcome: SpecResult | None = None
    """What the point values alone say (where the outcome is inconclusive for want of an
    interval, or because it straddles)."""
    value: float | None = None
    """Headline value (the single gap, or the change of the gap)."""
    values: list[float | None] = []
    """Every decisive check's value, in the statement's order."""
    intervals: list[tuple[float, float] | None] = []
    """Every decisive check's 95 % interval, in the same order."""
    point_outcomes: list[str] = []
    """Every decisive check's point-value outcome, in the same order."""
    labels: list[str] = []
    """Every decisive check's label (`gap at 2024-12-31 == 0.3 +- 2 pts`)."""
    interval: tuple[float, float] | None = None
    """Its 95 % interval."""
    models: list[str] = []
    """Models behind each gap (`date: A vs B`)."""
    reason: str = ""
    """The decisive checks' reasons, `;`-joined."""


class SpecCurve(Frozen):
    """Every specification of a claim and its outcome; the verdict's share."""

    outcomes: list[SpecOutcome]
    """One per specification, in order of preference (the main one first among those with
    evidence)."""
    main: int | None
    """Index of the main specification (the preferred one with evidence), None if none."""
    evaluated: int
    """Specifications with evidence."""
    supported: int
    """Of them, supported (intervals clearing)."""
    contradicted: int
    """Of them, contradicted."""
    point_supported: int
    """Of them, supported by the point values alone."""

    @property
    def share_supported(self) -> float | None:
        return self.supported / self.evaluated if self.evaluated else None

    @property
    def share_contradicted(self) -> float | None:
        return self.contradicted / self.evaluated if self.evaluated else None

    def text(self) -> str:
        """`10 of 12 specifications support (83 %), 1 contradict; points: 11 of 12`."""
        if not self.evaluated:
            return f"no specification has evidence ({len(self.outcomes)} tried)"
        no = len(self.outcomes) - self.evaluated
        return (
            f"{self.supported} of {self.evaluated} specifications support "
            f"({100 * self.supported / self.evaluated:.0f} %), {self.contradicted} contradict"
            f"; on point values {self.point_supported} of {self.evaluated} support"
            + (f"; {no} without evidence" if no else "")
        )


class ClaimVerdict(Frozen):
    """A claim with its verdict and the evidence behind it: the file under results/claims."""

    claim: Claim
    """The claim as registered."""
    document: Document
    """Its source document."""
    verdict: Label
    """The verdict of the first evaluation in the claim's order of preference."""
    evidence_kind: EvidenceKind | None = None
    """Evidence kind of that evaluation."""
    weakest_status: str | None = None
    """Weakest status of the evidence behind the deciding evaluation."""
    evaluations: list[Evaluation] = []
    """One per evidence kind evaluated, under the main specification."""
    curve: SpecCurve | None = None
    """Every specification tried and its outcome (None for an untestable claim and for a
    verdict on the capability index, verdicts.index)."""
    explanation: str | None = None
    """Why this verdict, in words: the share, and for `not reproduced` which models each
    side used and which choice explains the difference; on the capability index, what
    evidence would change it."""
    copies: list[UsedCopy] = []
    """The source copies its evidence rows were read from (shipped or fetched by
    `gaptrack update`: source, sha256, date, URL, files), so one claim file says which
    files to fetch to check it; set when the claim files are written."""


def compare(
    value: float, interval: Interval | None, op: Op, target: float, tolerance: float = 0.0
) -> tuple[Label, str]:
    """Decide `value op target`: with an interval, only an interval wholly on one side
    decides; without one, the point value decides (and the caller says so)."""
    if op == "==":
        return _compare_equal(value, interval, target, tolerance)
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


def _compare_equal(
    value: float, interval: Interval | None, target: float, tolerance: float
) -> tuple[Label, str]:
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


def combine(labels: Sequence[Label]) -> Label:
    """All conditions of one statement: one failing fails it; one that only the claim's
    own source can speak to makes the whole `not independent`."""
    if not labels:
        return "inconclusive"
    if "contradicted" in labels:
        return "contradicted"
    if "not independent" in labels:
        return "not independent"
    if all(label == "supported" for label in labels):
        return "supported"
    return "inconclusive"


def agree(labels: Sequence[Label]) -> Label:
    """Several independent sources for one figure: a verdict only when they agree."""
    if labels and all(label == labels[0] for label in labels):
        return labels[0]
    return "inconclusive"


def unique_rows(rows: Sequence[EvidenceRow]) -> list[EvidenceRow]:
    seen: dict[str, EvidenceRow] = {}
    for row in rows:
        seen.setdefault(row.row_id, row)
    return sorted(seen.values(), key=lambda r: r.row_id)


def reported_rows(rows: Sequence[EvidenceRow]) -> list[EvidenceRow]:
    return [r for r in rows if r.kind == EvidenceKind.REPORTED]
