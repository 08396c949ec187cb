"""The case states stored and offered are exactly the core lifecycle's (one list, not two)."""

from __future__ import annotations

from medvigil.core.remediation.lifecycle import TRANSITIONS, CaseStatus
from medvigil.web.risk.models import Case, CaseState


def test_case_states_are_the_core_lifecycle_states() -> None:
    assert CaseState.choices == [(s.value, s.value.title()) for s in CaseStatus]
    assert set(CaseState.values) == {s.value for s in TRANSITIONS}
    assert CaseState.NEW == CaseStatus.NEW.value == "new"
    assert Case._meta.get_field("state").choices == CaseState.choices
    assert Case._meta.get_field("state").default == CaseStatus.NEW
