"""Console tables drawn with rich (which typer already brings): what `gaptrack
leaderboard` shows on the terminal next to the files it writes, and the plain column
tables of `eval`, `results`, `models`, `plan` and `check` (`text_table`)."""

from __future__ import annotations

from collections.abc import Sequence

from gaptrack.compare.gap_table import GapRow
from gaptrack.compare.leaderboard import Leaderboard

CONSOLE_ROWS = 40
"""Models the console shows (best first); the CSV has them all. Drawing a table of
thousands of models took longer than computing it, and nobody reads it on a terminal."""


def leaderboard_table(board: Leaderboard, kind: str = "measured", top: int = CONSOLE_ROWS):
    """The `top` entries of one evidence kind by rank: rank, model, origin, each suite
    score ± se; a caption says how many more the CSV holds."""
    from rich.table import Table

    entries = [e for e in board.entries if e.evidence == kind]
    shown = entries[:top]  # the board is in rank order
    caption = (
        f"{len(shown)} of {len(entries)} models; all in leaderboard.csv"
        if len(shown) < len(entries)
        else None
    )
    table = Table(title=f"Leaderboard ({kind})", title_justify="left", caption=caption)
    for name in ("rank", "model", "origin", "released"):
        table.add_column(name, justify="right" if name == "rank" else "left")
    for bench in board.suite:
        table.add_column(bench, justify="right")
    table.add_column("suite mean", justify="right")
    for e in shown:
        cells = []
        for bench in board.suite:
            s = e.scores.get(bench)
            se = f" ± {s.stderr:.1f}" if s and s.stderr is not None else ""
            cells.append(f"{s.value:.1f}{se}" if s else "")
        mean = "" if e.suite_mean is None else f"{e.suite_mean:.1f}"
        released = e.released.isoformat() if e.released else ""
        table.add_row(str(e.rank or ""), e.name, e.origin, released, *cells, mean)
    return table


def latest_gaps_table(gaps: Sequence[GapRow], kind: str = "measured"):
    """The latest gap per benchmark (all models) for one evidence kind."""
    from rich.table import Table

    latest: dict[str, GapRow] = {}
    for g in gaps:
        if g.evidence == kind and g.pool == "all":
            latest[g.benchmark] = g
    table = Table(title=f"Latest gap, best US - best CN ({kind})", title_justify="left")
    for name in ("benchmark", "month end", "best US", "best CN", "gap", "95% interval"):
        table.add_column(name, justify="right" if name in ("gap", "95% interval") else "left")
    for bench, g in latest.items():
        iv = f"[{g.interval.low:+.1f}, {g.interval.high:+.1f}]" if g.interval else ""
        table.add_row(
            bench,
            g.at.isoformat(),
            f"{g.a.model} {g.a.value:.1f}",
            f"{g.b.model} {g.b.value:.1f}",
            f"{g.gap:+.1f}",
            iv,
        )
    return table


def print_tables(board: Leaderboard, gaps: Sequence[GapRow]) -> None:
    from rich.console import Console

    console = Console(width=140)
    if any(e.evidence == "measured" for e in board.entries):
        console.print(leaderboard_table(board))
    if any(g.evidence == "measured" for g in gaps):
        console.print(latest_gaps_table(gaps))


def text_table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """Rows under a bold header rule, columns aligned by rich, no side borders: each line
    starts with its first cell, so the output reads as plain columns and greps as before.
    Cells never wrap (a wide table is wide, not folded into unreadable cells)."""
    from rich import box
    from rich.console import Console
    from rich.table import Table

    table = Table(box=box.SIMPLE_HEAD, pad_edge=False, show_edge=False, header_style="bold")
    for name in headers:
        table.add_column(name, no_wrap=True, overflow="ignore")
    for row in rows:
        table.add_row(*row)
    # rendered to text here, then echoed: typer's test runner and pipes see plain text
    console = Console(width=100_000, color_system=None, highlight=False)
    with console.capture() as captured:
        console.print(table)
    return "\n".join(line.rstrip() for line in captured.get().splitlines())
