"""US federal holidays by rule, checked against the independent ``holidays`` package, and the
working-day arithmetic of 806.10(b) / 803.53 at its boundaries."""

from __future__ import annotations

import datetime as dt

import holidays
import pytest

from medvigil.core.remediation.calendar import (
    add_working_days,
    federal_holidays,
    is_working_day,
    working_days_between,
)

D = dt.date


def _oracle(year: int) -> set[dt.date]:
    """Weekday days off from ``holidays.US`` (it lists both the actual day and the observed one)."""
    lib = holidays.country_holidays("US", years=[year - 1, year, year + 1], observed=True)
    return {d for d in lib if d.year == year and d.weekday() < 5}


@pytest.mark.parametrize("year", range(1990, 2061))
def test_observed_federal_holidays_match_the_holidays_package(year: int) -> None:
    assert set(federal_holidays(year)) == _oracle(year)


def test_new_year_on_a_saturday_is_observed_on_31_december_of_the_year_before() -> None:
    assert D(2022, 1, 1).weekday() == 5
    assert federal_holidays(2021)[D(2021, 12, 31)] == "New Year's Day (observed)"
    assert D(2022, 1, 1) not in federal_holidays(2022)
    assert not is_working_day(D(2021, 12, 31))


def test_juneteenth_counts_from_2021_only() -> None:
    assert D(2020, 6, 19) not in federal_holidays(2020)
    assert D(2021, 6, 18) in federal_holidays(2021)  # Saturday 19 June -> Friday
    assert D(2022, 6, 20) in federal_holidays(2022)  # Sunday 19 June -> Monday


def test_monday_and_thursday_holidays() -> None:
    h = federal_holidays(2026)
    assert set(h.values()) >= {"Memorial Day", "Thanksgiving Day", "Labor Day"}
    assert D(2026, 5, 25) in h and D(2026, 11, 26) in h and D(2026, 1, 19) in h


def test_ten_working_days_across_christmas_and_new_year() -> None:
    # 2026: Christmas Friday 25 Dec, New Year Friday 1 Jan 2027.
    start = D(2026, 12, 18)  # Friday
    # 21,22,23,24 (4) | 25 holiday | 28,29,30,31 (8) | 1 Jan holiday | 4, 5 (10)
    assert add_working_days(start, 10) == D(2027, 1, 5)
    assert working_days_between(start, D(2027, 1, 5)) == 10
    # Saturday New Year (2022): 31 Dec 2021 is the observed holiday
    assert add_working_days(D(2021, 12, 20), 10) == D(2022, 1, 5)


def test_working_days_start_on_a_weekend_or_holiday() -> None:
    assert add_working_days(D(2026, 7, 4), 1) == D(2026, 7, 6)  # Saturday; 3 July observed
    assert add_working_days(D(2026, 7, 2), 1) == D(2026, 7, 6)  # Friday 3 July is the observed day
    assert add_working_days(D(2026, 3, 2), 0) == D(2026, 3, 2)
    assert add_working_days(D(2026, 3, 2), 5) == D(2026, 3, 9)  # 803.53: 5 work days
    with pytest.raises(ValueError):
        add_working_days(D(2026, 3, 2), -1)


def test_working_days_between_is_antisymmetric() -> None:
    a, b = D(2026, 11, 20), D(2026, 12, 10)
    assert working_days_between(a, b) == -working_days_between(b, a) > 0
    assert add_working_days(a, working_days_between(a, b)) == b
