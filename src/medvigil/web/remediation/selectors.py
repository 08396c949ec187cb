"""Reads of the remediation app: a case's remediation panel, the portfolio clock (set-based,
indexed, paged), what is at risk this week, and the report drafts."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, QuerySet
from django.utils import timezone

from medvigil.core.errors import InputError
from medvigil.web.publishing.selectors import hidden_advisory_ids
from medvigil.web.remediation.models import CaseAction, CaseFile, ClockState, EvidenceFile, Obligation
from medvigil.web.risk.models import Case

__all__ = [
    "ClockPage",
    "ClockRow",
    "at_risk_this_week",
    "case_actions",
    "case_obligations",
    "clock_page",
    "evidence_readable",
]

CLOCK_PAGE_SIZE = 100
MAX_PAGE_SIZE = 500


@dataclass(frozen=True, slots=True)
class ClockRow:
    """One open case on the clock page."""

    case: int
    vulnerability: str
    product: str
    product_slug: str
    state: str
    day0: dt.date
    next_due: dt.date | None
    next_milestone: str
    clock_state: str
    assignee: str | None = None
    """Username of the case's assignee (None: unassigned)."""

    @property
    def clock_label(self) -> str:
        """``due soon`` rather than ``due_soon``."""
        return self.clock_state.replace("_", " ")

    def to_dict(self) -> dict[str, Any]:
        """JSON form."""
        return {
            "case": self.case,
            "vulnerability": self.vulnerability,
            "product": self.product_slug,
            "state": self.state,
            "day0": self.day0.isoformat(),
            "next_due": self.next_due.isoformat() if self.next_due else None,
            "next_milestone": self.next_milestone,
            "clock_state": self.clock_state,
            "assignee": self.assignee,
        }


@dataclass(frozen=True, slots=True)
class ClockPage:
    """A page of the clock and the counts by clock state."""

    rows: list[ClockRow]
    offset: int
    limit: int
    total: int
    counts: dict[str, int]


_FIELDS = ("case_id", "case__vulnerability__key", "case__product__name", "case__product__slug", "case__state",
           "case__day0", "next_due", "next_milestone", "clock_state", "case__assignee__username")  # fmt: skip


def _open_files(state: str = "", assignee: str = "") -> QuerySet[CaseFile]:
    qs = CaseFile.objects.filter(open=True, next_due__isnull=False)
    if state:
        if state not in ClockState.values:
            raise InputError(f"unknown clock state {state!r}", field="state")
        qs = qs.filter(clock_state=state)
    if assignee == "none":
        qs = qs.filter(case__assignee__isnull=True)
    elif assignee:
        qs = qs.filter(case__assignee__username=assignee)
    return qs


def clock_page(
    *, offset: int = 0, limit: int = CLOCK_PAGE_SIZE, state: str = "", assignee: str = ""
) -> ClockPage:
    """Open cases by next due date (then id): one indexed query for the page, one for the counts.

    ``assignee`` keeps the cases of one user (by username; ``none``: unassigned ones), counts too."""
    if offset < 0 or not 1 <= limit <= MAX_PAGE_SIZE:
        raise InputError(f"offset >= 0 and 1 <= limit <= {MAX_PAGE_SIZE}", field="limit")
    qs = _open_files(state, assignee).order_by("next_due", "id")
    rows = [ClockRow(*values) for values in qs.values_list(*_FIELDS)[offset : offset + limit]]
    counts = {
        row["clock_state"]: row["n"]
        for row in _open_files(assignee=assignee).order_by().values("clock_state").annotate(n=Count("id"))
    }
    total = counts.get(state, 0) if state else sum(counts.values())
    return ClockPage(rows, offset, limit, total, counts)


def at_risk_this_week(*, today: dt.date | None = None, limit: int = 20) -> list[ClockRow]:
    """Open cases with a milestone overdue or due within seven days, soonest first."""
    today = today or timezone.localdate()
    qs = _open_files().filter(next_due__lte=today + dt.timedelta(days=7)).order_by("next_due", "id")
    return [ClockRow(*values) for values in qs.values_list(*_FIELDS)[:limit]]


def case_actions(case: Case, user: Any = None) -> QuerySet[CaseAction]:
    """The case's actions with their evidence files, oldest first.

    With ``user``, actions about an advisory that user may not read (an ISAO share of a draft or of
    a revision in review: ``data["advisory"]``) are left out, as they are from the case history; the
    report drafts and the CLI pass no user and see every action.
    """
    rows = case.actions.select_related("created_by").prefetch_related("files").order_by("on", "id")
    if user is None:
        return rows
    hidden = hidden_advisory_ids(user=user, case_id=case.pk)
    return rows.exclude(data__advisory__in=hidden) if hidden else rows


def evidence_readable(file: EvidenceFile, user: Any) -> bool:
    """Whether ``user`` may download this evidence file (not the bundle of an unreadable draft)."""
    advisory = (file.action.data or {}).get("advisory")
    return advisory is None or advisory not in hidden_advisory_ids(user=user, case_id=file.action.case_id)


def case_obligations(case: Case) -> QuerySet[Obligation]:
    """The case's current obligations in rule order."""
    return case.obligations.order_by("position")
