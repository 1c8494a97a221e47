"""`gaptrack report` as a small static site (Jinja2 templates in publish/templates, one
CSS file, no script): the overview (report.html, and index.html for static hosts), one page
per claim (claims/ID.html) and per benchmark (benchmarks/KEY.html), the capability-index,
leaderboard, methods and provenance pages, and report.md, the whole report in one file.

Every figure a page shows comes from the typed findings (compare.publication.Findings), the
index and compare.overview.Overview; the templates only lay them out. Links are relative,
so the site works from the file system and from any static host. The same inputs give the
same bytes (no clock, fixed figure metadata), and the files are written as one batch."""

from __future__ import annotations

import re
import struct
from collections.abc import Sequence
from pathlib import Path

from markupsafe import Markup

from gaptrack.compare.gap_table import GapRow
from gaptrack.compare.overview import Overview, overview
from gaptrack.compare.publication import INDEX_BOOTSTRAP, Findings
from gaptrack.compare.verdicts import ClaimVerdict
from gaptrack.compare.verdicts.base import SHARE_DECIDES
from gaptrack.compare.vocabulary import BENCHMARKS
from gaptrack.publish.claims_view import check_texts, claim_line, deciding
from gaptrack.publish.document import Block, Bullets, Figure, Heading, Link, Para, Quote, Table

OVERVIEW = "report.html"
NAV = (
    (OVERVIEW, "Overview"),
    (f"{OVERVIEW}#claims", "Claims"),
    (f"{OVERVIEW}#benchmarks", "Benchmarks"),
    ("capability-index.html", "Capability index"),
    ("leaderboard.html", "Leaderboard"),
    ("methods.html", "Methods"),
    ("provenance.html", "Provenance"),
)


def claim_path(claim_id: str) -> str:
    """A claim's page, relative to the site's root: stable as long as the id is."""
    return f"claims/{claim_id}.html"


def benchmark_path(benchmark: str) -> str:
    return f"benchmarks/{re.sub(r'[^A-Za-z0-9._-]', '-', benchmark)}.html"


def bench_name(bench: str) -> str:
    return BENCHMARKS[bench].name if bench in BENCHMARKS else bench


def _png_size(path: Path) -> tuple[int, int] | None:
    """Width and height from the PNG header, so the browser lays the page out before the
    image loads (and a layout test measures the final positions)."""
    try:
        head = path.read_bytes()[:24]
    except OSError:
        return None
    if head[:8] != b"\x89PNG\r\n\x1a\n":
        return None
    return struct.unpack(">II", head[16:24])


def environment():
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.PackageLoader("gaptrack.publish", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
    )

    def size(png: Path) -> Markup:
        wh = _png_size(png)
        return Markup(f' width="{wh[0]}" height="{wh[1]}"') if wh else Markup("")

    def cls(i: int, table: Table) -> Markup:
        names = (["num"] if i in table.numeric else []) + (["sec"] if i in table.secondary else [])
        return Markup(f' class="{" ".join(names)}"') if names else Markup("")

    def br(text: str) -> Markup:
        return Markup("<br>").join(text.split("\n"))

    env.filters["br"] = br
    env.filters["kind"] = lambda block: type(block).__name__
    env.tests["link"] = lambda cell: isinstance(cell, Link)
    env.tests["absolute"] = lambda href: href.startswith(("http://", "https://"))
    env.globals.update(size=size, cls=cls)
    return env


# --- page contents (blocks built from the typed results) ---------------------------------


def _safe_url(text: str) -> str | None:
    return text if re.match(r"^https?://[^\s<>\"']+$", text or "") else None


def _evidence_table(verdict: ClaimVerdict) -> Table | None:
    ev = deciding(verdict)
    if ev is None or not ev.rows:
        return None
    rows = []
    for r in ev.rows:
        benchmark, value = getattr(r, "benchmark", ""), getattr(r, "value", None)
        when = getattr(r, "snapshot", None) or getattr(r, "released", None)
        url = _safe_url(r.source)
        source: str | Link = Link(r.source, url) if url else r.source
        rows.append(
            [
                r.row_id,
                r.model,
                getattr(r, "origin", None) or "",
                benchmark,
                "" if value is None else f"{value:g}",
                when.isoformat() if when else "",
                source,
                r.kind if isinstance(r.kind, str) else r.kind.value,
                " ".join(r.excerpt.split()),
            ]
        )
    headers = ["row", "model", "origin", "benchmark", "value", "date", "source", "kind", "excerpt"]
    return Table(headers, rows, frozenset([4, 5]), secondary=frozenset([0, 2, 7, 8]))


