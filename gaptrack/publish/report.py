"""`gaptrack report`: the findings as one self-contained HTML page (styles inline, plots
embedded) and the same content as Markdown, plots beside them in `plots/`."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from gaptrack.compare.gap_table import GapRow, TierGap
from gaptrack.compare.leaderboard import Entry, Leaderboard
from gaptrack.compare.publication import Findings, Provenance
from gaptrack.compare.verdicts import ClaimVerdict
from gaptrack.compare.vocabulary import BENCHMARKS
from gaptrack.publish.claims_view import check_texts, claim_line, deciding
from gaptrack.publish.document import (
    Block,
    Bullets,
    Figure,
    Heading,
    Para,
    Quote,
    Table,
)
from gaptrack.publish.files import write_files

IndexSection = Callable[[Path], list[Block]]

GAP_HEADERS = [
    "pool",
    "evidence",
    "tier",
    "month end",
    "best US",
    "best CN",
    "gap",
    "95% interval",
    "method",
    "backend, settings",
]
"""The columns of a benchmark's gap table (report.md and the site's benchmark pages)."""
"""Builds the capability-index section, given the plots folder (see index_section)."""


def num(value: float | None, digits: int = 1) -> str:
    return "" if value is None else f"{value:.{digits}f}"


def _bench_name(bench: str) -> str:
    return BENCHMARKS[bench].name if bench in BENCHMARKS else bench


def _score_cell(entry: Entry, bench: str) -> str:
    score = entry.scores.get(bench)
    if score is None:
        return ""
    se = f" ± {score.stderr:.1f}" if score.stderr is not None else ""
    return f"{score.value:.1f}{se}"


def leaderboard_blocks(board: Leaderboard) -> list[Block]:
    blocks: list[Block] = [Heading(2, "Leaderboard", "leaderboard")]
    suite = ", ".join(_bench_name(b) for b in board.suite) or "none"
    blocks.append(
        Para(
            "Scores in percent (Chatbot Arena: Elo rating) ± one standard error. Measured "
            "scores (gaptrack's own runs) and reported scores (published figures) are separate "
            f"tables and never merged. Suite mean and rank over: {suite}.",
            "note",
        )
    )
    for kind, title in (("measured", "Measured by gaptrack"), ("reported", "Reported")):
        entries = [e for e in board.entries if e.evidence == kind]
        left_out = ""
        if kind == "reported" and board.suite:
            # hundreds of published models, most scored on one suite benchmark at most: a
            # page of empty cells before the plots. leaderboard.csv keeps every one.
            entries, left_out = _reported_shown(entries, board.suite)
        if not entries:
            continue
        benches = [b for b in board.benchmarks if any(b in e.scores for e in entries)]
        headers = ["rank", "model", "origin", "organisation", "released", "open", "size"]
        headers += [_bench_name(b) for b in benches] + ["suite mean"]
        rows = []
        for e in entries:
            rows.append(
                [
                    str(e.rank or ""),
                    e.name,
                    e.origin,
                    e.organisation or "",
                    e.released.isoformat() if e.released else "",
                    {True: "yes", False: "no", None: ""}[e.open_weights],
                    e.size_class or "",
                    *(_score_cell(e, b) for b in benches),
                    num(e.suite_mean),
                ]
            )
        numeric = frozenset([0, 4, *range(7, len(headers))])  # right-aligned, unwrapped
        blocks += [Heading(3, title), Table(headers, rows, numeric, wide=True)]
        if left_out:
            blocks.append(Para(left_out, "note"))
        quantised = sorted({e.quantization for e in entries if e.quantization})
        if quantised:
            blocks.append(Para("Quantised weights: " + "; ".join(quantised), "note"))
    return blocks


REPORTED_SHOWN = 40
"""Reported models the report's table shows (leaderboard.csv has all of them)."""


