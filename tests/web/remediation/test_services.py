"""Remediation services: the live R6 -> R7 flip, alerts, evidence hashing and limits, day 0,
facts refused before anything is written, the daily refresh and the set-based clock page."""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

import pytest

from medvigil.core.errors import InputError
from medvigil.web.remediation import selectors, services
from medvigil.web.remediation.models import CaseFile, EvidenceFile
from medvigil.web.risk import services as risk
from medvigil.web.risk.models import Case
from tests.web.remediation.conftest import communicate, days_ago

pytestmark = pytest.mark.django_db


@pytest.fixture
def uncontrolled(case: Case, hazards: Any, analyst: Any, isao: Any) -> Case:
    services.day0_set(case=case, day0=days_ago(20), source="feed", user=analyst)
    risk.assessment_propose(case=case)
    risk.assessment_confirm(case=case, user=analyst)
    case.refresh_from_db()
    assert case.current_assessment is not None and not case.current_assessment.controlled
    return case


def _codes(case: Case) -> list[tuple[str, str]]:
    return list(case.obligations.values_list("code", "outcome"))


def test_r6_flips_to_r7_on_day_31_in_the_daily_refresh(uncontrolled: Case, analyst: Any) -> None:
    assert _codes(uncontrolled) == [("R6", "not_enforced")]
    day30 = uncontrolled.day0 + dt.timedelta(days=30)
    services.obligations_refresh(today=day30)
    casefile = CaseFile.objects.get(case=uncontrolled)
    assert casefile.clock_state == "due_soon" and casefile.next_milestone == "communication"
    assert uncontrolled.events.filter(kind="clock-alert").exists()
    services.obligations_refresh(today=day30 + dt.timedelta(days=1))
    assert _codes(uncontrolled) == [("R7", "required")]
    alert = uncontrolled.events.filter(kind="obligations").first()
    assert alert is not None and "R7 required" in alert.message
    assert CaseFile.objects.get(case=uncontrolled).clock_state == "overdue"


def test_incomplete_communication_does_not_meet_day_30(uncontrolled: Case, analyst: Any) -> None:
    action = communicate(uncontrolled, analyst, days_ago(1), parts="abd")
    assert action.data["parts"] == ["a", "b", "d"]
    day31 = uncontrolled.day0 + dt.timedelta(days=31)
    services.obligations_refresh(today=day31)
    (r7,) = uncontrolled.obligations.all()
    assert r7.code == "R7" and "part(s) c missing" in r7.reason


def test_evidence_is_kept_with_its_sha256_and_limited(
    uncontrolled: Case, analyst: Any, settings: Any
) -> None:
    body = b"validation report\n"
    fix = services.action_record(
        case=uncontrolled,
        kind="fix_release",
        on=days_ago(1),
        user=analyst,
        data={"target_version": "2.0"},
        files=[("report.txt", body, "text/plain")],
    )
    stored = EvidenceFile.objects.get(action=fix)
    assert stored.sha256 == hashlib.sha256(body).hexdigest() and bytes(stored.content) == body
    settings.EVIDENCE_MAX_BYTES = 10
    before = uncontrolled.actions.count()
    with pytest.raises(InputError, match="limit is 10"):
        services.action_record(
            case=uncontrolled,
            kind="isao_share",
            on=days_ago(1),
            user=analyst,
            data={"isao": "H-ISAC", "shared": "advisory"},
            files=[("big.bin", b"x" * 11, "")],
        )
    assert uncontrolled.actions.count() == before  # nothing half-written


@pytest.mark.parametrize(
    ("kind", "data", "field"),
    [
        ("fix_release", {}, "target_version"),
        ("compensating_control", {"text": "VLAN", "residual_risk": "low", "accepted": True}, "accepted"),
        ("communication", {"content": {"a": "x"}}, "audience"),
        ("validation", {"result": "ok", "fix_action": 999}, "fix_action"),
        ("teleport", {}, "kind"),
    ],
)
def test_bad_actions_name_the_field(
    uncontrolled: Case, analyst: Any, kind: str, data: Any, field: str
) -> None:
    with pytest.raises(InputError) as exc:
        services.action_record(case=uncontrolled, kind=kind, on=days_ago(1), user=analyst, data=data)
    assert exc.value.field == field


