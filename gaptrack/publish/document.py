"""A report as a list of plain blocks (headings, paragraphs, tables, figures), rendered
to one self-contained HTML page or to Markdown. The report's content is built once, so
the two formats always say the same thing."""

from __future__ import annotations

import base64
import html
import re
from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class Heading:
    level: int
    text: str
    anchor: str = ""


@dataclass(frozen=True)
class Para:
    text: str
    css: str = ""
    """HTML class: `note`, `verdict-supported`, ... (Markdown ignores it)."""


@dataclass(frozen=True)
class Quote:
    text: str


@dataclass(frozen=True)
class Bullets:
    items: list[str]


@dataclass(frozen=True)
class Table:
    headers: list[str]
    rows: list[list[str]]
    numeric: frozenset[int] = field(default_factory=frozenset)
    """Columns aligned right."""
    wide: bool = False
    """Many short cells (a leaderboard): no cell wraps and the table scrolls sideways,
    instead of names folded into columns a word wide."""


@dataclass(frozen=True)
class Figure:
    png: Path
    """PNG file, embedded in the HTML page as base64, linked from Markdown."""
    svg: Path | None
    """Vector copy beside it, linked from both."""
    alt: str


Block = Heading | Para | Quote | Bullets | Table | Figure

CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif;
 margin:0 auto;max-width:1250px;padding:1.5rem 2rem;color:#1a1a1a;line-height:1.45;background:#fff}
h1{font-size:1.8rem;border-bottom:3px solid #0072B2;padding-bottom:.3rem}
h2{font-size:1.35rem;margin-top:2.2rem;border-bottom:1px solid #ccc}
h3{font-size:1.1rem;margin-top:1.6rem}
table{border-collapse:collapse;margin:.6rem 0 1rem;font-size:.85rem;display:block;overflow-x:auto}
th,td{border:1px solid #d0d0d0;padding:.25rem .5rem;text-align:left;vertical-align:top}
th{background:#eef4f9}
td.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
tr:nth-child(even) td{background:#fafafa}
table.wide th,table.wide td{white-space:nowrap}
blockquote{margin:.5rem 0;padding:.4rem 1rem;border-left:4px solid #56B4E9;background:#f3f9fd}
img{max-width:100%;height:auto;border:1px solid #eee}
.note{color:#555;font-size:.9rem}
.verdict{font-weight:600;padding:.15rem .5rem;border-radius:4px;display:inline-block}
.verdict-supported{background:#d6f0e6;color:#00583d}
.verdict-contradicted{background:#fbe0cf;color:#8a3300}
.verdict-inconclusive{background:#fdf3c4;color:#5c4a00}
.verdict-untestable{background:#eee;color:#444}
.verdict-not-reproduced{background:#e6e0f5;color:#3d2a7a}
.verdict-not-independent{background:#e8e8e8;color:#5a3a00}
footer{margin-top:3rem;border-top:1px solid #ccc;font-size:.85rem;color:#444}
"""


def _cell(text: str) -> str:
    return html.escape(text).replace("\n", "<br>")


def _html_block(block: Block) -> str:
    if isinstance(block, Heading):
        anchor = f' id="{html.escape(block.anchor)}"' if block.anchor else ""
        return f"<h{block.level}{anchor}>{html.escape(block.text)}</h{block.level}>"
    if isinstance(block, Para):
        css = f' class="{block.css}"' if block.css else ""
        return f"<p{css}>{_cell(block.text)}</p>"
    if isinstance(block, Quote):
        return f"<blockquote>{_cell(block.text)}</blockquote>"
    if isinstance(block, Bullets):
        return "<ul>" + "".join(f"<li>{_cell(i)}</li>" for i in block.items) + "</ul>"
    if isinstance(block, Table):
        head = "".join(f"<th>{html.escape(h)}</th>" for h in block.headers)
        body = []
        for row in block.rows:
            cells = "".join(
                f'<td class="num">{_cell(c)}</td>' if i in block.numeric else f"<td>{_cell(c)}</td>"
                for i, c in enumerate(row)
            )
            body.append(f"<tr>{cells}</tr>")
        opening = '<table class="wide">' if block.wide else "<table>"
        return f"{opening}<thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"
    data = base64.b64encode(block.png.read_bytes()).decode("ascii")
    link = f'<br><a class="note" href="{html.escape(_rel(block.svg))}">SVG</a>' if block.svg else ""
    return (
        f'<figure><img alt="{html.escape(block.alt)}" '
        f'src="data:image/png;base64,{data}">{link}</figure>'
    )


def _rel(path: Path) -> str:
    """Figures live in `plots/` beside the page."""
    return f"{path.parent.name}/{path.name}"


def to_html(title: str, blocks: list[Block], footer: list[Block]) -> str:
    body = "\n".join(_html_block(b) for b in blocks)
    foot = "\n".join(_html_block(b) for b in footer)
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{html.escape(title)}</title>\n<style>{CSS}</style>\n</head>\n<body>\n"
        f"{body}\n<footer>\n{foot}\n</footer>\n</body>\n</html>\n"
    )


# Markdown passes raw HTML through, and report.md shows names and notes taken from data
# (model names, organisations, quotes): a `<` that could open a tag, a closing tag, a
# comment or an autolink is written as `&lt;`, and an `&` that would start a character
# reference as `&amp;`, so `<script>` shows as text. A `<` before a digit or a space
# (`<1B`, `gap < 0`) opens nothing and stays, so ordinary reports keep their bytes.
_TAG_OPEN = re.compile(r"<(?=[A-Za-z/!?])")
_REFERENCE = re.compile(r"&(?=(?:#[0-9]+|#[xX][0-9a-fA-F]+|[A-Za-z][A-Za-z0-9]*);)")


def _md_text(text: str) -> str:
    return _TAG_OPEN.sub("&lt;", _REFERENCE.sub("&amp;", text))


def _md_cell(text: str) -> str:
    return _md_text(text).replace("|", "\\|").replace("\n", " ")


def _md_block(block: Block) -> str:
    if isinstance(block, Heading):
        return f"{'#' * block.level} {_md_text(block.text)}"
    if isinstance(block, Para):
        return _md_text(block.text)
    if isinstance(block, Quote):
        return "\n".join(f"> {_md_text(line)}" for line in block.text.splitlines())
    if isinstance(block, Bullets):
        return "\n".join(f"- {_md_cell(i)}" for i in block.items)
    if isinstance(block, Table):
        align = ["---:" if i in block.numeric else "---" for i in range(len(block.headers))]
        lines = [
            "| " + " | ".join(_md_cell(h) for h in block.headers) + " |",
            "| " + " | ".join(align) + " |",
            *("| " + " | ".join(_md_cell(c) for c in row) + " |" for row in block.rows),
        ]
        return "\n".join(lines)
    svg = f" ([SVG]({_rel(block.svg)}))" if block.svg else ""
    return f"![{_md_text(block.alt)}]({_rel(block.png)}){svg}"


def to_markdown(blocks: list[Block], footer: list[Block]) -> str:
    parts = [_md_block(b) for b in [*blocks, Para("---"), *footer]]
    return "\n\n".join(parts) + "\n"