def _reported_shown(entries: list[Entry], suite: Sequence[str]) -> tuple[list[Entry], str]:
    """The REPORTED_SHOWN reported models most comparable with the suite: ranked ones
    first (every suite benchmark), then by how many suite benchmarks they have, then by
    their mean over those; and a note on how many are left out."""

    def order(e: Entry):
        present = [e.scores[b].value for b in suite if b in e.scores]
        return (e.rank is None, e.rank or 0, -len(present), -sum(present) / len(present))

    scored = sorted((e for e in entries if any(b in e.scores for b in suite)), key=order)
    shown = scored[:REPORTED_SHOWN]
    left = len(entries) - len(shown)
    note = (
        f"The {len(shown)} of {len(entries)} reported models with the most suite benchmarks "
        "(then the highest mean over them); leaderboard.csv lists every model."
        if left
        else ""
    )
    return shown, note


_TIER_ORDER = {"third_party_run": 0, "developer_reported": 1, "compilation": 2}


def _latest_rows(rows: Sequence[GapRow]) -> list[list[str]]:
    latest: dict[tuple[str, str, str], GapRow] = {}
    for r in rows:
        latest[(r.pool, r.evidence, r.tier)] = r  # rows come in date order
    out = []
    for (pool, kind, tier), r in sorted(
        latest.items(), key=lambda kv: (kv[0][0], kv[0][1], _TIER_ORDER.get(kv[0][2], 9))
    ):
        iv = f"[{r.interval.low:+.1f}, {r.interval.high:+.1f}]" if r.interval else ""
        out.append(
            [
                "open-weight" if pool == "open" else "all",
                kind,
                tier.replace("_", " "),
                r.at.isoformat(),
                f"{r.a.model} ({r.a.value:.1f})",
                f"{r.b.model} ({r.b.value:.1f})",
                f"{r.gap:+.1f}",
                iv,
                r.interval.method.text if r.interval else r.uncertainty,
                # measured rows: were both records run alike (backend, generation settings)?
                (r.run_differences or "same") if r.evidence == "measured" else "",
            ]
        )
    return out


def tier_blocks(tier_gaps: Sequence[TierGap]) -> list[Block]:
    """Each tier's gap beside the all-rows figure, where third-party runs exist."""
    if not tier_gaps:
        return []
    rows = []
    for g in tier_gaps:
        iv = f"[{g.interval.low:+.1f}, {g.interval.high:+.1f}]" if g.interval else ""
        won = f" ({g.tier_a.replace('_', ' ')} vs {g.tier_b.replace('_', ' ')})"
        rows.append(
            [
                _bench_name(g.benchmark),
                g.at.isoformat(),
                g.series.replace("_", " "),
                f"{g.model_a} vs {g.model_b}" + (won if g.series == "all rows" else ""),
                f"{g.gap:+.1f}",
                iv,
            ]
        )
    return [
        Heading(2, "Whose numbers: the gap per source tier", "tiers"),
        Para(
            "Each benchmark's US-CN gap at the end of 2024 on one source tier at a time "
            "(third-party runs such as Epoch AI's, developers' own reports, compilations' "
            "copies) and on all rows together, the maximum over every tier that gaptrack's "
            "series used to take: a self-reported figure often wins that maximum.",
            "note",
        ),
        Table(["benchmark", "date", "rows", "models", "gap", "95% interval"], rows),
    ]


def _marker_note(markers: Sequence[GapRow]) -> Para | None:
    if not markers:
        return None
    shown = "; ".join(
        f"{m.marker}: {m.a.model} vs {m.b.model} at {m.at.isoformat()}, {num(m.gap)} "
        f"points ({num(m.gap_rel, 2)} %)"
        for m in markers
    )
    return Para(
        "Drawn as separate markers (crosses), never joined to the series: figures that "
        "no board showed on their date, " + shown + ". gap_markers.csv lists them.",
        "note",
    )


