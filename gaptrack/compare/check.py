"""`gaptrack check` as a function: load claims and evidence and give every claim a
verdict (the caller writes them: gaptrack.publish.claim_files)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from pathlib import Path

from gaptrack.base import Frozen
from gaptrack.compare.claims import default_claims_file, load_claims
from gaptrack.compare.evidence import EvidenceKind, EvidenceRow, tier_of, verified_at_source
from gaptrack.compare.evidence.settings import not_comparable
from gaptrack.compare.evidence.sources import EvidenceRequest
from gaptrack.compare.evidence.sources import load_evidence as read_sources
from gaptrack.compare.verdicts import ClaimVerdict, evaluate_claim
from gaptrack.compare.verdicts.spec import GAP_KINDS, RowSets
from gaptrack.errors import ConfigError, did_you_mean
from gaptrack.store.store import Store
from gaptrack.store.summary import Stored


class CheckOptions(Frozen):
    """Where claims and extra evidence come from, and which of it counts."""

    claims_file: Path | None = None
    """Claims registry; None: the project's seeds/claims.yaml."""
    reported_files: list[Path] = []
    """Reported-evidence CSVs added after the shipped file and the user's imports."""
    strict: bool = False
    """Weigh only reported rows verified at their primary source (`verified` and not a
    compilation's copy, evidence/tiers.py); measured rows always count."""


class Reproduction(Frozen):
    """A model and benchmark with both a measured and a reported score."""

    model: str
    benchmark: str
    measured: float
    """gaptrack's score (percent)."""
    measured_n: int | None
    """Items behind it."""
    reported: float
    """Published score (percent)."""
    reported_source: str
    reported_id: str
    """Id of the reported row."""
    difference: float
    """measured - reported, in points: settings, item subsets and quantization differ."""


def load_evidence(
    results_dir: str | Path,
    options: CheckOptions,
    records: Iterable[Stored] | None = None,
    store: Store | None = None,
) -> list[EvidenceRow]:
    """The evidence door's typed rows (compare.evidence.sources: measured rows, from
    `records` where the caller has read the store already, with the `store` they came
    from, then the reported rows sorted by id)."""
    request = EvidenceRequest(
        results_dir=results_dir,
        reported_files=tuple(options.reported_files),
        strict=options.strict,
        records=None if records is None else list(records),
        store=store,
    )
    return read_sources(request).rows()


def check_claims(
    results_dir: str | Path,
    claim_id: str | None = None,
    options: CheckOptions | None = None,
    rows: Sequence[EvidenceRow] | None = None,
) -> list[ClaimVerdict]:
    """Evaluate every claim (or one) against measured and reported evidence. Same inputs
    give the same verdicts to the last digit: fixed bootstrap seed, sorted rows, no timestamps.
    `rows`: the evidence `load_evidence` gave for the same folder and options, where the
    caller has it already (reading it again costs a second of a report's time)."""
    options = options or CheckOptions()
    registry = load_claims(options.claims_file)
    claims = registry.claims
    if claim_id is not None:
        claims = [c for c in claims if c.id == claim_id]
        if not claims:
            known = (c.id for c in registry.claims)
            raise ConfigError(
                f"no claim {claim_id!r}; {did_you_mean(claim_id, known)}", field="--claim"
            )
    if rows is None:
        rows = load_evidence(results_dir, options)
    if not options.strict:  # --strict drops unverified rows, cited ones among them
        _check_cited(registry, rows, options.claims_file)
    row_sets = RowSets(rows)  # each (tier, model set) filtered once for every claim
    verdicts = [evaluate_claim(c, registry.document(c.document), row_sets) for c in claims]
    if options.strict:
        # the other side of the same comparison: where every row (unverified and copied
        # ones included) would give another verdict, --strict says so too
        everything = load_evidence(results_dir, options.model_copy(update={"strict": False}))
        every = RowSets(everything)
        return [_against_all(v, every) for v in verdicts]
    # Would --strict (rows verified at their primary source only) say otherwise? Then the
    # verdict rests on rows an analyst could not check at their source: say so, and do
    # not sign a supported or contradicted verdict that only such rows carry.
    strict = RowSets([r for r in rows if r.kind == EvidenceKind.MEASURED or verified_at_source(r)])
    return [_against_strict(v, strict) for v in verdicts]


def _against_strict(verdict: ClaimVerdict, strict: RowSets) -> ClaimVerdict:
    claim = verdict.claim
    if claim.statement is None or claim.statement.kind not in GAP_KINDS:
        return verdict
    other = evaluate_claim(claim, verdict.document, strict)
    if other.verdict == verdict.verdict:
        return verdict
    unchecked = sorted(
        {
            r.row_id
            for ev in verdict.evaluations
            for r in ev.rows
            if r.kind != EvidenceKind.MEASURED and not verified_at_source(r)
        }
    )
    share = other.curve.text() if other.curve else ""
    note = (
        f"with --strict (rows verified at their primary source only) the verdict would be "
        f"`{other.verdict}` ({share}): the difference rests on rows not verified at their "
        f"source ({', '.join(unchecked) or 'in other specifications'})"
    )
    label = verdict.verdict
    if label in ("supported", "contradicted"):
        note += f"; `{label}` is not signed on such rows"
        label = "inconclusive"
    return verdict.model_copy(
        update={"verdict": label, "explanation": f"{verdict.explanation}; {note}"}
    )


