"""What `gaptrack leaderboard` and `gaptrack report` write, given the findings."""

from __future__ import annotations

from pathlib import Path

from gaptrack.compare.publication import Findings
from gaptrack.publish import csv_out


def write_tables(findings: Findings, out: Path) -> list[Path]:
    """leaderboard.csv, gaps.csv and claims.csv under `out`."""
    return [
        csv_out.write_leaderboard(findings.leaderboard, out),
        csv_out.write_gaps(findings.gaps, out),
        csv_out.write_claims(findings.verdicts, out),
    ]


def write_pages(findings: Findings, out: Path, index=None) -> list[Path]:
    """report.html and report.md (plots in `out`/plots); `index`: the capability index
    (compare.publication.capability_index), whose section is left out where it is None."""
    from gaptrack.publish.index_section import index_section
    from gaptrack.publish.report import write_report

    return write_report(findings, out, lambda plots: index_section(index, plots))
