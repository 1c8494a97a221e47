"""What `gaptrack check` prints: one table row per evaluation, the report figures it
recomputed, a count of verdicts, and measured scores set against reported ones."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from gaptrack.compare.check import Excluded, Reproduction
from gaptrack.compare.verdicts import ClaimVerdict
from gaptrack.publish.claim_files import claims_dir
from gaptrack.publish.claims_view import share_text

if TYPE_CHECKING:
    from gaptrack.api import CheckResult

COLUMNS = [
    "claim",
    "kind",
    "verdict",
    "specifications",
    "value",
    "interval",
    "status",
    "evidence",
    "models",
]


def _table(rows: list[dict[str, str]], columns: list[str]) -> str:
    from gaptrack.publish.rich_tables import text_table

    return text_table(columns, [[r[c] for c in columns] for r in rows])


def _fmt(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}"


def _value_text(ev) -> str:
    valued = [c for c in ev.checks if c.value is not None]
    gap_checks = [c for c in ev.checks if c.point is not None]
    if gap_checks and len(gap_checks) < len(ev.checks):  # a trend: two gaps, then change
        change = "" if ev.value is None else f" ({ev.value:+.2f})"
        return " -> ".join(_fmt(c.value) for c in gap_checks) + change
    if len(gap_checks) > 1:
        return " | ".join(_fmt(c.value) for c in gap_checks)
    if len(valued) == 1 or ev.value is not None:
        return _fmt(ev.value if ev.value is not None else valued[0].value)
    return " | ".join(_fmt(c.value) for c in valued) or "-"


def _interval_text(ev) -> str:
    shown = [ev] if ev.value is not None else [c for c in ev.checks if c.value is not None]
    if not any(x.interval for x in shown):
        return "none (below)"
    return " | ".join(
        f"[{x.interval.low:.2f}, {x.interval.high:.2f}]" if x.interval else "none" for x in shown
    )


def summary_lines(verdict: ClaimVerdict) -> list[dict[str, str]]:
    """One table row per evaluation (one for an untestable claim)."""
    claim = verdict.claim
    if not verdict.evaluations:
        blank = dict.fromkeys(COLUMNS, "-")
        return [{**blank, "claim": claim.id, "kind": claim.kind, "verdict": "untestable"}]
    return [
        {
            "claim": claim.id if i == 0 else "",
            "kind": claim.kind if i == 0 else "",
            # the claim's verdict on its first line (from its specification curve); each
            # further evaluation (measured evidence) with its own outcome beside it
            "verdict": verdict.verdict if i == 0 else f"({ev.verdict})",
            "specifications": share_text(verdict) if i == 0 else "",
            "value": _value_text(ev),
            "interval": _interval_text(ev),
            "status": ev.weakest_status or "-",
            "evidence": ev.evidence_kind,
            "models": "; ".join(ev.models) or "-",
        }
        for i, ev in enumerate(verdict.evaluations)
    ]


def _published_lines(verdicts: Sequence[ClaimVerdict]) -> list[str]:
    lines = []
    for verdict in verdicts:
        for ev in verdict.evaluations:
            for chk in ev.checks:
                pub = chk.published
                if pub is None:
                    continue
                outcome = (
                    f"not independent ({', '.join(pub.derived_rows)} derived from "
                    f"{pub.row_id}): proves nothing"
                    if not pub.independent
                    else "reproduced within rounding"
                    if pub.within_rounding
                    else "not reproduced"
                )
                lines.append(
                    f"{verdict.claim.id}: {chk.label}: computed {chk.value:.4g}, "
                    f"published {pub.value:g} -> {outcome} "
                    f"(rounding band {pub.band_low:.3f}..{pub.band_high:.3f})"
                )
    return lines


def print_check(
    verdicts: Sequence[ClaimVerdict],
    results_dir: Path,
    share: dict[str, int],
    repro: Sequence[Reproduction],
    tiers: dict[str, int] | None = None,
    excluded: Sequence[Excluded] = (),
) -> None:
    from gaptrack.publish.check_detail import print_details

    rows = [line for v in verdicts for line in summary_lines(v)]
    typer.echo(_table(rows, COLUMNS))
    print_details(verdicts)
    typer.echo("")
    for verdict in verdicts:
        for ev in verdict.evaluations:
            if ev.no_interval:
                typer.echo(
                    f"{verdict.claim.id} ({ev.evidence_kind}): no interval: {ev.no_interval}"
                )
    for line in _published_lines(verdicts):
        typer.echo(line)
    typer.echo(_counts_line(verdicts, results_dir))
    _print_shares(share, tiers)
    if excluded:
        typer.echo(
            f"left out of every gap and the index: {len(excluded)} score rows whose setting "
            "is not one attempt without tools (evidence/settings.py)"
        )
        for e in excluded:
            typer.echo(
                f"  not comparable: {e.row_id} ({e.model}, {e.benchmark} {e.value:g}): {e.reason}"
            )
    for r in repro:
        typer.echo(
            f"reproduction: {r.model} {r.benchmark}: measured {r.measured:.1f} "
            f"(n={r.measured_n}) vs reported {r.reported:.1f} "
            f"[{r.reported_id}] ({r.reported_source}): {r.difference:+.1f} pts"
        )


def _counts_line(verdicts: Sequence[ClaimVerdict], results_dir: Path) -> str:
    tested = sum(1 for v in verdicts if v.verdict != "untestable")
    counts: dict[str, int] = {}
    for v in verdicts:
        counts[v.verdict] = counts.get(v.verdict, 0) + 1
    summary = ", ".join(f"{k} {n}" for k, n in sorted(counts.items()))
    return (
        f"{len(verdicts)} claims: {tested} tested, {len(verdicts) - tested} untestable "
        f"({summary}). Details: {claims_dir(results_dir)}/<claim_id>.json"
    )


def _print_shares(share: dict[str, int], tiers: dict[str, int] | None) -> None:
    total = sum(share.values())
    typer.echo(
        f"reported evidence: {share['verified']:,} of {total:,} rows verified at their primary "
        f"source ({100 * share['verified'] / max(total, 1):.0f} %); counted apart: "
        f"{share.get('compilation', 0):,} verified only against a compilation's copy "
        f"(LLMStats, an Arena extraction, Epoch AI's copies), {share['secondary']:,} "
        f"secondary, {share['unverified']:,} unverified"
    )
    if tiers:
        typer.echo(
            "reported evidence by tier: " + ", ".join(f"{name} {n:,}" for name, n in tiers.items())
        )


DECISIVE = ("supported", "contradicted", "not reproduced", "not independent")
"""Verdicts whose claims the summary names; the others are counted."""


def print_check_summary(result: CheckResult) -> None:
    """One screen: the verdict counts, the claims with a decisive verdict by name, the
    evidence's shares, and where the details are (the claim files; --verbose prints them)."""
    import textwrap

    verdicts = result.verdicts
    typer.echo(_counts_line(verdicts, result.results_dir))
    for label in DECISIVE:
        ids = [v.claim.id for v in verdicts if v.verdict == label]
        if ids:
            typer.echo(
                textwrap.fill(
                    ", ".join(ids),
                    width=100,
                    initial_indent=f"  {label} ({len(ids)}): ",
                    subsequent_indent="    ",
                    break_on_hyphens=False,
                )
            )
    _print_shares(result.statuses, result.tiers)
    if result.excluded:
        typer.echo(
            f"left out of every gap and the index: {len(result.excluded)} score rows whose "
            "setting is not one attempt without tools (--verbose lists them)"
        )
    if result.reproductions:
        typer.echo(
            f"reproductions: {len(result.reproductions)} models measured here and reported "
            "on the same benchmark (--verbose lists them)"
        )
    typer.echo("--verbose prints every claim's evaluations, evidence and the AI Index table")


