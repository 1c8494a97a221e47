"""The per-claim block `gaptrack check` prints under its table: the quote, the verdict,
the value with its unit and interval, and the evidence rows behind it (id, model, value,
source), so every id printed can be looked up in the evidence files."""

from __future__ import annotations

import textwrap
from collections.abc import Sequence

import typer

from gaptrack.compare.verdicts import ClaimVerdict, Evaluation
from gaptrack.compare.vocabulary import FIGURES

MAX_ROWS = 6
"""Evidence rows shown per evaluation; the claim's JSON file holds them all."""


def unit_of(verdict: ClaimVerdict) -> str:
    """The unit of a claim's value, in words."""
    statement = verdict.claim.statement
    kind = getattr(statement, "kind", None)
    if kind in ("gap_threshold", "gap_parity", "gap_trend"):
        unit = statement.quantity.unit
        return "% of side B's score" if unit == "relative" else "points"
    if kind == "cadence":
        return "days"
    if kind == "figure":
        return FIGURES[statement.figure].description
    return ""


def _row_line(row) -> str:
    value = getattr(row, "value", None)
    shown = f"{value:g}" if value is not None else "-"
    when = getattr(row, "snapshot", None) or getattr(row, "released", None)
    date = f" ({when.isoformat()})" if when else ""
    return f"      {row.row_id}: {row.model} {shown}{date} [{row.source}]"


def _win_text(check) -> str:
    """A rating gap as the head-to-head win probability of side A's model."""
    if check.win_probability is None:
        return ""
    iv = check.win_probability_interval
    span = f" [{iv[0]:.3f}, {iv[1]:.3f}]" if iv else ""
    return f"; head-to-head win probability {check.win_probability:.3f}{span}"


def _evaluation_lines(ev: Evaluation, unit: str) -> list[str]:
    head = f"  {ev.evidence_kind}: {ev.verdict}"
    if ev.value is not None:
        head += f"; value {ev.value:.2f} {unit}".rstrip()
        if ev.interval:
            iv = ev.interval
            head += f", 95% interval [{iv.low:.2f}, {iv.high:.2f}] ({iv.method.text})"
        else:
            head += ", no interval (the evidence publishes no uncertainty)"
    elif unit:
        head += f" (values in {unit})"
    lines = [head]
    lines += [f"    {c.label}: {c.verdict} ({c.reason}){_win_text(c)}" for c in ev.checks]
    lines += [_row_line(r) for r in ev.rows[:MAX_ROWS]]
    if len(ev.rows) > MAX_ROWS:
        lines.append(f"      (+{len(ev.rows) - MAX_ROWS} more rows in the claim's file)")
    return lines


def detail_lines(verdict: ClaimVerdict) -> list[str]:
    claim = verdict.claim
    quote = textwrap.shorten(" ".join(claim.quote.split()), 160, placeholder=" ...")
    lines = [f'{claim.id} ({verdict.document.publisher}): "{quote}" -> {verdict.verdict}']
    if verdict.explanation:
        lines.append(f"  why: {verdict.explanation}")
    for ev in verdict.evaluations:
        lines += _evaluation_lines(ev, unit_of(verdict))
    return lines


def print_details(verdicts: Sequence[ClaimVerdict]) -> None:
    for verdict in verdicts:
        if verdict.evaluations:
            typer.echo("")
            for line in detail_lines(verdict):
                typer.echo(line)