def gap_blocks(
    gaps: Sequence[GapRow], figures: dict[str, list[Path]], markers: Sequence[GapRow] = ()
) -> list[Block]:
    blocks: list[Block] = [Heading(2, "The gap over time", "gaps")]
    blocks.append(
        Para(
            "For each benchmark, the best model of each origin among those released by each "
            "month end (leaderboards: the latest snapshot), as two step lines; reported "
            "evidence solid with circles, measured dashed with squares; shaded bands and bars "
            "are 95 % intervals where the evidence has them. Right: open-weight models only.",
            "note",
        )
    )
    headers = GAP_HEADERS
    for bench, (png, svg) in figures.items():
        mine = [g for g in gaps if g.benchmark == bench]
        blocks += [
            Heading(3, _bench_name(bench), f"gap-{bench}"),
            Figure(png, svg, f"{_bench_name(bench)}: best US and best CN model over time"),
            Table(headers, _latest_rows(mine), frozenset([3, 6])),
        ]
        note = _marker_note([m for m in markers if m.benchmark == bench])
        if note is not None:
            blocks.append(note)
    return blocks


def _evidence_cells(r) -> list[str]:
    # Row kinds carry different fields (a release row has no benchmark or value).
    benchmark, value = getattr(r, "benchmark", ""), getattr(r, "value", None)
    when = getattr(r, "snapshot", None) or getattr(r, "released", None)
    return [
        r.row_id,
        r.kind,
        r.model,
        getattr(r, "origin", None) or "",
        benchmark,
        "" if value is None else f"{value:g}",
        when.isoformat() if when else "",
        r.source,
    ]


def _evidence_table(verdict: ClaimVerdict) -> Table | None:
    ev = deciding(verdict)
    if ev is None or not ev.rows:
        return None
    rows = [_evidence_cells(r) for r in ev.rows]
    headers = ["row", "kind", "model", "origin", "benchmark", "value", "date", "source"]
    return Table(headers, rows, frozenset([5, 6]))  # right-aligned, unwrapped


def claim_blocks(
    verdicts: Sequence[ClaimVerdict], curves: dict[str, list[Path]] | None = None
) -> list[Block]:
    curves = curves or {}
    tested = [v for v in verdicts if v.claim.testable]
    blocks: list[Block] = [Heading(2, f"Tested claims ({len(tested)})", "claims")]
    for v in tested:
        line, doc = claim_line(v), v.document
        blocks += [Heading(3, f"{v.claim.id}", f"claim-{v.claim.id}"), Quote(line.quote)]
        blocks.append(
            Para(f"{doc.title} ({doc.publisher}, {doc.date}); claimed by {v.claim.made_by}.")
        )
        value = "" if line.value is None else f" value {line.value:.2f}"
        iv = (
            "" if line.ci_low is None else f", 95% interval [{line.ci_low:.2f}, {line.ci_high:.2f}]"
        )
        kind = f" on {line.evidence} evidence" if line.evidence else ""
        blocks.append(
            Para(
                f"Verdict: {v.verdict}{kind}.{value}{iv}",
                f"verdict verdict-{v.verdict.replace(' ', '-')}",
            )
        )
        if v.explanation:
            blocks.append(Para(f"Why: {v.explanation}", "note"))
        if v.claim.id in curves:
            png, svg = curves[v.claim.id]
            blocks.append(Figure(png, svg, f"{v.claim.id}: specification curve"))
        ev = deciding(v)
        if ev is not None:
            blocks.append(Bullets([*check_texts(ev), *ev.notes]))
        if v.claim.interpretation:
            blocks.append(Para(f"Reading: {' '.join(v.claim.interpretation.split())}", "note"))
        table = _evidence_table(v)
        if table is not None:
            blocks.append(table)
    untested = [v for v in verdicts if not v.claim.testable]
    blocks.append(Heading(2, f"Untestable claims ({len(untested)})", "untestable"))
    rows = [
        [v.claim.id, v.claim.kind, " ".join(v.claim.quote.split()), v.claim.untestable_reason or ""]
        for v in untested
    ]
    blocks.append(Table(["claim", "kind", "quote", "why untestable"], rows))
    return blocks


