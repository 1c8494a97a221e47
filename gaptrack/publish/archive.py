"""`gaptrack report --archive DIR`: a dated copy of each report site (DIR/DATE/, DATE the
evidence's as-of date) and DIR/index.html, which lists the copies and plots the headline
months-behind figure (with its 95 % interval) over the report dates. The figures come from
each copy's overview.json (compare.overview.Overview), so the archive page shows exactly
what each report showed. Rerunning a report of the same date replaces that date's copy."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from gaptrack.compare.overview import Number, Overview
from gaptrack.errors import GaptrackError
from gaptrack.publish.files import write_files

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
EXTRAS = ("headline.csv", "sources.csv")
"""Written beside the site by `gaptrack report` (update.figures): archived with it."""


@dataclass(frozen=True)
class Archived:
    date: str
    lead: Number | None
    problem: str


def site_files(folder: Path, written: Sequence[Path]) -> list[Path]:
    """The report's files: the pages written, the plots they show, the extras."""
    files = [Path(p) for p in written]
    shown: set[str] = set()
    for page in files:
        if page.suffix in (".html", ".md"):
            shown.update(re.findall(r"plots/([A-Za-z0-9._-]+)", page.read_text(encoding="utf-8")))
    files += [folder / "plots" / name for name in sorted(shown)]
    files += [folder / name for name in EXTRAS if (folder / name).is_file()]
    return [f for f in files if f.is_file()]


def copy_site(folder: Path, written: Sequence[Path], archive: Path) -> Path:
    """Copy the site into `archive`/DATE/; returns that folder."""
    overview = Overview.model_validate_json((folder / "overview.json").read_text())
    date = overview.as_of if _DATE.match(overview.as_of) else None
    if date is None:
        raise GaptrackError(
            f"cannot archive: the report has no as-of date ({overview.as_of!r})",
            file=folder / "overview.json",
        )
    target = archive / date
    write_files(
        {target / f.relative_to(folder): f.read_bytes() for f in site_files(folder, written)}
    )
    return target


def archived(archive: Path) -> list[Archived]:
    out = []
    for folder in sorted(p for p in archive.iterdir() if p.is_dir() and _DATE.match(p.name)):
        try:
            ov = Overview.model_validate_json((folder / "overview.json").read_text())
        except (OSError, ValueError):
            continue  # not a report copy (or from an older gaptrack): not listed
        out.append(Archived(folder.name, ov.lead(), ov.problem))
    return out


def _alt(entries: list[Archived]) -> str:
    points = [e for e in entries if e.lead is not None]
    if not points:
        return "No report in the archive has a months-behind figure."
    last = points[-1]
    return (
        f"Chart of the headline figure, months China's best model trails the US best on the "
        f"capability index, by report date: {len(points)} reports from {points[0].date} to "
        f"{last.date}, each with its 95 % interval; the latest says {last.lead.text()} months "
        f"({last.lead.tier})."
    )


def _plot(entries: list[Archived], stem: Path) -> list[Path] | None:
    from gaptrack.publish.plots import OKABE_ITO, _pyplot, date_axis, inputs_digest, save

    points = [e for e in entries if e.lead is not None and e.lead.value is not None]
    if not points:
        return None
    digest = inputs_digest("archive", [(e.date, e.lead.model_dump()) for e in points])
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(8, 3.4))
    dates = [dt.date.fromisoformat(e.date) for e in points]
    values = [e.lead.value for e in points]
    low = [
        v - (e.lead.lo if e.lead.lo is not None else v) for v, e in zip(values, points, strict=True)
    ]
    high = [
        (e.lead.hi if e.lead.hi is not None else v) - v for v, e in zip(values, points, strict=True)
    ]
    ax.errorbar(dates, values, yerr=[low, high], fmt="o-", color=OKABE_ITO["vermillion"], capsize=3)
    date_axis(ax)
    ax.set_ylabel("months behind")
    ax.set_ylim(bottom=0)
    ax.set_title("Months China trails the US, by report date (bars: 95 % interval)")
    fig.subplots_adjust(left=0.09, right=0.98, top=0.88, bottom=0.14)
    try:
        return save(fig, stem, digest)
    finally:
        plt.close(fig)


def write_archive(folder: Path, written: Sequence[Path], archive: Path) -> list[Path]:
    """Copy the report in `folder` into `archive` and rewrite the archive's index page."""
    from gaptrack import __version__
    from gaptrack.publish.site import environment

    copy_site(folder, written, archive)
    entries = archived(archive)
    plot = _plot(entries, archive / "months-behind")
    css = (Path(__file__).parent / "templates" / "site.css").read_text()
    page = (
        environment()
        .get_template("archive.html")
        .render(
            entries=list(reversed(entries)),
            plot=plot[0].name if plot else None,
            svg=plot[1].name if plot else None,
            alt=_alt(entries),
            version=__version__,
        )
    )
    return write_files({archive / "site.css": css, archive / "index.html": page})
