"""The CVD portal in a real browser: an anonymous report with an attachment, the tracking link,
a staff reply, the reporter's answer, and the case opened from the report with its clock."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.contrib.auth.models import User

from medvigil.web.accounts.services import user_create
from medvigil.web.inventory import services as inventory
from medvigil.web.risk import services as risk
from medvigil.web.risk.models import Case
from tests.browser.conftest import shot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "browser-pass-123"


def test_report_tracking_reply_and_case(
    browser: Any, page: Any, live_server: Any, settings: Any, tmp_path: Any
) -> None:
    settings.CVD_MIN_FILL_SECONDS = 1
    product = inventory.product_create(name="Infusion Pump X", interfaces=["wifi"])
    inventory.version_create(product=product, version="1.0")
    inventory.version_create(product=product, version="1.1")
    risk.hazard_create(product=product, identifier="HAZ-1", hazardous_situation="Rate changed remotely",
                       harm="Overdose", severity="critical")  # fmt: skip
    user_create(username="ana", password=PASSWORD, role="analyst")
    base = live_server.url

    # the reporter, anonymous
    page.goto(f"{base}/security/policy/")
    assert "Safe harbour" in page.inner_text("main")
    page.click("text=Report a vulnerability")
    page.select_option("#id_target", "infusion-pump-x::1.1")
    page.fill("#id_title", "Rate command accepted without authentication")
    page.fill("#id_description", "The pump accepts <b>rate</b> changes on TCP 4000 from any host.")
    page.fill("#id_impact", "An attacker on the hospital Wi-Fi can change the infusion rate.")
    page.fill("#id_steps", "1. Join the Wi-Fi\n2. Send the rate frame")
    page.fill("#id_cvss_vector", "CVSS:3.1/AV:A/AC:L/PR:N/UI:N/S:U/C:N/I:H/A:H")
    poc = tmp_path / "capture.txt"
    poc.write_text("frame: 02 10 ff 00\n")
    page.set_input_files("#id_attachments", str(poc))
    page.select_option("#id_credit", "name")
    page.fill("#id_credit_name", "R. Searcher")
    shot(page, "cvd-public-form")
    page.wait_for_timeout(1100)
    page.click("#report-submit")
    reference = page.inner_text("#report-reference")
    tracking = page.get_attribute("#tracking-link", "href")
    assert reference.startswith("CVD-") and tracking
    shot(page, "cvd-submitted")

    # staff, in another browser context
    staff_ctx = browser.new_context(viewport={"width": 1280, "height": 900})
    staff = staff_ctx.new_page()
    staff.goto(f"{base}/cvd/")
    staff.fill("#id_username", "ana")
    staff.fill("#id_password", PASSWORD)
    staff.click("button[type=submit]")
    assert reference in staff.inner_text("#queue-table")
    shot(staff, "cvd-staff-queue")
    staff.click(f"text={reference}")
    assert "<b>rate</b>" in staff.inner_text("#report-description")
    staff.select_option("#id_to", "acknowledged")
    staff.click("#transition-submit")
    assert "Acknowledged" in staff.inner_text("#report-state")
    staff.fill("#id_reply", "Thank you, we reproduced it. Which firmware build did you test?")
    staff.click("#reply-submit")
    staff.fill("#id_note", "internal: likely the legacy service port")
    staff.click("#note-submit")

    # the reporter reads the reply through the link and answers
    page.goto(tracking)
    assert page.inner_text("#track-state") == "Acknowledged"
    thread = page.inner_text("#thread")
    assert "Which firmware build" in thread and "legacy service port" not in thread
    page.fill("#id_body", "Build 1.1.0-r42, the one shipped in October.")
    page.click("#reporter-send")
    assert "Build 1.1.0-r42" in page.inner_text("#thread")
    shot(page, "cvd-tracking")

    # staff sees the answer, links the versions and opens the case
    staff.reload()
    assert "Build 1.1.0-r42" in staff.inner_text("#staff-thread")
    staff.select_option("#id_to", "triage")
    staff.click("#transition-submit")
    staff.check("#link-form input[value='1.0']")
    staff.click("#link-submit")
    staff.click("#case-create-submit")
    assert "Opened case" in staff.inner_text(".msg.success")
    shot(staff, "cvd-staff-report")
    staff.click("#report-case a")
    panel = staff.inner_text("#remediation")
    assert "coordinated disclosure report" in panel and reference in panel
    assert staff.inner_text("#clock-state") == "no clock yet"
    case = Case.objects.get(first_party=True)
    risk.assessment_propose(case=case, inputs={"hazards": ["HAZ-1"]})
    risk.assessment_confirm(case=case, user=User.objects.get(username="ana"))
    staff.reload()
    clock = staff.inner_text("#remediation")
    assert staff.inner_text("#clock-state") != "no clock yet", clock
    day30 = (case.day0 + dt.timedelta(days=30)).isoformat()  # FDA day 30 from the report date
    assert staff.inner_text("#next-due") == f"{day30} · communication", clock
    shot(staff, "cvd-case-clock")
    staff_ctx.close()
