"""Checks on values every loader shares: dates that cannot lie in the future."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from pydantic import AfterValidator

FUTURE_MARGIN_DAYS = 31
"""How far after today a release or publication date may lie. A date next week is a
plausible announced release or an embargoed paper, and clocks and time zones differ by a
day; a date months or centuries ahead (2999) is a typo that would sort a model or a source
after everything real and silently move a frontier or a verdict."""


def latest_date(today: dt.date | None = None) -> dt.date:
    """The last date a release or publication may carry: today + FUTURE_MARGIN_DAYS."""
    return (today or dt.date.today()) + dt.timedelta(days=FUTURE_MARGIN_DAYS)


def future_problem(first_day: dt.date, written: str | None = None) -> str | None:
    """Why a date, or a period starting on `first_day`, is too far in the future, or None.
    A period (`2026`: any day of 2026) counts as future only when it starts after the
    margin, so the current year or month is never refused. `written`: the date as the
    file gives it, for the message."""
    if first_day <= latest_date():
        return None
    return (
        f"{written or first_day.isoformat()} is in the future (more than "
        f"{FUTURE_MARGIN_DAYS} days after today, {dt.date.today().isoformat()})"
    )


def check_not_future(value: dt.date) -> dt.date:
    problem = future_problem(value)
    if problem is not None:
        raise ValueError(problem)
    return value


PastDate = Annotated[dt.date, AfterValidator(check_not_future)]
"""A release or publication date: no more than FUTURE_MARGIN_DAYS after today."""
