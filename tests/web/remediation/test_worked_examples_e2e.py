"""The FDA's eight worked examples end to end through the case workflow (web services): assess and
confirm (risk app), record day 0, facts and the example's actions, move the case through its
lifecycle, and read the reporting obligations the case carries. The expected outcome per rule is
the same table the core and CLI tests use (tests/core/remediation/examples.py)."""

from __future__ import annotations

from typing import Any

import pytest

from medvigil.web.inventory import services as inventory
from medvigil.web.remediation import services
from medvigil.web.remediation.presenters import draft_806, draft_pma
from medvigil.web.risk import services as risk
from medvigil.web.risk.models import Case
from tests.core.remediation.examples import EXAMPLES as OUTCOMES
from tests.web.remediation.conftest import communicate, days_ago, fix_validated
from tests.web.risk.test_worked_examples import EXAMPLES, _case

pytestmark = pytest.mark.django_db
PMA = {"EX-C4", "EX-U1", "EX-U2"}
DAY0 = 74  # days ago: both milestones are behind us


def _assessed(example_id: str, analyst: Any) -> Case:
    example = EXAMPLES[example_id]
    case = _case(example_id, example, analyst)
    if example_id in PMA:
        inventory.product_update(product=case.product, device_class="III", pathway="pma")
    services.day0_set(case=case, day0=days_ago(DAY0), source="cvd", user=analyst,
                      reason="coordinated disclosure report received")  # fmt: skip
    risk.assessment_propose(case=case, inputs=example.inputs, user=analyst)
    risk.assessment_confirm(case=case, user=analyst, justification=example.justification)
    case.refresh_from_db()
    assert case.state == "assessed"
    return case


def _obligations(case: Case) -> dict[str, str]:
    return {o.code: o.outcome for o in case.obligations.all()}


def _close_uncontrolled(case: Case, analyst: Any) -> None:
    services.plan_set(case=case, plan="Firmware 1.1 closes the ports; firewall rule until then.",
                      rationale="CAPA-2026-17: 60-day path", user=analyst)  # fmt: skip
    for to in ("remediation", "monitoring", "closed"):
        services.case_transition(case=case, to=to, user=analyst, reason=f"{to} step of the worked example")


def _controlled(example_id: str, analyst: Any) -> Case:
    case = _assessed(example_id, analyst)
    if example_id == "EX-C1":
        services.action_record(case=case, kind="compensating_control", on=days_ago(60), user=analyst,
                               data={"text": "User instructions: run the antivirus scan weekly",
                                     "residual_risk": "acceptable"})  # fmt: skip
    else:
        services.action_record(case=case, kind="fix_release", on=days_ago(40), user=analyst,
                               data={"target_version": "1.0.1", "distributed": True})  # fmt: skip
    return case


def _uncontrolled(example_id: str, analyst: Any, isao: Any) -> Case:
    case = _assessed(example_id, analyst)
    if example_id == "EX-U2":
        isao.delete()  # not an ISAO member
    if example_id == "EX-U4":
        services.facts_update(case=case, user=analyst, reason="hospital report: death, exploit suspected",
                              changes={"event_occurred": True, "death_or_si_possible": True,
                                       "known_sae_or_death": True, "malfunction_recurrence_likely": True,
                                       "remedial_action_needed": True})  # fmt: skip
    if example_id == "EX-U2":
        services.facts_update(case=case, user=analyst, reason="harm up to death if exploited",
                              changes={"death_or_si_possible": True})  # fmt: skip
    communicate(case, analyst, days_ago(DAY0 - 18))
    if example_id != "EX-U2":
        services.action_record(case=case, kind="isao_share", on=days_ago(DAY0 - 18), user=analyst,
                               data={"isao": "H-ISAC", "shared": "customer letter of day 18"})  # fmt: skip
    if example_id == "EX-U3":  # disconnecting from the network controls the risk (EX-U3)
        disconnect = {"description": "Users instructed to disconnect the device from the network",
                      "modified_metrics": [["MAV", "P"]]}  # fmt: skip
        assert risk.assessment_change(case=case, changes={"controls": [disconnect]}, user=analyst).controlled
    fix_validated(case, analyst, days_ago(DAY0 - 55))
    return case


@pytest.mark.parametrize("example_id", sorted(EXAMPLES))
def test_worked_example_end_to_end(example_id: str, analyst: Any, isao: Any) -> None:
    expected = OUTCOMES[example_id][1]
    if EXAMPLES[example_id].expected == "controlled":
        case = _controlled(example_id, analyst)
        assert _obligations(case) == expected
        services.case_transition(case=case, to="closed", user=analyst, reason="routine update shipped")
    else:
        case = _uncontrolled(example_id, analyst, isao)
        assert _obligations(case) == expected
        _close_uncontrolled(case, analyst)
    case.refresh_from_db()
    assert case.state == "closed"
    moves = list(case.events.filter(data__has_key="to").order_by("at", "id").values_list("data", flat=True))
    assert moves[-1]["to"] == "closed" and all(m["from"] != m["to"] for m in moves)
    assert all(e.actor is not None for e in case.events.filter(kind__in=["closed", "action", "day0"]))
    if "R8" in expected:
        assert draft_pma(case)["fields"]["risk_conclusion"] in ("controlled", "uncontrolled")
    if {"R5", "R7"} & set(expected):
        draft = draft_806(case)
        assert draft["obligation"]["outcome"] == "required"
        assert draft["fields"]["consignees"] == ["customers"]
