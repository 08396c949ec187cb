"""Risk services: proposing, confirming, changing, closing, matrices, hazards and carry-over."""

from __future__ import annotations

from typing import Any

import pytest

from medvigil.core.errors import InputError
from medvigil.web.inventory import services as inventory
from medvigil.web.risk import services
from medvigil.web.risk.models import Assessment, Case, CaseState
from tests.web.risk.conftest import PHYSICAL, component_dict, make_vulnerability, new_version


def test_propose_confirm_change_keeps_every_version(case: Case, hazards: Any, analyst: Any) -> None:
    suggested = services.assessment_propose(case=case)
    assert suggested.status == "suggested" and suggested.created_by is None
    # express is linked to HAZ-2 (serious); network vector, no KEV: high band -> uncontrolled
    assert suggested.inputs["hazards"] == ["HAZ-2"]
    assert (suggested.exploitability, suggested.severity_level.label, suggested.risk) == (
        "high",
        "serious",
        "uncontrolled",
    )
    confirmed = services.assessment_confirm(case=case, user=analyst)
    assert confirmed.status == "confirmed" and confirmed.based_on == suggested
    assert confirmed.result["assessor"] == "bob"
    disconnect = {"description": "Wi-Fi disabled in the field", "modified_metrics": [["MAV", "P"]]}
    changed = services.assessment_change(case=case, changes={"controls": [disconnect]}, user=analyst)
    assert changed.controlled is True and changed.exploitability == "low"
    history = list(case.assessments.order_by("number").values_list("number", "status", "controlled"))
    assert history == [(1, "suggested", False), (2, "confirmed", False), (3, "confirmed", True)]
    suggested.refresh_from_db()
    assert suggested.result["decision"]["result"] == "uncontrolled"  # earlier versions never change
    case.refresh_from_db()
    assert case.current_assessment == changed and case.state == CaseState.ASSESSED
    kinds = [e.kind for e in case.events.order_by("at", "id")]
    assert [k for k in kinds if k != "transition"][-3:] == ["proposed", "confirmed", "changed"]
    moves = [e.data for e in case.events.filter(kind="transition").order_by("at", "id")]
    assert moves == [{"from": "new", "to": "triage"}, {"from": "triage", "to": "assessed"}]


def test_a_case_cannot_close_before_its_risk_is_settled(case: Case, hazards: Any, analyst: Any) -> None:
    with pytest.raises(InputError, match="without an assessment"):
        services.case_close(case=case, user=analyst)
    services.assessment_propose(case=case)
    with pytest.raises(InputError, match="only suggested"):
        services.case_close(case=case, user=analyst)
    services.assessment_confirm(case=case, user=analyst)
    with pytest.raises(InputError, match="uncontrolled"):
        services.case_close(case=case, user=analyst)
    services.assessment_change(
        case=case, changes={"hazards": ["HAZ-2"], "component_affected": False,
                            "vex_justification": "vulnerable_code_not_in_execute_path"}, user=analyst,
    )  # fmt: skip
    closed = services.case_close(case=case, user=analyst, note="express router not used")
    assert closed.state == CaseState.CLOSED
    assert [e.kind for e in closed.events.all()[:1]] == ["closed"]


def test_a_controlled_confirmed_case_closes(case: Case, hazards: Any, analyst: Any) -> None:
    services.assessment_change(case=case, changes={"phi_only": True, "hazards": []}, user=analyst)
    assert services.case_close(case=case, user=analyst).state == CaseState.CLOSED


def test_borderline_cells_need_a_justification(
    product: Any, version: Any, hazards: Any, analyst: Any
) -> None:
    vuln = make_vulnerability("CVE-2026-0002", PHYSICAL)
    case, _ = services.case_open(product=product, vulnerability=vuln)
    services.assessment_propose(case=case, inputs={"hazards": ["HAZ-1"]})
    # catastrophic x low is borderline (uncontrolled) in the default matrix
    with pytest.raises(InputError) as err:
        services.assessment_confirm(case=case, user=analyst)
    assert err.value.field == "justification"
    assert case.assessments.count() == 1
    done = services.assessment_confirm(case=case, user=analyst, justification="Needs the housing opened.")
    assert done.borderline and done.justification == "Needs the housing opened."


