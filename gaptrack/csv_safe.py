"""CSV cells that a spreadsheet will not run: the one place every CSV writer of gaptrack
(leaderboard, gaps, claims, scores, index tables, imported evidence) passes its text
through.

A spreadsheet reads a cell that begins with `=`, `+`, `-` or `@` as a formula (and tab or
carriage return can hide one), so a model named `=HYPERLINK(...)` in a published CSV
would be a live link or worse in whoever opens it. As OWASP recommends ("CSV
Injection"), such a text cell gets a single quote in front: spreadsheets show the text,
and the quote is not shown. Only text is touched: numbers are written as numbers (a gap of
-3.2 stays -3.2, also where a writer formatted it as text first), so `pandas.read_csv`
reads the same values.

The rule also quotes a text that already begins with quotes followed by one of those
characters, so `restore` can undo it exactly: gaptrack reads back the CSVs it wrote (the
index cache, imported evidence) and gets the original text."""

from __future__ import annotations

import re
from typing import Any

TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
"""First characters a spreadsheet may take for a formula (OWASP's list)."""


_NUMBER = re.compile(r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
"""A plain number written as text (`-3.2`, `+1e-05`): a spreadsheet reads a number, runs
nothing, so it is left as it is."""


def _risky(text: str) -> bool:
    bare = text.lstrip("'")
    return bare.startswith(TRIGGERS) and _NUMBER.fullmatch(bare) is None


def safe_text(text: str) -> str:
    """`text` as a CSV cell: a quote in front where a spreadsheet could run it."""
    return "'" + text if _risky(text) else text


def restore(text: str) -> str:
    """The text that safe_text was given (for cells gaptrack wrote)."""
    return text[1:] if text.startswith("'") and _risky(text[1:]) else text


def safe_cell(value: Any) -> Any:
    """A cell value, neutralised if it is text; numbers, booleans, dates pass unchanged."""
    return safe_text(value) if isinstance(value, str) else value


def safe_frame(frame):
    """A pandas DataFrame with every text cell neutralised (numeric columns untouched); the
    same frame object where nothing needed it, so normal tables are written as before."""
    # kind "O": object, string and categorical columns; numbers and dates are left alone
    text_columns = [c for c in frame.columns if frame[c].dtype.kind == "O"]
    risky = [c for c in text_columns if frame[c].map(_needs).any()]
    if not risky:
        return frame
    frame = frame.copy()
    for column in risky:
        frame[column] = frame[column].map(safe_cell)
    return frame


def _needs(value: Any) -> bool:
    return isinstance(value, str) and _risky(value)
