"""CSV writers: every CSV gaptrack publishes, each with a fixed column order (documented
in results/README.md). Cells are plain numbers (no exponent, at most 4 decimals), ISO
dates, `true`/`false`, or empty for missing: `pandas.read_csv(path)` needs no options.
Text that a spreadsheet would take for a formula gets a quote in front (csv_safe)."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable, Sequence
from pathlib import Path

from gaptrack.compare.gap_table import GapRow
from gaptrack.compare.leaderboard import Leaderboard
from gaptrack.compare.stats import win_probability
from gaptrack.compare.verdicts import ClaimVerdict
from gaptrack.compare.vocabulary import BENCHMARKS
from gaptrack.publish.claims_view import ClaimLine, claim_line
from gaptrack.publish.csv_safe import safe_text
from gaptrack.publish.files import write_files

LEADERBOARD_HEAD = [
    "id",
    "name",
    "origin",
    "organisation",
    "released",
    "params_b",
    "size_class",
    "variant",
    "open_weights",
    "quantization",
]
"""First columns of leaderboard.csv; then `<benchmark>` and `<benchmark>_se` per
benchmark, then LEADERBOARD_TAIL."""
LEADERBOARD_TAIL = ["suite_mean", "rank", "evidence", "keys"]

GAP_COLUMNS = [
    "benchmark",
    "date",
    "origin_a",
    "origin_b",
    "pool",
    "evidence",
    "tier",
    "model_a",
    "released_a",
    "score_a",
    "model_b",
    "released_b",
    "score_b",
    "gap",
    "gap_low",
    "gap_high",
    "gap_rel",
    "gap_rel_low",
    "gap_rel_high",
    "win_prob",
    "win_prob_low",
    "win_prob_high",
    "uncertainty",
    "method",
    "snapshot",
    "problem",
    "run_differences",
]

CLAIM_COLUMNS = [
    "claim",
    "document",
    "date",
    "quote",
    "kind",
    "tested",
    "verdict",
    "specifications",
    "value",
    "ci_low",
    "ci_high",
    "evidence",
    "status",
    "models",
    "checks",
]


def cell(value: object, digits: int = 4) -> str:
    """One CSV cell: the only place publish/ turns a value into CSV text."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        text = f"{value:.{digits}f}".rstrip("0").rstrip(".")
        return "0" if text in ("-0", "") else text
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, str):
        return safe_text(value)  # text only: a negative number stays a number
    return str(value)


def to_csv(columns: Sequence[str], rows: Iterable[dict[str, object]], digits: int = 4) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([cell(row.get(c), digits) for c in columns])
    return buffer.getvalue()


def leaderboard_columns(board: Leaderboard) -> list[str]:
    per_bench = [c for b in board.benchmarks for c in (b, f"{b}_se")]
    return [*LEADERBOARD_HEAD, *per_bench, *LEADERBOARD_TAIL]


def leaderboard_rows(board: Leaderboard) -> list[dict[str, object]]:
    rows = []
    for e in board.entries:
        row: dict[str, object] = {c: getattr(e, c) for c in LEADERBOARD_HEAD}
        for bench, score in e.scores.items():
            row[bench] = score.value
            row[f"{bench}_se"] = score.stderr
        row.update(suite_mean=e.suite_mean, rank=e.rank, evidence=e.evidence)
        row["keys"] = ";".join(e.keys)
        rows.append(row)
    return rows


def gap_rows(gaps: Iterable[GapRow]) -> list[dict[str, object]]:
    rows = []
    for g in gaps:
        iv, rel = g.interval, g.interval_rel
        bench = BENCHMARKS.get(g.benchmark)
        elo = bench is not None and bench.scale == "elo"
        if elo:
            # a percentage of a rating depends on where the scale is anchored; the points
            # and the head-to-head win probability do not
            g = g.model_copy(update={"gap_rel": None})
            rel = None
        rows.append(
            {
                "benchmark": g.benchmark,
                "date": g.at,
                "origin_a": g.origin_a,
                "origin_b": g.origin_b,
                "pool": g.pool,
                "evidence": g.evidence,
                "tier": g.tier,
                "model_a": g.a.model,
                "released_a": g.a.released,
                "score_a": g.a.value,
                "model_b": g.b.model,
                "released_b": g.b.released,
                "score_b": g.b.value,
                "gap": g.gap,
                "gap_low": iv.low if iv else None,
                "gap_high": iv.high if iv else None,
                "gap_rel": g.gap_rel,
                "gap_rel_low": rel.low if rel else None,
                "gap_rel_high": rel.high if rel else None,
                "win_prob": win_probability(g.gap) if elo else None,
                "win_prob_low": win_probability(iv.low) if elo and iv else None,
                "win_prob_high": win_probability(iv.high) if elo and iv else None,
                "uncertainty": g.uncertainty,
                "method": iv.method.text if iv else None,
                "snapshot": g.snapshot,
                "problem": g.problem,
                "run_differences": g.run_differences or None,
            }
        )
    return rows


def claim_rows(verdicts: Iterable[ClaimVerdict]) -> list[dict[str, object]]:
    lines: list[ClaimLine] = [claim_line(v) for v in verdicts]
    return [line.model_dump() for line in lines]


def leaderboard_csv(board: Leaderboard) -> str:
    return to_csv(leaderboard_columns(board), leaderboard_rows(board))


def gaps_csv(gaps: Sequence[GapRow]) -> str:
    return to_csv(GAP_COLUMNS, gap_rows(gaps))


def claims_csv(verdicts: Sequence[ClaimVerdict]) -> str:
    return to_csv(CLAIM_COLUMNS, claim_rows(verdicts))


def write_leaderboard(board: Leaderboard, out: Path) -> Path:
    return write_files({out / "leaderboard.csv": leaderboard_csv(board)})[0]


def write_gaps(gaps: Sequence[GapRow], out: Path) -> Path:
    return write_files({out / "gaps.csv": gaps_csv(gaps)})[0]


MARKER_COLUMNS = [*GAP_COLUMNS, "marker"]


def gap_markers_csv(markers: Sequence[GapRow]) -> str:
    rows = [{**row, "marker": m.marker} for row, m in zip(gap_rows(markers), markers, strict=True)]
    return to_csv(MARKER_COLUMNS, rows)


def write_gap_markers(markers: Sequence[GapRow], out: Path) -> Path:
    """gap_markers.csv: the figures kept out of gaps.csv's point-in-time series (a report's
    derived or later-recomputed ratings), each with its label; never joined to a series."""
    return write_files({out / "gap_markers.csv": gap_markers_csv(markers)})[0]


def write_claims(verdicts: Sequence[ClaimVerdict], out: Path) -> Path:
    return write_files({out / "claims.csv": claims_csv(verdicts)})[0]