def _against_all(verdict: ClaimVerdict, every: RowSets) -> ClaimVerdict:
    claim = verdict.claim
    if claim.statement is None or claim.statement.kind not in GAP_KINDS:
        return verdict
    other = evaluate_claim(claim, verdict.document, every)
    if other.verdict == verdict.verdict:
        return verdict
    share = other.curve.text() if other.curve else ""
    note = (
        f"without --strict (every row, those not verified at their primary source "
        f"included) the verdict would be `{other.verdict}` ({share})"
    )
    return verdict.model_copy(update={"explanation": f"{verdict.explanation}; {note}"})


def _check_cited(registry, rows: Sequence[EvidenceRow], claims_file: Path | None) -> None:
    """Every `cited_rows` id names a loaded row: one line naming the claim's field."""
    ids = {r.row_id for r in rows}
    for i, claim in enumerate(registry.claims):
        for j, ref in enumerate(claim.cited_rows):
            if ref not in ids:
                raise ConfigError(
                    f"no evidence row {ref!r}",
                    file=claims_file or default_claims_file(),
                    field=f"claims[{i}].cited_rows[{j}]",
                )


_NOT_ALNUM = re.compile(r"[^a-z0-9]")


def _norm(name: str) -> str:
    return _NOT_ALNUM.sub("", name.lower())


def reproduction_checks(rows: Sequence[EvidenceRow]) -> list[Reproduction]:
    """Measured next to reported for the same model (gaptrack id, or name ignoring case and
    punctuation) and benchmark."""
    # Reported rows indexed by (benchmark, id or normalised name): a store of thousands of
    # records is matched in one pass, not measured x reported comparisons.
    by_key: dict[tuple[str | None, str], list[EvidenceRow]] = {}
    for r in rows:
        if r.kind == EvidenceKind.REPORTED and r.quantity == "score" and r.value is not None:
            names = {_norm(r.model), *((f"id:{r.model_id}",) if r.model_id else ())}
            for name in names:
                by_key.setdefault((r.benchmark, name), []).append(r)
    out = []
    for m in (r for r in rows if r.kind == EvidenceKind.MEASURED and r.value is not None):
        keys = {
            _norm(m.model),
            _norm(m.model_id or ""),
            *((f"id:{m.model_id}",) if m.model_id else ()),
        }
        matched = {id(r): r for key in keys for r in by_key.get((m.benchmark, key), [])}
        for r in matched.values():
            out.append(
                Reproduction(
                    model=m.model,
                    benchmark=m.benchmark,
                    measured=m.value,
                    measured_n=m.n_samples,
                    reported=r.value,
                    reported_source=r.source,
                    reported_id=r.row_id,
                    difference=m.value - r.value,
                )
            )
    return sorted(out, key=lambda x: (x.model, x.benchmark, x.reported_source, x.reported_id))


def status_share(rows: Sequence[EvidenceRow]) -> dict[str, int]:
    """Reported rows per status, each row counted once: `verified` (at its primary source),
    `compilation` (`verified` only against a compilation's copy: LLMStats, an Arena
    extraction, Epoch AI's copies), `secondary`, `unverified`."""
    counts = {"verified": 0, "compilation": 0, "secondary": 0, "unverified": 0}
    for row in rows:
        if row.kind == EvidenceKind.REPORTED:
            if row.status == "verified" and not verified_at_source(row):
                counts["compilation"] += 1
            else:
                counts[row.status] += 1
    return counts


def tier_share(rows: Sequence[EvidenceRow]) -> dict[str, int]:
    """Reported rows per source tier (evidence/tiers.py)."""
    counts = {"third_party_run": 0, "developer_reported": 0, "compilation": 0}
    for row in rows:
        if row.kind == EvidenceKind.REPORTED:
            counts[tier_of(row)] += 1
    return counts


class Excluded(Frozen):
    """A score row that no gap or index fit uses, and why."""

    row_id: str
    model: str
    benchmark: str
    value: float
    reason: str
    """E.g. `sampling best-of-N: not a single-attempt score ...` (evidence/settings.py)."""


def excluded_rows(rows: Sequence[EvidenceRow]) -> list[Excluded]:
    """Score rows left out of every gap and the index because their setting cannot be
    compared with single-attempt scores (best-of-N, majority@k, pass@k with k > 1)."""
    out = []
    for row in rows:
        reason = not_comparable(row)
        if reason:
            out.append(
                Excluded(
                    row_id=row.row_id,
                    model=row.model,
                    benchmark=row.benchmark,
                    value=row.value,
                    reason=reason,
                )
            )
    return sorted(out, key=lambda e: e.row_id)
