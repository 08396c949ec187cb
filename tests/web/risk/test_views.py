"""Risk pages: rendering per role, the assessment form, hazard and matrix editors, heat map."""

from __future__ import annotations

from typing import Any

from django.test import Client

from medvigil.web.risk import services
from medvigil.web.risk.models import Case
from tests.web.conftest import login


def _form(case: Case, **extra: Any) -> dict[str, Any]:
    data = {"component_affected": "yes", "hazards": ["HAZ-2"], "action": "confirm"}
    data.update(extra)
    return data


def test_pages_render_for_a_viewer_without_write_controls(viewer: Any, case: Case, hazards: Any) -> None:
    services.assessment_propose(case=case)
    client = login(viewer)
    for url in ("/risk/", "/risk/cases/", f"/risk/cases/{case.pk}/", "/products/pump-x/hazards/",
                "/products/pump-x/risk-matrix/"):  # fmt: skip
        resp = client.get(url)
        assert resp.status_code == 200, url
        assert b"Save and confirm" not in resp.content and b"Save hazard" not in resp.content
    page = client.get(f"/risk/cases/{case.pk}/").content.decode()
    assert "exploitability-panel" in page and "harm-panel" in page and "HAZ-2" in page
    assert client.post(f"/risk/cases/{case.pk}/confirm/").status_code == 403
    assert client.get("/products/pump-x/cases/new/").status_code == 403
    assert client.get("/risk/cases/9999/").status_code == 404


def test_outsider_is_refused_and_anonymous_goes_to_login(outsider: Any, case: Case) -> None:
    assert login(outsider).get("/risk/cases/").status_code == 403
    assert Client().get("/risk/").status_code == 302


def test_analyst_assesses_through_the_form(analyst: Any, case: Case, hazards: Any) -> None:
    client = login(analyst)
    resp = client.post(f"/risk/cases/{case.pk}/assess/", _form(case, controls="Wi-Fi disabled | MAV:P"))
    assert resp.status_code == 302, resp.content
    made = case.assessments.get()
    assert made.status == "confirmed" and made.controlled and made.created_by == analyst
    assert made.inputs["controls"] == [{"description": "Wi-Fi disabled", "modified_metrics": [["MAV", "P"]]}]
    page = client.get(f"/risk/cases/{case.pk}/").content.decode()
    assert "Wi-Fi disabled" in page and "controlled" in page


def test_rubric_answers_from_the_questionnaire_set_the_vector(analyst: Any, case: Case, hazards: Any) -> None:
    answers = {"rubric_XAVN": "no", "rubric_XAVP": "yes", "rubric_XACL": "yes", "rubric_XPRL": "no",
               "rubric_XUI": "no", "rubric_XS": "no"}  # fmt: skip
    resp = login(analyst).post(
        f"/risk/cases/{case.pk}/assess/", _form(case, use_rubric="on", action="suggest", **answers)
    )
    assert resp.status_code == 302
    made = case.assessments.get()
    assert made.status == "suggested" and made.result["rubric"]["vector"].startswith(
        "CVSS:3.0/AV:P/AC:L/PR:N"
    )
    assert made.exploitability == "low"


def test_errors_keep_the_form_and_save_nothing(analyst: Any, case: Case, hazards: Any) -> None:
    resp = login(analyst).post(
        f"/risk/cases/{case.pk}/assess/", _form(case, hazards=[], analyst_severity="critical")
    )
    assert resp.status_code == 400 and b"rationale" in resp.content
    assert not case.assessments.exists()


def test_writes_need_the_csrf_token(analyst: Any, case: Case) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(analyst)
    assert client.post(f"/risk/cases/{case.pk}/propose/").status_code == 403
    assert not case.assessments.exists()


