"""Case lifecycle guards and the four-part communication check."""

from __future__ import annotations

import pytest

from medvigil.core.errors import InputError
from medvigil.core.remediation.communication import communication_parts, missing_parts
from medvigil.core.remediation.lifecycle import (
    TRANSITIONS,
    CaseSnapshot,
    CaseStatus,
    TransitionError,
    check_transition,
    transition_refusals,
)

S = CaseStatus
CONFIRMED = {"has_assessment": True, "assessment_confirmed": True}


def test_the_happy_path_of_an_uncontrolled_case() -> None:
    steps = [
        (S.NEW, S.TRIAGE, {}),
        (S.TRIAGE, S.ASSESSED, CONFIRMED),
        (S.ASSESSED, S.REMEDIATION, CONFIRMED | {"uncontrolled": True, "has_plan": True}),
        (S.REMEDIATION, S.MONITORING, CONFIRMED | {"uncontrolled": True, "has_plan": True,
                                                   "fix_validated_distributed": True}),
        (S.MONITORING, S.CLOSED, CONFIRMED | {"ever_uncontrolled": True, "has_plan": True,
                                              "fix_validated_distributed": True}),
    ]  # fmt: skip
    for start, to, facts in steps:
        check_transition(CaseSnapshot(status=start, **facts), to)


def test_no_close_without_a_confirmed_assessment() -> None:
    assert transition_refusals(CaseSnapshot(S.ASSESSED), S.CLOSED) == [
        "a case without an assessment cannot move on: propose and confirm one"
    ]
    suggested = CaseSnapshot(S.ASSESSED, has_assessment=True)
    assert "only suggested" in transition_refusals(suggested, S.CLOSED)[0]
    with pytest.raises(TransitionError) as exc:
        check_transition(CaseSnapshot(S.ASSESSED, **CONFIRMED, review_needed=True), S.CLOSED)
    assert exc.value.field == "state" and "re-review" in str(exc.value)


def test_uncontrolled_needs_a_plan_and_a_distributed_fix_or_accepted_control() -> None:
    base = CaseSnapshot(S.ASSESSED, **CONFIRMED, uncontrolled=True)
    assert transition_refusals(base, S.REMEDIATION) == ["an uncontrolled risk needs a remediation plan first"]
    planned = CaseSnapshot(S.REMEDIATION, **CONFIRMED, uncontrolled=True, has_plan=True)
    (why,) = transition_refusals(planned, S.CLOSED)
    assert "not validated and distributed" in why
    controlled = CaseSnapshot(S.REMEDIATION, **CONFIRMED, uncontrolled=True, has_plan=True,
                              long_term_control_accepted=True)  # fmt: skip
    assert transition_refusals(controlled, S.CLOSED) == []
    # once uncontrolled, a later controlled assessment does not skip the evidence
    later = CaseSnapshot(S.ASSESSED, **CONFIRMED, ever_uncontrolled=True)
    assert len(transition_refusals(later, S.CLOSED)) == 2
    # not affected (VEX) needs no remediation
    assert transition_refusals(CaseSnapshot(S.ASSESSED, **CONFIRMED, uncontrolled=True, not_affected=True),
                               S.CLOSED) == []  # fmt: skip


def test_reopen_needs_a_reason_and_unknown_moves_are_refused() -> None:
    closed = CaseSnapshot(S.CLOSED, **CONFIRMED)
    assert transition_refusals(closed, S.TRIAGE) == ["reopening a closed case needs a reason"]
    assert transition_refusals(closed, S.TRIAGE, "new exploit published") == []
    assert "cannot move" in transition_refusals(CaseSnapshot(S.NEW), S.CLOSED)[0]
    assert "without an assessment" in transition_refusals(CaseSnapshot(S.NEW), S.CLOSED)[1]
    assert all(S.TRIAGE in targets or start is S.TRIAGE for start, targets in TRANSITIONS.items())


def test_communication_parts_need_real_text() -> None:
    content = {"a": "Unauthenticated firmware download via port 4444", "b": "short", "c": "", "d": "x" * 25}
    assert communication_parts(content) == frozenset({"a", "d"})
    assert [m[:3] for m in missing_parts(content)] == ["(b)", "(c)"]
    with pytest.raises(InputError):
        communication_parts({"e": "something long enough to count as text"})