def test_day0_rules_and_history(uncontrolled: Case, analyst: Any) -> None:
    with pytest.raises(InputError, match="needs a reason"):
        services.day0_set(case=uncontrolled, day0=days_ago(5), source="manual", user=analyst)
    with pytest.raises(InputError, match="future"):
        services.day0_set(case=uncontrolled, day0=days_ago(-1), source="cvd", user=analyst)
    services.day0_set(
        case=uncontrolled, day0=days_ago(40), source="manual", user=analyst, reason="email of 1 Oct"
    )
    event = uncontrolled.events.filter(kind="day0").first()
    assert event is not None and event.reason == "email of 1 Oct" and event.actor == analyst
    assert _codes(uncontrolled) == [("R7", "required")]  # day 30 already passed


def test_contradictory_facts_are_refused_before_writing(uncontrolled: Case, analyst: Any) -> None:
    with pytest.raises(InputError) as exc:
        services.facts_update(
            case=uncontrolled, changes={"known_sae_or_death": True}, user=analyst, reason="x"
        )
    assert exc.value.field == "known_sae_or_death"
    assert CaseFile.objects.get(case=uncontrolled).facts == {}
    with pytest.raises(InputError, match="reason"):
        services.facts_update(case=uncontrolled, changes={"event_occurred": True}, user=analyst, reason="")


def test_reopen_needs_a_reason_and_is_recorded(case: Case, hazards: Any, analyst: Any) -> None:
    risk.assessment_change(case=case, changes={"phi_only": True, "hazards": []}, user=analyst)
    services.case_transition(case=case, to="closed", user=analyst, reason="PHI-only; HIPAA workflow")
    with pytest.raises(InputError, match="needs a reason"):
        services.case_transition(case=case, to="triage", user=analyst)
    services.case_transition(case=case, to="triage", user=analyst, reason="new exploit shows patient harm")
    event = case.events.filter(kind="reopened").first()
    assert event is not None and event.data == {"from": "closed", "to": "triage"} and event.actor == analyst


def test_clock_page_orders_by_due_date(uncontrolled: Case, analyst: Any, product: Any) -> None:
    from tests.web.risk.conftest import NETWORK_RCE, make_vulnerability

    other, _ = risk.case_open(product=product, vulnerability=make_vulnerability("CVE-2026-0002", NETWORK_RCE))
    services.day0_set(case=other, day0=days_ago(28), source="feed", user=analyst)
    risk.assessment_propose(case=other)
    page = selectors.clock_page()
    assert [r.case for r in page.rows] == [other.pk, uncontrolled.pk]
    assert page.rows[0].clock_state == "due_soon" and page.total == 2
    assert [r.case for r in selectors.at_risk_this_week()] == [other.pk]
    with pytest.raises(InputError):
        selectors.clock_page(limit=0)


def test_the_hourly_refresh_evaluates_only_the_cases_not_evaluated_today(uncontrolled: Case) -> None:
    # huey skips a periodic run missed while no worker ran: the job runs hourly and catches up,
    # evaluating each open case once a day.
    day30 = uncontrolled.day0 + dt.timedelta(days=30)
    assert services.obligations_refresh(today=day30, stale_only=True) == 1  # the day's first run
    assert services.obligations_refresh(today=day30, stale_only=True) == 0  # the next hours: nothing
    assert uncontrolled.events.filter(kind="clock-alert").count() == 1
    assert services.obligations_refresh(today=day30 + dt.timedelta(days=1), stale_only=True) == 1
    assert _codes(uncontrolled) == [("R7", "required")]