def test_intelligence_feeds_the_suggestion(product: Any, hazards: Any) -> None:
    vuln = make_vulnerability(
        "CVE-2026-0003", "CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H", kev=True, epss=0.4
    )
    case, _ = services.case_open(product=product, vulnerability=vuln)
    made = services.assessment_propose(case=case, inputs={"hazards": ["HAZ-2"]})
    exploit = made.result["exploitability"]
    assert exploit["base_band"] == "medium" and exploit["band"] == "high"  # raised for KEV
    assert exploit["kev"] is True and exploit["epss"] == 0.4
    assert made.result["cvss_used"]["vector"].startswith("CVSS:3.1/AV:L")


def test_no_hazard_analysis_means_reasonable_worst_case(case: Case) -> None:
    made = services.assessment_propose(case=case)
    assert made.severity_level.label == "catastrophic" and not made.controlled
    assert "No hazard" in made.reasons[0]


def test_matrix_edits_are_versioned_and_used(case: Case, hazards: Any, analyst: Any) -> None:
    first = services.matrix_current(product=case.product)
    before = services.assessment_propose(case=case, inputs={"hazards": ["HAZ-2"]})
    cells = first.data["cells"]
    cells["serious"]["high"] = {
        "result": "controlled",
        "borderline": True,
        "rationale": "pump has hard limits",
    }
    second = services.matrix_update(
        product=case.product, data={"cells": cells}, user=analyst, note="hard limits"
    )
    after = services.assessment_propose(case=case)
    assert (first.version, second.version) == (1, 2)
    assert before.matrix == first and before.controlled is False
    assert after.matrix == second and after.controlled is True and after.borderline is True
    with pytest.raises(InputError):
        services.matrix_update(product=case.product, data={"cells": {"serious": {}}})


def test_unknown_hazard_and_bad_inputs_are_refused(case: Case, hazards: Any) -> None:
    with pytest.raises(InputError) as err:
        services.assessment_propose(case=case, inputs={"hazards": ["HAZ-9"]})
    assert err.value.field == "hazards"
    with pytest.raises(InputError) as err:
        services.assessment_propose(case=case, inputs={"maturity": "weaponised"})
    assert err.value.field == "maturity"
    with pytest.raises(InputError) as err:
        services.assessment_propose(case=case, inputs={"rubric_answers": {"XAVN": "maybe"}})
    assert err.value.field == "XAVN"
    assert not Assessment.objects.exists()


def test_carry_over_to_an_unchanged_version_and_re_review_on_change(
    case: Case, hazards: Any, analyst: Any
) -> None:
    services.assessment_change(case=case, changes={"hazards": ["HAZ-2"]}, user=analyst)
    same = new_version(case.product, "2.2")
    services.case_add_version(
        case=case, product_version=same,
        components=[component_dict("express", "4.17.1", "pkg:npm/express@4.17.1")],
    )  # fmt: skip
    assert services.case_review_check(case=case) == "carried"
    carried = case.scope.get(product_version=same)
    assert carried.carried and carried.covered_by == case.current_assessment
    assert [e.kind for e in case.events.all()[:1]] == ["carried-over"]

    bumped = new_version(case.product, "2.3")
    services.case_add_version(
        case=case, product_version=bumped,
        components=[component_dict("express", "4.18.0", "pkg:npm/express@4.18.0")],
    )  # fmt: skip
    assert services.case_review_check(case=case) == "review"
    case.refresh_from_db()
    assert case.review_needed and case.state == CaseState.TRIAGE
    assert "2.3" in case.review_reason and "pkg:npm/express@4.18.0" in case.review_reason
    with pytest.raises(InputError, match="re-review"):
        services.case_close(case=case, user=analyst)
    services.assessment_confirm(case=case, user=analyst)  # the analyst re-confirms after review
    case.refresh_from_db()
    assert not case.review_needed and case.scope.filter(covered_by=case.current_assessment).count() == 3


