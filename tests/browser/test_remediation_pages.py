"""The remediation workflow in a real browser: plan, four-part communication with an evidence
file, ISAO share, validated fix, transitions to closed; the case page and the clock page."""

from __future__ import annotations

from typing import Any

import pytest

from medvigil.web.accounts.services import user_create
from medvigil.web.inventory import services as inventory
from medvigil.web.remediation import services
from medvigil.web.risk import services as risk
from medvigil.web.risk.models import Case
from tests.browser.conftest import shot
from tests.web.remediation.conftest import COMPLETE, days_ago
from tests.web.risk.conftest import NETWORK_RCE, make_vulnerability

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "browser-pass-123"


def _uncontrolled_case(analyst: Any) -> Case:
    product = inventory.product_create(name="Infusion Pump X", interfaces=["wifi"])
    inventory.version_create(product=product, version="1.0")
    risk.hazard_create(product=product, identifier="HAZ-1", hazardous_situation="Rate changed remotely",
                       harm="Overdose: patient death", severity="catastrophic")  # fmt: skip
    services.isao_save(user=analyst, name="H-ISAC", member_since=days_ago(400), evidence={
        "membership_evidence": "contract 2025", "policies_evidence": "https://h-isac.example/policies",
        "sharing_evidence": "portal account", "process_evidence": "SOP-17"})  # fmt: skip
    case, _ = risk.case_open(product=product, vulnerability=make_vulnerability("CVE-2026-4242", NETWORK_RCE))
    services.day0_set(case=case, day0=days_ago(12), source="cvd", user=analyst, reason="researcher report")
    risk.assessment_propose(case=case, inputs={"hazards": ["HAZ-1"]})
    risk.assessment_confirm(case=case, user=analyst)
    for n in range(3):  # more open cases for the clock page
        other, _ = risk.case_open(
            product=product, vulnerability=make_vulnerability(f"CVE-2026-50{n}", NETWORK_RCE)
        )
        services.day0_set(case=other, day0=days_ago(27 - 10 * n), source="feed", user=analyst)
        risk.assessment_propose(case=other, inputs={"hazards": ["HAZ-1"]})
    return case


def _record(page: Any, kind: str, on: str, fields: dict[str, str], checks: tuple[str, ...] = ()) -> None:
    page.select_option("#action-kind", kind)
    page.fill("#action-on", on)
    for name, value in fields.items():
        page.fill(f"#action-form [name={name}]", value)
    for name in checks:
        page.check(f"#action-form [name={name}]")
    page.click("#action-submit")
    assert page.locator(".msg.success").count() == 1, page.inner_text("main")[:500]


def test_uncontrolled_case_through_the_remediation_forms(page: Any, live_server: Any, tmp_path: Any) -> None:
    analyst = user_create(username="ana", password=PASSWORD, role="analyst")
    case = _uncontrolled_case(analyst)
    base = live_server.url
    page.goto(f"{base}/login/")
    page.fill("#id_username", "ana")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.goto(f"{base}/risk/cases/{case.pk}/")
    assert "R6" in page.inner_text("#obligations") and "not_enforced" in page.inner_text("#obligations")

    page.select_option("#transition-to", "remediation")
    page.click("#transition-submit")
    assert "remediation plan" in page.inner_text(".msg.error")
    page.fill("#plan-text", "Firmware 1.1 removes the remote rate command; VLAN isolation until then.")
    page.click("#plan-submit")
    page.select_option("#transition-to", "remediation")
    page.fill("#transition-reason", "plan agreed with QA")
    page.click("#transition-submit")
    assert page.inner_text("#case-state") == "remediation"

    letter = tmp_path / "customer-letter.pdf"
    letter.write_bytes(b"%PDF-1.4 customer letter")
    page.select_option("#action-kind", "communication")
    page.fill("#action-on", days_ago(2).isoformat())
    page.fill("#comm-audience", "hospital biomed teams")
    for part, text in COMPLETE.items():
        page.fill(f"#comm-{part}", text)
    page.set_input_files("#action-files", str(letter))
    page.click("#action-submit")
    assert "parts a, b, c, d" in page.inner_text("#actions")
    assert "customer-letter.pdf" in page.inner_text("#actions")
    _record(page, "isao_share", days_ago(2).isoformat(), {"isao": "H-ISAC", "shared": "customer letter"})
    _record(page, "fix_release", days_ago(1).isoformat(), {"target_version": "1.1"}, ("distributed",))
    page.select_option("#action-form [name=fix_action]", index=1)
    _record(
        page, "validation", days_ago(1).isoformat(), {"result": "regression and penetration tests passed"}
    )
    obligations = page.inner_text("#obligations")
    assert "R6" in obligations and "evidence:" in obligations and "provisional" not in obligations
    shot(page, "remediation-case")

    for to in ("monitoring", "closed"):
        page.select_option("#transition-to", to)
        page.fill("#transition-reason", f"{to}: fix 1.1 validated and distributed")
        page.click("#transition-submit")
    assert page.inner_text("#case-state") == "closed"
    assert "closed" in page.inner_text("#events")

    page.goto(f"{base}/clock/")
    rows = page.locator("#clock-table tbody tr")
    assert rows.count() == 3
    dues = [rows.nth(i).locator("td").first.inner_text() for i in range(3)]
    assert dues == sorted(dues)
    shot(page, "remediation-clock")
    page.goto(f"{base}/dashboard/")
    assert "CVE-2026-500" in page.inner_text("#at-risk-week")