def claim_page_blocks(v: ClaimVerdict, curve: list[Path] | None) -> list[Block]:
    """One claim: quote, source, verdict, specification curve, checks, evidence rows."""
    claim, doc, line = v.claim, v.document, claim_line(v)
    blocks: list[Block] = [
        Heading(1, f"Claim {claim.id}"),
        Quote(line.quote),
        Para(f"{doc.title} ({doc.publisher}, {doc.date}); claimed by {claim.made_by}.", "note"),
    ]
    value = "" if line.value is None else f" Value {line.value:.2f}"
    iv = "" if line.ci_low is None else f", 95 % interval [{line.ci_low:.2f}, {line.ci_high:.2f}]"
    kind = f" on {line.evidence} evidence" if line.evidence else ""
    share = f" ({line.specifications} of the readings)" if line.specifications != "-" else ""
    blocks.append(
        Para(
            f"Verdict: {v.verdict}{kind}{share}.{value}{iv}",
            f"verdict verdict-{v.verdict.replace(' ', '-')}",
        )
    )
    if v.explanation:
        blocks.append(Para(f"Why: {v.explanation}"))
    if not claim.testable:
        blocks.append(Para(f"Why untestable: {claim.untestable_reason or 'no statement'}"))
    if claim.interpretation:
        blocks.append(Para(f"Reading: {' '.join(claim.interpretation.split())}", "note"))
    if curve:
        blocks += [Heading(2, "Specification curve", "curve"), _curve_figure(v, curve)]
    ev = deciding(v)
    if ev is not None:
        blocks += [Heading(2, "Comparisons made", "checks"), Bullets([*check_texts(ev), *ev.notes])]
        if ev.models:
            blocks += [
                Heading(2, "Models behind each side", "models"),
                Bullets(list(ev.models)),
            ]
    table = _evidence_table(v)
    if table is not None:
        blocks += [Heading(2, f"Evidence rows ({len(table.rows)})", "evidence"), table]
    return blocks


def _curve_figure(v: ClaimVerdict, curve: list[Path]) -> Figure:
    c = v.curve
    counts = (
        f"{c.evaluated} of {len(c.outcomes)} readings have evidence: {c.supported} support "
        f"the claim and {c.contradicted} contradict it"
        if c is not None
        else "readings of the claim"
    )
    alt = (
        f"Specification curve of claim {v.claim.id}: each defensible reading's value with its "
        f"95 % interval, ordered by value, coloured by outcome; {counts}; verdict {v.verdict}."
    )
    return Figure(curve[0], curve[1], alt)


def _gap_alt(bench: str, rows: Sequence[GapRow]) -> str:
    name = bench_name(bench)
    if not rows:
        return f"{name}: no month with models of both origins."
    first, last = min(r.at for r in rows), max(r.at for r in rows)
    latest = [r for r in rows if r.pool == "all" and r.at == last] or [rows[-1]]
    r = latest[0]
    return (
        f"{name}: step lines of the best US and best Chinese score by month, {first} to "
        f"{last}, all models (left) and open-weight models only (right), the US-minus-China "
        f"gap below; at {r.at} {r.a.model} vs {r.b.model}, gap {r.gap:+.1f} "
        f"({r.evidence}, {r.tier.replace('_', ' ')})."
    )


def benchmark_page_blocks(bench: str, figure: list[Path], findings: Findings) -> list[Block]:
    from gaptrack.publish.report import GAP_HEADERS, _latest_rows, _marker_note

    rows = [g for g in findings.gaps if g.benchmark == bench]
    headers = GAP_HEADERS
    blocks: list[Block] = [
        Heading(1, f"{bench_name(bench)}: the gap over time"),
        Para(
            "The best model of each origin among those released by each month end, as two "
            "step lines, one series per evidence tier: third-party runs (Epoch AI's, "
            "gaptrack's own, other independent evaluators') solid with circles, developers' "
            "own reports dash-dotted with triangles, compilations dotted, gaptrack's "
            "measurements dashed with squares. Shaded bands and bars: 95 % intervals.",
            "note",
        ),
        Figure(figure[0], figure[1], _gap_alt(bench, rows)),
        Heading(2, "Latest month of each series", "latest"),
        Para(
            "Which rows are third-party runs and which self-reported: the tier column.",
            "note",
        ),
        Table(headers, _latest_rows(rows), frozenset([3, 6]), secondary=frozenset([1, 7, 8, 9])),
    ]
    note = _marker_note([m for m in findings.gap_markers if m.benchmark == bench])
    if note is not None:
        blocks.append(note)
    tiers = [t for t in findings.tier_gaps if t.benchmark == bench]
    if tiers:
        rows_t = []
        for g in tiers:
            iv = f"[{g.interval.low:+.1f}, {g.interval.high:+.1f}]" if g.interval else ""
            rows_t.append(
                [
                    g.at.isoformat(),
                    g.series.replace("_", " "),
                    f"{g.model_a} vs {g.model_b}",
                    f"{g.gap:+.1f}",
                    iv,
                ]
            )
        blocks += [
            Heading(2, "The gap per source tier", "tiers"),
            Table(
                ["date", "rows", "models", "gap", "95% interval"],
                rows_t,
                frozenset([3]),
                secondary=frozenset([0]),
            ),
        ]
    return blocks