def test_hazard_and_matrix_editors(analyst: Any, product: Any) -> None:
    client = login(analyst)
    resp = client.post("/products/pump-x/hazards/", {
        "identifier": "HAZ-9", "hazardous_situation": "Occlusion alarm silenced", "harm": "Missed occlusion",
        "severity": "serious", "components": "express, lodash",
    })  # fmt: skip
    assert resp.status_code == 302
    hazard = product.hazards.get()
    assert hazard.links == {"components": ["express", "lodash"]} and hazard.severity == 3
    dup = client.post("/products/pump-x/hazards/", {"identifier": "HAZ-9", "hazardous_situation": "x",
                                                    "harm": "y", "severity": "minor"})  # fmt: skip
    assert dup.status_code == 400 and product.hazards.get().severity == 3
    page = client.get("/products/pump-x/risk-matrix/")
    form = page.context["form"]
    data = {name: field.initial for name, field in form.fields.items() if field.initial is not None}
    data = {k: v for k, v in data.items() if v is not False}
    data.update({"serious_high_result": "controlled", "serious_high_borderline": "on", "note": "hard limits"})
    assert client.post("/products/pump-x/risk-matrix/", data).status_code == 302
    current = services.matrix_current(product=product)
    assert current.version == 2 and current.data["cells"]["serious"]["high"]["result"] == "controlled"
    assert current.data["cells"]["catastrophic"]["low"]["borderline"] is True  # unchanged cells kept


def test_heat_map_counts_open_cases(viewer: Any, analyst: Any, case: Case, hazards: Any) -> None:
    services.assessment_change(case=case, changes={"hazards": ["HAZ-1"]}, user=analyst)
    page = login(viewer).get("/risk/").content.decode()
    cell = page.split('data-severity="catastrophic" data-band="high"', 1)[1].split("</td>", 1)[0]
    assert "<b>1</b>" in cell and "1 uncontrolled" in cell


def test_first_party_form_opens_a_case(analyst: Any, version: Any) -> None:
    resp = login(analyst).post(
        "/products/pump-x/cases/new/", {"title": "Researcher report: debug UART open", "versions": ["2.1"]}
    )
    assert resp.status_code == 302
    case = Case.objects.get()
    assert resp["Location"] == f"/risk/cases/{case.pk}/" and case.first_party


def _policy_form(**extra: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "high_threshold": "2.8", "medium_threshold": "1.8", "v2_high_threshold": "8.0",
        "v2_medium_threshold": "3.9", "raise_on_kev": "on", "raise_on_maturity": ["functional", "high"],
        "epss_raise_threshold": "", "credit_compensating_controls": "on", "no_vector_band": "high",
        "note": "",
    }  # fmt: skip
    data.update(extra)
    return data


def test_exploitability_policy_editor_stores_versions(analyst: Any, viewer: Any, case: Case) -> None:
    viewer_client = login(viewer)
    page = viewer_client.get("/products/pump-x/exploitability-policy/").content.decode()
    assert (
        "medvigil's default policy applies" in page
        and "regulatory.md" not in page
        and "policy-form" not in page
    )
    assert viewer_client.post("/products/pump-x/exploitability-policy/", _policy_form()).status_code == 403
    assert not case.product.exploitability_policies.exists()

    client = login(analyst)
    resp = client.post(
        "/products/pump-x/exploitability-policy/",
        _policy_form(epss_raise_threshold="0.5", raise_on_kev="", note="EPSS raises after SOP-12"),
    )
    assert resp.status_code == 302
    policy = services.policy_current(product=case.product)
    assert policy is not None and policy.version == 1 and policy.created_by == analyst
    core = policy.to_core()
    assert core.epss_raise_threshold == 0.5 and core.raise_on_kev is False
    page = client.get("/products/pump-x/exploitability-policy/").content.decode()
    assert "EPSS raises after SOP-12" in page and "Save as version 2" in page
    assert "version 1" in client.get("/products/pump-x/risk-matrix/").content.decode()


def test_exploitability_policy_editor_refuses_inverted_thresholds(analyst: Any, case: Case) -> None:
    resp = login(analyst).post(
        "/products/pump-x/exploitability-policy/", _policy_form(medium_threshold="3.0", high_threshold="2.0")
    )
    assert resp.status_code == 400
    assert "must not exceed the High threshold" in resp.content.decode()
    assert services.policy_current(product=case.product) is None
