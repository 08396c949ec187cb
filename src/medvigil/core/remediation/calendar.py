"""The US federal holiday calendar (5 U.S.C. 6103) and working-day arithmetic.

Holidays are computed by rule, not typed in: fixed dates move to the observed day (Saturday to the
Friday before, Sunday to the Monday after, 5 U.S.C. 6103(b) and Executive Order 11582), so New
Year's Day on a Saturday is observed on 31 December of the previous year. Juneteenth counts from
2021 (Pub. L. 117-17).

"Working days" (21 CFR 806.10(b)) and "work days" (21 CFR 803.3: Monday through Friday except
Federal holidays) are counted the same way; the calendars keep distinct names so every due date
says which rule produced it.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from functools import lru_cache

__all__ = [
    "Calendar",
    "add_calendar_days",
    "add_working_days",
    "federal_holidays",
    "is_working_day",
    "working_days_between",
]

MON, THU, FRI, SAT, SUN = 0, 3, 4, 5, 6


class Calendar(StrEnum):
    """How a period is counted."""

    CALENDAR_DAYS = "calendar_days"
    WORKING_DAYS = "working_days"
    """21 CFR 806.10(b)."""
    WORK_DAYS = "work_days"
    """21 CFR 803.3 / 803.53."""


def _nth_weekday(year: int, month: int, weekday: int, n: int) -> dt.date:
    """The ``n``-th ``weekday`` of the month (n = -1: the last one)."""
    if n > 0:
        first = dt.date(year, month, 1)
        return first + dt.timedelta(days=(weekday - first.weekday()) % 7 + 7 * (n - 1))
    last = (dt.date(year, month + 1, 1) if month < 12 else dt.date(year + 1, 1, 1)) - dt.timedelta(days=1)
    return last - dt.timedelta(days=(last.weekday() - weekday) % 7)


def _observed(day: dt.date) -> dt.date:
    if day.weekday() == SAT:
        return day - dt.timedelta(days=1)
    if day.weekday() == SUN:
        return day + dt.timedelta(days=1)
    return day


def _actual(year: int) -> dict[str, dt.date]:
    days = {
        "New Year's Day": dt.date(year, 1, 1),
        "Birthday of Martin Luther King, Jr.": _nth_weekday(year, 1, MON, 3),
        "Washington's Birthday": _nth_weekday(year, 2, MON, 3),
        "Memorial Day": _nth_weekday(year, 5, MON, -1),
        "Independence Day": dt.date(year, 7, 4),
        "Labor Day": _nth_weekday(year, 9, MON, 1),
        "Columbus Day": _nth_weekday(year, 10, MON, 2),
        "Veterans Day": dt.date(year, 11, 11),
        "Thanksgiving Day": _nth_weekday(year, 11, THU, 4),
        "Christmas Day": dt.date(year, 12, 25),
    }
    if year >= 2021:
        days["Juneteenth National Independence Day"] = dt.date(year, 6, 19)
    if year < 1986:  # MLK Day was first observed in 1986
        del days["Birthday of Martin Luther King, Jr."]
    return days


@lru_cache(maxsize=256)
def federal_holidays(year: int) -> dict[dt.date, str]:
    """Observed federal holidays falling in ``year`` (date -> name), including a New Year's Day
    of ``year + 1`` observed on 31 December."""
    observed = {_observed(day): name for name, day in _actual(year).items()}
    observed = {day: name for day, name in observed.items() if day.year == year}
    next_new_year = _observed(dt.date(year + 1, 1, 1))
    if next_new_year.year == year:
        observed[next_new_year] = "New Year's Day (observed)"
    return dict(sorted(observed.items()))


def is_working_day(day: dt.date) -> bool:
    """Monday to Friday and not an observed federal holiday."""
    return day.weekday() < SAT and day not in federal_holidays(day.year)


def add_calendar_days(start: dt.date, days: int) -> dt.date:
    """``start`` plus ``days`` calendar days."""
    return start + dt.timedelta(days=days)


def add_working_days(start: dt.date, days: int) -> dt.date:
    """The ``days``-th working day after ``start`` (``start`` itself is day 0 and not counted)."""
    if days < 0:
        raise ValueError("days must not be negative")
    day = start
    left = days
    while left:
        day += dt.timedelta(days=1)
        if is_working_day(day):
            left -= 1
    return day


def working_days_between(start: dt.date, end: dt.date) -> int:
    """Working days after ``start`` up to and including ``end`` (negative when ``end`` is earlier)."""
    if end < start:
        return -working_days_between(end, start)
    count = 0
    day = start
    while day < end:
        day += dt.timedelta(days=1)
        count += is_working_day(day)
    return count