def _latest_all(rows: Sequence[GapRow]) -> GapRow | None:
    """The benchmark's latest all-models row, third-party tier first."""
    rank = {"third_party_run": 0, "developer_reported": 1, "compilation": 2}
    mine = [r for r in rows if r.pool == "all"]
    if not mine:
        return None
    last = max(r.at for r in mine)
    return min(
        (r for r in mine if r.at == last),
        key=lambda r: (r.evidence != "reported", rank.get(r.tier, 9)),
    )


def benchmark_list(findings: Findings, pages: dict[str, str]) -> list[Block]:
    rows = []
    for bench, href in pages.items():
        r = _latest_all([g for g in findings.gaps if g.benchmark == bench])
        if r is None:
            rows.append([Link(bench_name(bench), href), "", "", "", "", "", ""])
            continue
        iv = f"[{r.interval.low:+.1f}, {r.interval.high:+.1f}]" if r.interval else ""
        rows.append(
            [
                Link(bench_name(bench), href),
                r.at.isoformat(),
                r.a.model,
                r.b.model,
                f"{r.gap:+.1f}",
                iv,
                f"{r.evidence}, {r.tier.replace('_', ' ')}",
            ]
        )
    return [
        Para(
            "Each benchmark's latest month: the best US and best Chinese model of all models "
            "and the gap (reported third-party runs first). Each benchmark's page has the "
            "series over time, the open-weight pool and every tier.",
            "note",
        ),
        Table(
            ["benchmark", "month end", "best US", "best CN", "gap", "95% interval", "evidence"],
            rows,
            frozenset([1, 4]),
            secondary=frozenset([1, 5, 6]),
        ),
    ]


def claim_groups(ov: Overview, verdicts: Sequence[ClaimVerdict]) -> list[dict]:
    by_id = {v.claim.id: v for v in verdicts}
    groups = []
    for count in ov.verdicts:
        rows = []
        for cid in count.claims:
            v = by_id[cid]
            line = claim_line(v)
            quote = line.quote if len(line.quote) <= 160 else line.quote[:157].rstrip() + "..."
            rows.append([Link(cid, claim_path(cid)), line.date, quote, line.specifications])
        table = (
            Table(
                ["claim", "date", "quote", "readings"],
                rows,
                secondary=frozenset([1, 3]),
                label=f"Claims {count.verdict}",
            )
            if rows
            else None
        )
        groups.append(
            {"verdict": count.verdict, "anchor": count.anchor, "count": count.count, "table": table}
        )
    return groups


def overview_blocks(ov: Overview) -> list[Block]:
    """The headline as blocks, for report.md (the HTML overview lays out the same Overview)."""
    lead = ov.lead()
    blocks: list[Block] = [Heading(1, f"gaptrack report: {ov.title}: how far behind is China?")]
    if ov.sources:
        blocks.append(Para(ov.sources))
    if lead is not None:
        at = f" ({lead.at})" if lead.at else " (average)"
        blocks.append(
            Para(
                f"China's best model trails the US best on the capability index by "
                f"{lead.value:.1f} months{at}, 95 % interval {lead.interval() or 'none'}; "
                f"evidence: {lead.tier}."
            )
        )
    elif ov.problem:
        blocks.append(Para(f"No months-behind figure: {ov.problem}"))
    rows = [
        [
            n.label + (f" ({n.at})" if n.at else ""),
            f"{n.text()} {n.unit if n.value is not None else ''}".strip(),
            n.tier,
        ]
        for n in [*ov.months, *ov.gaps]
    ]
    if rows:
        blocks.append(Table(["figure", "value [95 % interval]", "evidence"], rows))
    counts = [Link(f"{c.verdict}: {c.count}", f"#{c.anchor}") for c in ov.verdicts]
    blocks += [Para("The articles' claims, by verdict:"), Bullets(counts)]
    return blocks


