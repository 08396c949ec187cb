"""The 30/60-day clock at its boundaries and the controlled-risk targets."""

from __future__ import annotations

import datetime as dt

import pytest

from medvigil.core.errors import InputError
from medvigil.core.remediation.calendar import Calendar
from medvigil.core.remediation.clock import (
    MilestoneState,
    case_milestones,
    controlled_targets_from_mapping,
    milestone_state,
)

D0 = dt.date(2026, 3, 2)


def _day(n: int) -> dt.date:
    return D0 + dt.timedelta(days=n)


@pytest.mark.parametrize(
    ("today", "state"),
    [(22, MilestoneState.PENDING), (23, MilestoneState.DUE_SOON), (29, MilestoneState.DUE_SOON),
     (30, MilestoneState.DUE_SOON), (31, MilestoneState.OVERDUE)],
)  # fmt: skip
def test_communication_due_on_day_30_overdue_on_day_31(today: int, state: MilestoneState) -> None:
    comm, fix = case_milestones(day0=D0, today=_day(today), uncontrolled=True)
    assert comm.name == "communication" and comm.due == _day(30) == dt.date(2026, 4, 1)
    assert comm.calendar is Calendar.CALENDAR_DAYS
    assert comm.state is state
    assert fix.due == _day(60) and fix.state in (MilestoneState.PENDING, MilestoneState.DUE_SOON)


@pytest.mark.parametrize(("done", "state"), [(29, MilestoneState.MET), (30, MilestoneState.MET),
                                             (31, MilestoneState.LATE)])  # fmt: skip
def test_done_on_day_30_is_met_day_31_is_late(done: int, state: MilestoneState) -> None:
    assert milestone_state(_day(30), _day(done), _day(45)) is state


def test_fix_milestone_day_60_and_61() -> None:
    assert case_milestones(day0=D0, today=_day(60), uncontrolled=True)[1].state is MilestoneState.DUE_SOON
    assert case_milestones(day0=D0, today=_day(61), uncontrolled=True)[1].state is MilestoneState.OVERDUE
    met = case_milestones(day0=D0, today=_day(90), uncontrolled=True, fix_done=_day(60))[1]
    assert met.state is MilestoneState.MET


def test_calendar_days_ignore_holidays() -> None:
    day0 = dt.date(2026, 11, 26)  # Thanksgiving; the guidance counts calendar days
    comm, fix = case_milestones(day0=day0, today=day0, uncontrolled=True)
    assert comm.due == dt.date(2026, 12, 26) and fix.due == dt.date(2027, 1, 25)


def test_controlled_targets_by_severity_and_configurable() -> None:
    (m,) = case_milestones(day0=D0, today=D0, uncontrolled=False, severity=5)
    assert m.name == "routine_update" and m.due == _day(30)
    targets = controlled_targets_from_mapping({"5": 14, "1": 400})
    (m,) = case_milestones(day0=D0, today=D0, uncontrolled=False, severity=5, controlled_targets=targets)
    assert m.due == _day(14)
    (m,) = case_milestones(day0=D0, today=D0, uncontrolled=False, severity=3, controlled_targets=targets)
    assert m.due == _day(90)
    for bad in ({"6": 10}, {"5": 0}, {"5": True}, {"4": "30"}):
        with pytest.raises(InputError) as exc:
            controlled_targets_from_mapping(bad)
        assert exc.value.field == "controlled_targets"