def _side_text(side) -> str:
    if side is None:
        return "-"
    released = side.released.isoformat() if side.released else "release date unknown"
    return f"{side.model} ({released}, {side.value:.1f}, {side.setting}) [{side.row_id}]"


def print_published_table(evidence) -> None:
    """The AI Index 2025 benchmark-gap table, published next to computed, with the models."""
    from gaptrack.compare.published_table import published_gap_table

    table = published_gap_table(evidence)
    if not table:
        return
    typer.echo("\nAI Index 2025 US-China benchmark gaps (points): published vs gaptrack")
    for row in table:
        computed = "-" if row.computed is None else f"{row.computed:+.1f}"
        interval = f" [{row.interval.low:+.1f}, {row.interval.high:+.1f}]" if row.interval else ""
        agree = "agrees" if row.agrees else "differs"
        typer.echo(
            f"  {row.benchmark} {row.at.isoformat()}: published {row.published:g} "
            f"[{row.published_id}], gaptrack {computed}{interval}: {agree}"
        )
        typer.echo(f"    US: {_side_text(row.us)}")
        typer.echo(f"    CN: {_side_text(row.cn)}")
        for reason in row.why:
            typer.echo(f"    why: {reason}")


def print_checked(result: CheckResult, verbose: bool = False) -> None:
    """What `gaptrack check` prints of what gaptrack.api.check found: a one-screen summary
    of every claim, or everything (`verbose`, or one claim)."""
    if not verbose and result.claim is None:
        print_check_summary(result)
        typer.echo(f"Evidence {result.sources_line}")
        return
    print_check(
        result.verdicts,
        result.results_dir,
        result.statuses,
        result.reproductions,
        result.tiers,
        result.excluded,
    )
    if result.claim is None:  # the published table is about every claim
        print_published_table(result.evidence)
    typer.echo(f"Evidence {result.sources_line}")  # the copies read: claims/sources.csv