def test_changed_interfaces_reopen_a_closed_case(case: Case, hazards: Any, analyst: Any) -> None:
    services.assessment_change(case=case, changes={"phi_only": True, "hazards": []}, user=analyst)
    services.case_close(case=case, user=analyst)
    inventory.product_update(product=case.product, description="renamed only")
    case.refresh_from_db()
    assert case.state == CaseState.CLOSED
    inventory.product_update(product=case.product, interfaces=["wifi", "usb", "ble"])
    case.refresh_from_db()
    assert case.state == CaseState.TRIAGE and case.review_needed
    assert "interfaces changed" in case.review_reason
    assert case.events.all()[0].message.startswith("reopened for re-review")


def test_first_party_vulnerability_becomes_a_case_and_joins_its_cve(
    product: Any, version: Any, analyst: Any
) -> None:
    from tests.web.conftest import demo_file

    inventory.sbom_import(
        product_version=version, data=demo_file("dropwizard-1.3.15.cdx.json"), filename="b.json"
    )
    case = services.first_party_record(
        product=product, title="Battery drain by repeated BLE wake-ups", versions=["2.1"],
        components=["pkg:maven/com.fasterxml.jackson.core/jackson-databind"],
        cvss_vector="CVSS:3.1/AV:A/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H", user=analyst,
    )  # fmt: skip
    key = case.vulnerability.key
    assert key.startswith("MV-") and case.first_party and case.state == CaseState.NEW
    scope = case.scope.get()
    assert scope.components[0]["name"] == "jackson-databind"
    made = services.assessment_propose(
        case=case, inputs={"analyst_severity": "serious", "severity_rationale": "pump stops; alarm"}
    )
    assert made.result["cvss_used"]["vector"].startswith("CVSS:3.1/AV:A")
    joined = services.first_party_alias(case=case, alias="CVE-2026-4242", user=analyst)
    joined.vulnerability.refresh_from_db()
    assert joined.vulnerability.key == "CVE-2026-4242"
    assert set(joined.vulnerability.aliases.values_list("alias", flat=True)) == {key, "CVE-2026-4242"}
    with pytest.raises(InputError):
        services.first_party_record(product=product, title="x", versions=["9.9"])


def test_hazard_validation(product: Any, hazards: Any) -> None:
    with pytest.raises(InputError) as err:
        services.hazard_create(
            product=product, identifier="HAZ-1", hazardous_situation="s", harm="h", severity="minor"
        )
    assert err.value.field == "identifier"
    with pytest.raises(InputError) as err:
        services.hazard_create(
            product=product, identifier="HAZ-3", hazardous_situation="s", harm="h", severity="deadly"
        )
    assert err.value.field == "severity"
    changed = services.hazard_update(
        hazard=hazards["HAZ-2"], severity="critical", links={"functions": "a, b"}
    )
    assert changed.severity == 4 and changed.links == {"functions": ["a", "b"]}


def test_first_party_joins_a_known_cve_and_the_two_cases_merge(
    product: Any, version: Any, hazards: Any, analyst: Any
) -> None:
    known = make_vulnerability("CVE-2026-7777", PHYSICAL)
    feed_case, _ = services.case_open(product=product, vulnerability=known)
    services.assessment_propose(case=feed_case, inputs={"hazards": ["HAZ-2"]})
    mine = services.first_party_record(
        product=product, title="Debug UART open", versions=["2.1"], user=analyst
    )
    services.assessment_change(case=mine, changes={"hazards": ["HAZ-1"]}, user=analyst)
    first_party_key = mine.vulnerability.key
    merged = services.first_party_alias(case=mine, alias="CVE-2026-7777", user=analyst)
    assert merged.pk == feed_case.pk and Case.objects.filter(product=product).count() == 1
    assert merged.vulnerability.key == "CVE-2026-7777"
    assert first_party_key in set(merged.vulnerability.aliases.values_list("alias", flat=True))
    assert list(merged.assessments.order_by("number").values_list("number", flat=True)) == [1, 2]
    assert merged.first_party and merged.scope.count() == 1
    assert {"identity-merged", "alias-joined"} <= set(merged.events.values_list("kind", flat=True))
