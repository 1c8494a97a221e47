"""An index page for a folder of dated reports (reports/2026-12-06/, one per weekly
`gaptrack update && gaptrack report --out reports/DATE`): a link to each report and the
headline months-behind figure (with its 95 % interval) plotted over the dates.

    python -m gaptrack.update.dated reports/

Reads each report folder's headline.csv (written by `gaptrack report`); writes
reports/index.html, reports/index.md and reports/months_behind.png."""

from __future__ import annotations

import csv
import datetime as dt
import html
import re
import sys
from pathlib import Path

from gaptrack.base import Frozen
from gaptrack.publish.files import write_if_changed
from gaptrack.update.figures import HEADLINE_CSV, MONTHS_BEHIND

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


class DatedReport(Frozen):
    date: str
    folder: str
    months: float | None = None
    lo: float | None = None
    hi: float | None = None
    month: str = ""


def _num(text: str) -> float | None:
    try:
        return float(text) if text else None
    except ValueError:
        return None


def dated_reports(root: Path) -> list[DatedReport]:
    out = []
    for folder in sorted(p for p in Path(root).iterdir() if p.is_dir() and _DATE.match(p.name)):
        if not (folder / "report.html").is_file():
            continue
        entry = DatedReport(date=folder.name, folder=folder.name)
        headline = folder / HEADLINE_CSV
        if headline.is_file():
            with open(headline, newline="", encoding="utf-8") as fh:
                for row in csv.DictReader(fh):
                    if row.get("figure") == MONTHS_BEHIND:
                        entry = DatedReport(
                            date=folder.name,
                            folder=folder.name,
                            months=_num(row["value"]),
                            lo=_num(row["lo"]),
                            hi=_num(row["hi"]),
                            month=row.get("at", ""),
                        )
        out.append(entry)
    return out


def _plot(entries: list[DatedReport], path: Path) -> Path | None:
    points = [e for e in entries if e.months is not None]
    if not points:
        return None
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    plt.rcParams["svg.hashsalt"] = "gaptrack"
    dates = [dt.date.fromisoformat(e.date) for e in points]
    values = [e.months for e in points]
    fig, ax = plt.subplots(figsize=(7, 3.2))
    lows = [e.months - e.lo if e.lo is not None else 0 for e in points]
    highs = [e.hi - e.months if e.hi is not None else 0 for e in points]
    ax.errorbar(dates, values, yerr=[lows, highs], fmt="o-", color="#D55E00", capsize=3)
    ax.set_ylabel("months CN behind US")
    ax.set_title("Capability index: months China trails, by report date (95 % interval)")
    ax.grid(alpha=0.3)
    fig.autofmt_xdate()
    fig.tight_layout()
    fig.savefig(path, dpi=100, metadata={"Software": None})
    plt.close(fig)
    return path


def write_index(root: str | Path) -> list[Path]:
    root = Path(root)
    entries = dated_reports(root)
    plot = _plot(entries, root / "months_behind.png")
    rows_md, rows_html = [], []
    for e in reversed(entries):
        fig = (
            f"{e.months:.1f} [{e.lo:.1f}, {e.hi:.1f}] ({e.month})"
            if e.months is not None and e.lo is not None and e.hi is not None
            else ("none" if e.months is None else f"{e.months:.1f} ({e.month})")
        )
        rows_md.append(f"| [{e.date}]({e.folder}/report.html) | {fig} |")
        rows_html.append(
            f'<tr><td><a href="{html.escape(e.folder)}/report.html">{e.date}</a></td>'
            f"<td>{html.escape(fig)}</td></tr>"
        )
    title = "gaptrack: dated reports"
    md = [f"# {title}", ""]
    if plot:
        md += ["![months CN behind US over report dates](months_behind.png)", ""]
    md += ["| report | months CN behind US (latest month) |", "| --- | --- |", *rows_md]
    page = (
        f"<!doctype html><html><head><meta charset='utf-8'><title>{title}</title></head>"
        f"<body><h1>{title}</h1>"
        + ('<img src="months_behind.png" alt="months CN behind US">' if plot else "")
        + "<table><tr><th>report</th><th>months CN behind US (latest month)</th></tr>"
        + "".join(rows_html)
        + "</table></body></html>\n"
    )
    written = [
        write_if_changed(root / "index.html", page),
        write_if_changed(root / "index.md", "\n".join(md) + "\n"),
    ]
    return written + ([plot] if plot else [])


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1 or not Path(args[0]).is_dir():
        print("usage: python -m gaptrack.update.dated REPORTS_FOLDER", file=sys.stderr)
        return 2
    for path in write_index(Path(args[0])):
        print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
