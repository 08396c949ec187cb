"""Month and ISO-week periods and the burn-down fold."""

from __future__ import annotations

import datetime as dt

from medvigil.core.metrics.periods import (
    BurnPoint,
    Granularity,
    burndown,
    period_label,
    period_start,
    periods,
)


def test_month_periods_cross_the_year() -> None:
    starts = list(periods(dt.date(2025, 11, 20), dt.date(2026, 2, 3), Granularity.MONTH))
    assert [period_label(s, Granularity.MONTH) for s in starts] == [
        "2025-11",
        "2025-12",
        "2026-01",
        "2026-02",
    ]


def test_week_periods_start_on_monday() -> None:
    assert period_start(dt.date(2026, 6, 7), Granularity.WEEK) == dt.date(2026, 6, 1)  # a Sunday
    starts = list(periods(dt.date(2025, 12, 29), dt.date(2026, 1, 12), Granularity.WEEK))
    assert [period_label(s, Granularity.WEEK) for s in starts] == ["2026-W01", "2026-W02", "2026-W03"]


def test_burndown_folds_counts() -> None:
    a, b, c = dt.date(2026, 1, 1), dt.date(2026, 2, 1), dt.date(2026, 3, 1)
    assert burndown([a, b, c], {a: 5, c: 1}, {b: 2}, before=3) == [
        BurnPoint(a, 5, 0, 8),
        BurnPoint(b, 0, 2, 6),
        BurnPoint(c, 1, 0, 7),
    ]
    assert burndown([], {}, {}) == []
