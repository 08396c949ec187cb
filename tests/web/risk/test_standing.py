"""The risk and FDA clock shown follow the case's state and latest confirmed assessment."""

from __future__ import annotations

from typing import Any

from medvigil.web.dashboard.selectors import case_totals
from medvigil.web.risk import selectors, services
from medvigil.web.risk.models import Assessment, Case
from tests.web.conftest import login

NOT_AFFECTED = {
    "hazards": ["HAZ-1"],
    "component_affected": False,
    "vex_justification": "vulnerable_code_not_in_execute_path",
    "impact_statement": "The parser is never reached from the network.",
}


def _current(case: Case) -> Assessment:
    assessment = case.current_assessment
    assert assessment is not None
    return assessment


def test_a_closed_not_affected_case_shows_no_uncontrolled_risk_or_deadline(
    analyst: Any, viewer: Any, case: Case, hazards: Any
) -> None:
    services.assessment_change(case=case, changes=NOT_AFFECTED, user=analyst)
    case.refresh_from_db()
    assert _current(case).vex_status == "not_affected"
    assert selectors.case_standing(case).label == "not affected (VEX)"
    assert not selectors.case_clock(case)["running"]
    assert case_totals()["uncontrolled"] == 0
    services.case_close(case=case, user=analyst, note="not affected")
    case.refresh_from_db()

    page = login(viewer).get(f"/risk/cases/{case.pk}/").content.decode()
    risk = page.split('id="case-risk">', 1)[1].split("</dd>", 1)[0]
    clock = page.split('id="case-clock">', 1)[1].split("</dd>", 1)[0]
    assert "uncontrolled" not in risk and "closed · not affected (VEX)" in risk
    assert "communicate by" not in clock and "no deadline: closed" in clock
    listing = login(viewer).get("/risk/cases/?state=closed").content.decode()
    assert 'data-risk="closed · not affected (VEX)"' in listing and 'data-risk="uncontrolled"' not in listing
    assert "regulatory.md" not in page


def test_an_uncontrolled_confirmed_case_runs_the_clock_until_controlled(
    analyst: Any, viewer: Any, case: Case, hazards: Any
) -> None:
    services.assessment_change(case=case, changes={"hazards": ["HAZ-1"]}, user=analyst)
    case.refresh_from_db()
    assert not _current(case).controlled
    standing = selectors.case_standing(case)
    assert (standing.label, standing.tone, standing.clock_running) == ("uncontrolled", "bad", True)
    page = login(viewer).get(f"/risk/cases/{case.pk}/").content.decode()
    assert "communicate by" in page.split('id="case-clock">', 1)[1].split("</dd>", 1)[0]
    assert (
        login(viewer).get("/risk/cases/?risk=uncontrolled").content.decode().count('data-risk="uncontrolled"')
        == 1
    )
    # A newer suggestion does not replace the confirmed risk until it is confirmed.
    services.assessment_propose(case=case, inputs={**_current(case).inputs, **NOT_AFFECTED})
    case.refresh_from_db()
    assert _current(case).status == "suggested"
    assert selectors.case_standing(case).label == "uncontrolled"
    assert selectors.case_standing(case).clock_running
