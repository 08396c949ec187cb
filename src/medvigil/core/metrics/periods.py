"""Calendar periods of the trend charts (ISO weeks or months) and the burn-down fold."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from enum import StrEnum

__all__ = ["BurnPoint", "Granularity", "burndown", "period_after", "period_label", "period_start", "periods"]


class Granularity(StrEnum):
    """Bucket size of the time series."""

    MONTH = "month"
    WEEK = "week"


def period_start(day: dt.date, granularity: Granularity) -> dt.date:
    """The first day of the period holding ``day`` (the 1st of the month, or the ISO week's Monday)."""
    if granularity is Granularity.MONTH:
        return day.replace(day=1)
    return day - dt.timedelta(days=day.weekday())


def period_after(start: dt.date, granularity: Granularity) -> dt.date:
    """The first day of the period after the one starting on ``start``."""
    if granularity is Granularity.WEEK:
        return start + dt.timedelta(days=7)
    return dt.date(start.year + start.month // 12, start.month % 12 + 1, 1)


def period_label(start: dt.date, granularity: Granularity) -> str:
    """``2026-03`` for a month, ``2026-W09`` for an ISO week."""
    if granularity is Granularity.MONTH:
        return f"{start.year:04d}-{start.month:02d}"
    year, week, _ = start.isocalendar()
    return f"{year:04d}-W{week:02d}"


def periods(first: dt.date, last: dt.date, granularity: Granularity) -> Iterator[dt.date]:
    """The start of every period from the one holding ``first`` to the one holding ``last``."""
    start, end = period_start(first, granularity), period_start(last, granularity)
    while start <= end:
        yield start
        start = period_after(start, granularity)


@dataclass(frozen=True, slots=True)
class BurnPoint:
    """One period of the burn-down: how many opened and closed in it, and how many were open at its end."""

    start: dt.date
    opened: int
    closed: int
    open: int


def burndown(
    starts: list[dt.date], opened: Mapping[dt.date, int], closed: Mapping[dt.date, int], *, before: int = 0
) -> list[BurnPoint]:
    """Fold counts per period start into the open count at the end of each period.

    ``before`` is the number open at the start of the first period (opened minus closed earlier).
    """
    out = []
    current = before
    for start in starts:
        o, c = opened.get(start, 0), closed.get(start, 0)
        current += o - c
        out.append(BurnPoint(start, o, c, current))
    return out
