"""What `gaptrack leaderboard` and `gaptrack report` write, given the findings: the
writers, one per output format, in one table (WRITERS)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from gaptrack.compare.publication import Findings
from gaptrack.publish import csv_out
from gaptrack.publish.files import write_files


def write_tables(findings: Findings, out: Path) -> list[Path]:
    """leaderboard.csv, gaps.csv, gap_markers.csv and claims.csv under `out`, as one
    batch: a failure leaves the old files, never a mix (publish.files)."""
    return write_files(
        {
            out / "leaderboard.csv": csv_out.leaderboard_csv(findings.leaderboard),
            out / "gaps.csv": csv_out.gaps_csv(findings.gaps),
            out / "gap_markers.csv": csv_out.gap_markers_csv(findings.gap_markers),
            out / "claims.csv": csv_out.claims_csv(findings.verdicts),
        }
    )


def start_figures(findings: Findings, out: Path):
    """Start drawing the report's gap figures in `out`/plots in worker processes, so the
    caller can compute the capability index meanwhile; pass the result to write_pages."""
    from gaptrack.publish.plots import GapFigures

    return GapFigures(findings.gaps, out / "plots", findings.gap_markers)


def write_site(
    findings: Findings, out: Path, index=None, figures=None, headline=None
) -> list[Path]:
    """The report site (publish.site; plots in `out`/plots): report.html (the overview)
    and report.md first, then every other file written. `index`: the capability index
    (compare.publication.capability_index), whose figures are left out where it is None;
    `figures`: what start_figures returned, if called; `headline`: the index's headline
    figures (compare.publication.index_headline) for the overview's top."""
    from gaptrack.publish.report import write_report

    return write_report(findings, out, index, figures, headline=headline)


def write_pages(
    findings: Findings, out: Path, index=None, figures=None, headline=None
) -> list[Path]:
    """write_site, returning report.html and report.md only."""
    return write_site(findings, out, index, figures, headline)[:2]


def archive_site(folder: Path, written: list[Path], archive: Path) -> list[Path]:
    """`report --archive DIR`: a dated copy of the site and DIR's index page."""
    from gaptrack.publish.archive import write_archive

    return write_archive(folder, written, archive)


@dataclass(frozen=True)
class Extras:
    """What a writer may use beyond the findings (each None where not computed)."""

    index: Any = None
    """The capability index (compare.publication.capability_index)."""
    figures: Any = None
    """The gap figures start_figures is drawing."""
    headline: list | None = None
    """The index's headline figures (compare.publication.index_headline)."""


def _csv(findings: Findings, out: Path, extras: Extras) -> list[Path]:
    return write_tables(findings, out)


def _site(findings: Findings, out: Path, extras: Extras) -> list[Path]:
    return write_site(findings, out, extras.index, extras.figures, extras.headline)


Writer = Callable[[Findings, Path, Extras], list[Path]]

WRITERS: dict[str, Writer] = {
    "csv": _csv,  # leaderboard.csv, gaps.csv, gap_markers.csv, claims.csv
    "site": _site,  # report.html and the site's pages, report.md, plots/
}
"""Output format -> writer. A new format is one function and one entry here; the API
names the formats each command writes (`leaderboard`: csv; `report`: site)."""


def write_formats(
    formats: Sequence[str], findings: Findings, out: Path, extras: Extras | None = None
) -> list[Path]:
    """Every file the named formats write under `out`, in the order of `formats`."""
    extras = extras or Extras()
    return [path for name in formats for path in WRITERS[name](findings, out, extras)]
