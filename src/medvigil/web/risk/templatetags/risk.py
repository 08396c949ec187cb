"""``{% load risk %}``: ``case|standing`` — a case's risk from its state and latest assessment."""

from __future__ import annotations

from django import template

from medvigil.web.risk.models import Case
from medvigil.web.risk.selectors import Standing, case_standing

register = template.Library()


@register.filter
def standing(case: Case) -> Standing:
    """The case's standing from its current assessment only (no query: for list rows)."""
    return case_standing(case, confirmed=case.current_assessment)
