"""The FDA clocks of a case (regulatory.md 1.7, 9) and the state of each milestone.

Uncontrolled risk: customer communication by day 0 + 30 and a validated, distributed fix by
day 0 + 60, both calendar days (the guidance does not say working days). Controlled risk has no
FDA deadline; the targets by severity are an implementation default the organisation can change.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

from medvigil.core.errors import InputError
from medvigil.core.remediation.calendar import Calendar, add_calendar_days

__all__ = [
    "COMMUNICATION_DAYS",
    "DEFAULT_CONTROLLED_TARGETS",
    "DUE_SOON_DAYS",
    "FIX_DAYS",
    "Milestone",
    "MilestoneState",
    "controlled_targets_from_mapping",
    "milestone_state",
    "case_milestones",
]

COMMUNICATION_DAYS = 30
FIX_DAYS = 60
DUE_SOON_DAYS = 7
"""A milestone not met within this many calendar days of its due date is "due soon" (at risk)."""

DEFAULT_CONTROLLED_TARGETS: Mapping[int, int] = {5: 30, 4: 60, 3: 90, 2: 180, 1: 365}
"""Controlled risk: calendar days from day 0 to the routine update, by ISO 14971 severity
(5 catastrophic ... 1 negligible). basis = implementation-default, not an FDA number."""


class MilestoneState(StrEnum):
    """Where a milestone stands on a given day."""

    PENDING = "pending"
    DUE_SOON = "due_soon"
    OVERDUE = "overdue"
    MET = "met"
    LATE = "late"
    """Done, but after the due date."""


@dataclass(frozen=True, slots=True)
class Milestone:
    """One dated obligation of the clock."""

    name: str
    """``communication``, ``fix`` or ``routine_update``."""
    due: dt.date
    calendar: Calendar
    done: dt.date | None
    state: MilestoneState
    basis: str

    def to_dict(self) -> dict[str, str | None]:
        """JSON form."""
        return {
            "name": self.name,
            "due": self.due.isoformat(),
            "calendar": self.calendar.value,
            "done": self.done.isoformat() if self.done else None,
            "state": self.state.value,
            "basis": self.basis,
        }


def milestone_state(
    due: dt.date, done: dt.date | None, today: dt.date, *, soon_days: int = DUE_SOON_DAYS
) -> MilestoneState:
    """Met (done on or before the due date), late, overdue (not done, due date passed), due soon
    (not done, due within ``soon_days``) or pending."""
    if done is not None:
        return MilestoneState.MET if done <= due else MilestoneState.LATE
    if today > due:
        return MilestoneState.OVERDUE
    if (due - today).days <= soon_days:
        return MilestoneState.DUE_SOON
    return MilestoneState.PENDING


def controlled_targets_from_mapping(raw: Mapping[str, object]) -> dict[int, int]:
    """Validate a ``{"5": days, ...}`` mapping of targets by severity."""
    targets = dict(DEFAULT_CONTROLLED_TARGETS)
    for key, value in raw.items():
        if str(key) not in {"1", "2", "3", "4", "5"}:
            raise InputError(f"severity {key!r} is not 1-5", field="controlled_targets")
        if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= 3650:
            raise InputError(f"target for severity {key} must be 1-3650 days", field="controlled_targets")
        targets[int(key)] = value
    return targets


def case_milestones(
    *,
    day0: dt.date,
    today: dt.date,
    uncontrolled: bool,
    severity: int = 3,
    communication_done: dt.date | None = None,
    fix_done: dt.date | None = None,
    controlled_targets: Mapping[int, int] | None = None,
) -> list[Milestone]:
    """The case's milestones, earliest due first."""
    if uncontrolled:
        return [
            Milestone(
                "communication",
                add_calendar_days(day0, COMMUNICATION_DAYS),
                Calendar.CALENDAR_DAYS,
                communication_done,
                milestone_state(add_calendar_days(day0, COMMUNICATION_DAYS), communication_done, today),
                "FDA 2016 VII.B (PM-UNC-3.2): customers, users and ISAO told, interim controls, plan",
            ),
            Milestone(
                "fix",
                add_calendar_days(day0, FIX_DAYS),
                Calendar.CALENDAR_DAYS,
                fix_done,
                milestone_state(add_calendar_days(day0, FIX_DAYS), fix_done, today),
                "FDA 2016 VII.B (PM-UNC-3.3): validated fix distributed or long-term compensating control",
            ),
        ]
    targets = controlled_targets or DEFAULT_CONTROLLED_TARGETS
    days = targets.get(severity, DEFAULT_CONTROLLED_TARGETS[3])
    due = add_calendar_days(day0, days)
    return [
        Milestone(
            "routine_update",
            due,
            Calendar.CALENDAR_DAYS,
            fix_done,
            milestone_state(due, fix_done, today),
            f"implementation-default target for severity {severity}: {days} days (controlled risk)",
        )
    ]
