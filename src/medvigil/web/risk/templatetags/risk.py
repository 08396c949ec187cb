"""``{% load risk %}``: ``case|standing`` — a case's risk from its state and latest assessment."""

from __future__ import annotations

import datetime as dt

from django import template

from medvigil.web.risk.models import Case
from medvigil.web.risk.selectors import Standing, case_standing

register = template.Library()


@register.filter
def standing(case: Case) -> Standing:
    """The case's standing from its current assessment only (no query: for list rows)."""
    return case_standing(case, confirmed=case.current_assessment)


@register.filter
def add_days(day: dt.date, days: int) -> dt.date:
    """``day`` plus ``days`` calendar days (the FDA 30/60-day deadlines)."""
    return day + dt.timedelta(days=int(days))