def provenance_blocks(p: Provenance) -> list[Block]:
    recorded = "; ".join(f"{k} {', '.join(v)}" for k, v in p.recorded.items()) or "no records"
    installed = ", ".join(f"{k} {v}" for k, v in p.installed.items())
    runs = f"{p.first_run} to {p.last_run}" if p.first_run else "none"
    config = f"{p.config_file} (sha256 {p.config_sha256[:16]})" if p.config_file else "none"
    return [
        Heading(2, "Provenance", "provenance"),
        Bullets(
            [
                f"Stored records: {p.records}; versions recorded in them: {recorded}",
                f"Installed when this page was written: {installed}",
                f"Devices: {', '.join(p.devices) or 'none'}",
                f"Evaluation dates: {runs}; latest reported evidence published "
                f"{p.evidence_published or 'none'}",
                f"Config: {config}; config hashes in the records: "
                f"{', '.join(h[:16] for h in p.config_hashes) or 'none'}",
            ]
        ),
    ]


def as_of_blocks(findings: Findings) -> list[Block]:
    """The evidence's date and sources, then what the last update changed (if any)."""
    from gaptrack.update.account import account_blocks

    blocks: list[Block] = [Para(findings.evidence_as_of)] if findings.evidence_as_of else []
    if findings.what_changed is not None:
        blocks += account_blocks(findings.what_changed)
    return blocks


def copies_blocks(findings: Findings) -> list[Block]:
    if not findings.copies:
        return []
    return [
        Para("Evidence sources read (gaptrack update; --as-of picks the copies of a date):"),
        Bullets(
            [
                f"{c.source}: {c.url}, " + (f"sha256 {c.sha256}, " if c.sha256 else "") + c.date
                for c in findings.copies
            ]
        ),
    ]


def report_blocks(
    findings: Findings,
    figures: dict[str, list[Path]],
    index: list[Block],
    curves: dict[str, list[Path]] | None,
    head: list[Block],
) -> list[Block]:
    """report.md: the headline (`head`, site.overview_blocks), what the last update
    changed, then every section in one file."""
    from gaptrack.update.account import account_blocks

    changed = account_blocks(findings.what_changed) if findings.what_changed is not None else []
    return [
        *head,
        *changed,
        Para(
            "Open US and Chinese models on public benchmarks, measured with EleutherAI's "
            "lm-eval harness, next to published scores, and the claims of news articles "
            "about the US-China AI gap checked against both."
        ),
        *leaderboard_blocks(findings.leaderboard),
        *gap_blocks(findings.gaps, figures, findings.gap_markers),
        *tier_blocks(findings.tier_gaps),
        *index,
        *claim_blocks(findings.verdicts, curves),
    ]


def write_report(
    findings: Findings,
    out: Path,
    index=None,
    figures=None,
    headline: list | None = None,
) -> list[Path]:
    """The report site under `out` (publish.site: report.html and index.html, a page per
    claim and per benchmark, the index, leaderboard, methods and provenance pages,
    site.css, overview.json, report.md) with its plots in `out`/plots, written as one batch;
    returns report.html and report.md first, then the other files. `index`: the capability
    index (an IndexReport, a StoredIndex, a GaptrackError or None); `figures`: the gap
    figures already being drawn (plots.GapFigures for `out`/plots)."""
    from gaptrack.publish.curve_plots import curve_figures
    from gaptrack.publish.index_section import index_section
    from gaptrack.publish.plots import GapFigures
    from gaptrack.publish.site import render_site

    plots = out / "plots"
    figures = figures or GapFigures(findings.gaps, plots, findings.gap_markers)
    section = index_section(index, plots)  # drawn while the workers draw the gaps
    curves = curve_figures(findings.verdicts, plots)
    pages = render_site(findings, figures.wait(), curves, section, index, headline, plots)
    first = ["report.html", "report.md"]
    order = first + sorted(p for p in pages if p not in first)
    # one batch: the pages are replaced together or not at all
    written = write_files({out / name: pages[name] for name in order})
    _drop_stale_pages(out, set(pages))
    return written


def _drop_stale_pages(out: Path, pages: set[str]) -> None:
    """A claim or benchmark page an earlier report wrote and this one did not (a claim
    retired, a benchmark gone) would still be served beside the new site, with figures
    that no longer hold. Only `*.html` in the site's own page folders is gaptrack's."""
    for folder in ("claims", "benchmarks"):
        for page in sorted((out / folder).glob("*.html")):
            if f"{folder}/{page.name}" not in pages:
                page.unlink()
