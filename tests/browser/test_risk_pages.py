"""Assessing a case end to end in a real browser: heat map, case list, questionnaire, confirm, close."""

from __future__ import annotations

from typing import Any

import pytest

from medvigil.web.accounts.services import user_create
from medvigil.web.inventory.demo import demo_load
from medvigil.web.risk.demo import demo_cases
from medvigil.web.risk.models import Case
from tests.browser.conftest import shot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "browser-pass-123"


def _login(page: Any, base: str) -> None:
    page.goto(f"{base}/login/")
    page.fill("#id_username", "ana")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")


def test_analyst_assesses_a_case_end_to_end(page: Any, live_server: Any) -> None:
    demo_load()
    demo_cases()
    user_create(username="ana", password=PASSWORD, role="analyst")
    base = live_server.url
    _login(page, base)

    page.goto(f"{base}/risk/")
    uncontrolled = Case.objects.exclude(state="closed").filter(current_assessment__controlled=False).count()
    assert int(page.inner_text("#count-uncontrolled")) == uncontrolled > 0
    assert page.locator("#heatmap td.heat-u").count() >= 1
    shot(page, "risk-portfolio")

    page.goto(f"{base}/risk/cases/?product=vitalview-monitor&unassessed=1")
    row = page.locator("#cases tbody tr", has_text="CVE-2019-16943")
    assert "suggested" in row.inner_text()
    shot(page, "risk-case-list")
    row.locator("a").first.click()
    assert "CVE-2019-16943" in page.inner_text("h1")
    assert "critical" in page.inner_text("#harm-panel")

    page.click("#assess summary")
    page.fill(
        "#id_controls", "Central station on an isolated clinical VLAN, no inbound internet | MAV:A/MPR:H"
    )
    page.click("#rubric summary")
    assert page.locator("#rubric tr").count() > 20
    page.fill("#id_justification", "VLAN isolation verified in the site survey.")
    page.click("#save-confirm")
    page.wait_for_selector(".msg.success")
    assert "confirmed" in page.inner_text("#history")
    assert page.locator("#history tbody tr").count() == 2
    assert "Central station on an isolated clinical VLAN" in page.inner_text("#exploitability-panel")
    assert "controlled" in page.inner_text("#case-risk") and "borderline" in page.inner_text(
        "#decision-panel"
    )
    shot(page, "risk-case-assessed")

    page.fill("input[name=note]", "VLAN isolation in place")
    page.click("#close")
    page.wait_for_selector(".msg.success")
    assert page.inner_text("#case-state") == "closed"

    # a confirmed uncontrolled case cannot be closed
    other = Case.objects.get(vulnerability__key="CVE-2019-16942", product__slug="vitalview-monitor")
    page.goto(f"{base}/risk/cases/{other.pk}/")
    page.click("#close")
    page.wait_for_selector(".msg.error")
    assert "uncontrolled" in page.inner_text(".msg.error") and page.inner_text("#case-state") == "assessed"
    shot(page, "risk-case-close-refused")


def test_matrix_and_hazard_editors(page: Any, live_server: Any) -> None:
    demo_load()
    user_create(username="ana", password=PASSWORD, role="analyst")
    base = live_server.url
    _login(page, base)
    page.goto(f"{base}/products/glucolink-pump/hazards/")
    page.fill("#id_identifier", "HAZ-GP-9")
    page.fill("#id_hazardous_situation", "Occlusion alarm suppressed")
    page.fill("#id_harm", "Missed occlusion: hyperglycaemia")
    page.select_option("#id_severity", "serious")
    page.fill("#id_interfaces", "ble")
    page.click("text=Save hazard")
    assert "HAZ-GP-9" in page.inner_text("#hazards")
    shot(page, "risk-hazards")
    page.goto(f"{base}/products/glucolink-pump/risk-matrix/")
    page.click("#matrix-editor summary")
    page.select_option("select[name=serious_high_result]", "controlled")
    page.fill("input[name=note]", "hard dose limits in the pump")
    page.click("text=Save as version 2")
    assert "version 2" in page.inner_text(".msg.success")
    assert "controlled" in page.locator("#matrix tbody tr", has_text="serious").inner_text()
    shot(page, "risk-matrix")
    page.click("#policy-link")
    page.click("#policy-editor summary")
    page.fill("#id_epss_raise_threshold", "0.4")
    page.fill("#id_note", "EPSS raises per SOP-12")
    page.click("text=Save as version 1")
    assert "version 1" in page.inner_text(".msg.success")
    assert "0.4" in page.locator("#policy tr", has_text="EPSS").inner_text()
    shot(page, "risk-policy")