# --- the site ------------------------------------------------------------------------------


def render_site(
    findings: Findings,
    gap_figures: dict[str, list[Path]],
    curves: dict[str, list[Path]],
    index_blocks: list[Block],
    index,
    headline,
    plots: Path,
) -> dict[str, str]:
    """Relative path -> page text, for every page of the site (report.md included)."""
    from gaptrack import __version__
    from gaptrack.publish.document import to_markdown
    from gaptrack.publish.headline_chart import headline_chart
    from gaptrack.publish.report import (
        as_of_blocks,
        copies_blocks,
        leaderboard_blocks,
        provenance_blocks,
        report_blocks,
    )

    env = environment()
    ov = overview(findings, index, headline)
    chart = headline_chart(index, plots / "headline")
    as_of_line = f"Evidence {findings.evidence_as_of}" if findings.evidence_as_of else "Evidence"
    common = {"nav": NAV, "as_of_line": as_of_line, "version": __version__}

    def page(path: str, template: str, title: str, **context) -> tuple[str, str]:
        root = "../" * path.count("/")
        text = env.get_template(template).render(
            root=root, here=path, title=title, **common, **context
        )
        return path, text

    bench_pages = {b: benchmark_path(b) for b in gap_figures}
    pages = dict(
        [
            page(
                OVERVIEW,
                "overview.html",
                f"How far behind is China? gaptrack report: {findings.title}",
                ov=ov,
                chart=chart,
                figures=[n for n in [*ov.months, *ov.gaps] if n is not ov.lead()],
                claim_groups=claim_groups(ov, findings.verdicts),
                benchmarks=benchmark_list(findings, bench_pages),
            )
        ]
    )
    pages["index.html"] = pages[OVERVIEW]  # what a static host serves for the folder
    for v in findings.verdicts:
        path = claim_path(v.claim.id)
        pages.update(
            [
                page(
                    path,
                    "page.html",
                    f"Claim {v.claim.id}: {v.verdict} (gaptrack)",
                    content=claim_page_blocks(v, curves.get(v.claim.id)),
                )
            ]
        )
    for bench, figure in gap_figures.items():
        pages.update(
            [
                page(
                    bench_pages[bench],
                    "page.html",
                    f"{bench_name(bench)}: the US-China gap (gaptrack)",
                    content=benchmark_page_blocks(bench, figure, findings),
                )
            ]
        )
    index_content: list[Block] = [Heading(1, "The capability index")]
    if index_blocks:
        index_content += [b for b in index_blocks if not (isinstance(b, Heading) and b.level == 2)]
    else:
        index_content.append(Para("No capability index in this gaptrack.", "note"))
    board = [Heading(1, "Leaderboard")] + [
        Heading(b.level - 1, b.text, b.anchor) if isinstance(b, Heading) else b
        for b in leaderboard_blocks(findings.leaderboard)[1:]
    ]
    provenance = [
        Heading(1, "Provenance and sources"),
        Heading(2, "As of", "sources"),
        *as_of_blocks(findings),
        *copies_blocks(findings),
        *provenance_blocks(findings.provenance),
    ]
    pages.update(
        [
            page(
                "capability-index.html",
                "page.html",
                "Capability index (gaptrack)",
                content=index_content,
            ),
            page("leaderboard.html", "page.html", "Leaderboard (gaptrack)", content=board),
            page("provenance.html", "page.html", "Provenance (gaptrack)", content=provenance),
            page(
                "methods.html",
                "methods.html",
                "How gaptrack decides (gaptrack)",
                share=round(100 * SHARE_DECIDES),
                bootstrap=INDEX_BOOTSTRAP,
            ),
        ]
    )
    pages["site.css"] = (Path(__file__).parent / "templates" / "site.css").read_text()
    pages["overview.json"] = ov.model_dump_json(indent=1) + "\n"
    md_blocks = report_blocks(findings, gap_figures, index_blocks, curves, overview_blocks(ov))
    footer = [*provenance_blocks(findings.provenance), *copies_blocks(findings)]
    pages["report.md"] = to_markdown(md_blocks, footer)
    return pages
