"""A report as a list of plain blocks (headings, paragraphs, tables, figures), rendered
to the site's HTML pages (publish/site.py, through the Jinja2 templates) or to Markdown.
The report's content is built once, so the two formats always say the same thing."""

from __future__ import annotations

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
    items: list[Cell]


@dataclass(frozen=True)
class Link:
    """A table cell or list item that links: `href` relative to the site's root folder
    (`claims/c001.html`) or an absolute URL."""

    text: str
    href: str

    def __str__(self) -> str:
        return self.text


Cell = str | Link


@dataclass(frozen=True)
class Table:
    headers: list[str]
    rows: list[list[Cell]]
    numeric: frozenset[int] = field(default_factory=frozenset)
    """Columns aligned right."""
    wide: bool = False
    """Many short cells (a leaderboard): no cell wraps and the table scrolls sideways,
    instead of names folded into columns a word wide."""
    secondary: frozenset[int] = field(default_factory=frozenset)
    """Columns a narrow screen folds away (the site's CSS hides them below 640 px; the
    CSVs and report.md keep them)."""
    label: str = ""
    """What the table holds, for screen readers (default: its headers); tables of one page
    need different labels."""


@dataclass(frozen=True)
class Figure:
    png: Path
    """PNG file in the site's `plots/` folder, shown by the pages and linked from Markdown."""
    svg: Path | None
    """Vector copy beside it, linked from both."""
    alt: str


Block = Heading | Para | Quote | Bullets | Table | Figure

# Markdown passes raw HTML through, and report.md shows names and notes taken from data
# (model names, organisations, quotes): a `<` that could open a tag, a closing tag, a
# comment or an autolink is written as `&lt;`, and an `&` that would start a character
# reference as `&amp;`, so `<script>` shows as text. A `<` before a digit or a space
# (`<1B`, `gap < 0`) opens nothing and stays, so ordinary reports keep their bytes.
_TAG_OPEN = re.compile(r"<(?=[A-Za-z/!?])")
_REFERENCE = re.compile(r"&(?=(?:#[0-9]+|#[xX][0-9a-fA-F]+|[A-Za-z][A-Za-z0-9]*);)")


def _rel(path: Path) -> str:
    """Figures live in `plots/` beside the page."""
    return f"{path.parent.name}/{path.name}"


def _md_text(text: str) -> str:
    return _TAG_OPEN.sub("&lt;", _REFERENCE.sub("&amp;", text))


def _md_cell(cell: Cell) -> str:
    if isinstance(cell, Link):
        text = _md_text(cell.text).replace("|", "\\|").replace("\n", " ")
        return f"[{text}]({cell.href.replace(' ', '%20').replace(')', '%29')})"
    return _md_text(cell).replace("|", "\\|").replace("\n", " ")


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
