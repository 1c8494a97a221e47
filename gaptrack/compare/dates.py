"""Dates as sources print them: a day, a month or a year.

"The gap in January 2024" names a month, not a day; gaptrack keeps the precision the
source gave and reads a period as its last day ("as of the end of January"), which never
lets evidence from after the period count as known within it."""

from __future__ import annotations

import calendar
import datetime as dt
import re
from typing import Annotated

from pydantic import AfterValidator, BeforeValidator

from gaptrack.config.checks import future_problem

_PARTIAL = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")
FORMAT_HINT = "YYYY-MM-DD, YYYY-MM or YYYY"


def normalise(value: object) -> str:
    """`2024`, `2024-01` or `2024-01-15` (YAML may hand over a date or an int)."""
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str) or not _PARTIAL.match(value.strip()):
        raise ValueError(f"{value!r} is not a date ({FORMAT_HINT})")
    text = value.strip()
    try:
        period_end(text)
    except ValueError:
        raise ValueError(f"{value!r} is not a date ({FORMAT_HINT})") from None
    return text


PartialDate = Annotated[str, BeforeValidator(normalise)]
"""A date of day, month or year precision, kept as written."""


def not_future(text: str) -> str:
    """A partial date whose period starts no later than FUTURE_MARGIN_DAYS after today."""
    problem = future_problem(period_start(text), text)
    if problem is not None:
        raise ValueError(problem)
    return text


PastPartialDate = Annotated[str, BeforeValidator(normalise), AfterValidator(not_future)]
"""A publication date of day, month or year precision (never in the future)."""


def period_end(text: str) -> dt.date:
    """Last day of the period: `2024-01` -> 2024-01-31."""
    match = _PARTIAL.match(text)
    if not match:
        raise ValueError(f"{text!r} is not a date ({FORMAT_HINT})")
    year, month, day = match.groups()
    if day:
        return dt.date(int(year), int(month), int(day))
    if month:
        return dt.date(int(year), int(month), calendar.monthrange(int(year), int(month))[1])
    return dt.date(int(year), 12, 31)


def period_start(text: str) -> dt.date:
    """First day of the period: `2024-01` -> 2024-01-01."""
    match = _PARTIAL.match(text)
    if not match:
        raise ValueError(f"{text!r} is not a date ({FORMAT_HINT})")
    year, month, day = match.groups()
    return dt.date(int(year), int(month or 1), int(day or 1))


def month_ends(start: dt.date, end: dt.date) -> list[dt.date]:
    """Last day of every month from start's month to end's month, inclusive."""
    out = []
    year, month = start.year, start.month
    while (year, month) <= (end.year, end.month):
        out.append(dt.date(year, month, calendar.monthrange(year, month)[1]))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return out
