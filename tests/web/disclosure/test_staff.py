"""The staff side: queue and roles, guarded transitions with reasons, the acknowledgement SLA on
business days, notes apart from replies, links, the case with day 0 = report date and its clock,
embargo and credit, attachment downloads, and the event trail of every action."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from medvigil.core.errors import InputError
from medvigil.core.remediation.calendar import add_working_days
from medvigil.web.disclosure import selectors, services
from medvigil.web.disclosure.models import Report
from medvigil.web.inventory.models import ProductVersion
from medvigil.web.remediation.models import CaseFile
from tests.web.conftest import login
from tests.web.disclosure.conftest import PDF, REPORT

pytestmark = pytest.mark.django_db


def test_queue_needs_a_role_and_writes_need_an_analyst(
    submitted: tuple[Report, str], viewer: Any, outsider: Any, analyst: Any
) -> None:
    report, _ = submitted
    assert Client().get("/cvd/").status_code == 302
    assert login(outsider).get("/cvd/").status_code == 403
    page = login(viewer).get("/cvd/")
    assert page.status_code == 200 and report.reference in page.content.decode()
    assert (
        login(viewer).post(f"/cvd/{report.reference}/transition/", {"to": "acknowledged"}).status_code == 403
    )
    assert (
        login(analyst).post(f"/cvd/{report.reference}/transition/", {"to": "acknowledged"}).status_code == 302
    )
    report.refresh_from_db()
    assert report.state == "acknowledged" and report.acknowledged_at is not None
    assert Client().get("/api/cvd/queue").status_code == 401


def test_transitions_are_guarded_and_closing_needs_a_reason(
    submitted: tuple[Report, str], analyst: Any
) -> None:
    report, _ = submitted
    with pytest.raises(InputError, match="cannot move new → published"):
        services.report_transition(report=report, to="published", user=analyst)
    with pytest.raises(InputError, match="needs a reason"):
        services.report_transition(report=report, to="duplicate", user=analyst)
    services.report_transition(report=report, to="duplicate", user=analyst, reason="same as CVD-2026-0001")
    services.report_transition(report=report, to="triage", user=analyst, reason="not a duplicate after all")
    events = list(report.events.values_list("action", "actor__username", "reason"))
    assert events[-2:] == [
        ("transition", "bob", "same as CVD-2026-0001"),
        ("transition", "bob", "not a duplicate after all"),
    ]


def test_ack_sla_counts_business_days_and_shows_overdue(analyst: Any) -> None:
    report, _ = services.report_submit(data=dict(REPORT))
    Report.objects.filter(pk=report.pk).update(submitted_at=dt.datetime(2026, 11, 24, 12, tzinfo=dt.UTC))
    # Thanksgiving (Thu 26 Nov 2026) is a federal holiday: 5 business days from Tue 24 Nov end Wed 2 Dec
    services_due = add_working_days(dt.date(2026, 11, 24), 5)
    assert services_due == dt.date(2026, 12, 2)
    Report.objects.filter(pk=report.pk).update(ack_due=services_due)
    report.refresh_from_db()
    assert not selectors.ack_overdue(report, dt.date(2026, 12, 2))
    assert selectors.ack_overdue(report, dt.date(2026, 12, 3))
    Report.objects.filter(pk=report.pk).update(ack_due=timezone.localdate() - dt.timedelta(days=1))
    page = login(analyst).get("/cvd/").content.decode()
    assert "overdue" in page and "acknowledgement overdue" in page


def test_notes_stay_internal(submitted: tuple[Report, str], analyst: Any) -> None:
    report, token = submitted
    services.staff_message(
        report=report, body="looks like CVE-2025-1 internally", user=analyst, internal=True
    )
    services.staff_message(report=report, body="Thanks, we are looking at it", user=analyst)
    track = Client().get(f"/security/track/{report.reference}/{token}/").content.decode()
    api = Client().get(f"/api/cvd/reports/{report.reference}", HTTP_X_CVD_TOKEN=token).json()
    assert "Thanks, we are looking" in track and "internally" not in track
    assert [m["from"] for m in api["messages"]] == ["staff"]
    staff = login(analyst).get(f"/cvd/{report.reference}/").content.decode()
    assert "internally" in staff and "Internal note" in staff


def test_case_from_report_has_day0_report_date_and_clock(version: ProductVersion, analyst: Any) -> None:
    report, _ = services.report_submit(
        data={
            **REPORT,
            "product": "pump-x",
            "version": "2.1",
            "cvss_vector": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
        }
    )
    earlier = timezone.now() - dt.timedelta(days=9)
    Report.objects.filter(pk=report.pk).update(submitted_at=earlier)
    report.refresh_from_db()
    with pytest.raises(InputError, match="link the report to a product"):
        services.report_case_create(report=Report(reference="x", product=None), user=analyst)
    client = login(analyst)
    client.post(
        f"/cvd/{report.reference}/link/", {"product": "pump-x", "versions": ["2.1"], "components": ""}
    )
    resp = client.post(f"/cvd/{report.reference}/case-create/")
    assert resp.status_code == 302
    report.refresh_from_db()
    case = report.case
    assert case is not None and case.day0 == earlier.date() and case.first_party
    casefile = CaseFile.objects.get(case=case)
    assert casefile.day0_source == "cvd" and report.reference in casefile.day0_reason
    assert [cv.product_version.version for cv in case.scope.all()] == ["2.1"]
    again = client.post(f"/cvd/{report.reference}/case-create/", follow=True).content.decode()
    assert "already has case" in again
    actions = list(report.events.values_list("action", flat=True))
    assert actions == ["submitted", "link", "case"]


def test_join_case_moves_day0_back(version: ProductVersion, analyst: Any) -> None:
    first, _ = services.report_submit(data={**REPORT, "product": "pump-x", "version": "2.1"})
    services.report_link(report=first, product=version.product, versions=["2.1"], components=[], user=analyst)
    case = services.report_case_create(report=first, user=analyst)
    second, _ = services.report_submit(data={**REPORT, "product": "pump-x"})
    Report.objects.filter(pk=second.pk).update(submitted_at=timezone.now() - dt.timedelta(days=3))
    second.refresh_from_db()
    services.report_case_join(report=second, case=case, user=analyst)
    case.refresh_from_db()
    assert case.day0 == second.submitted_at.date() and second.case == case


def test_embargo_blocks_publication_and_credit_appears(submitted: tuple[Report, str], analyst: Any) -> None:
    report, _ = submitted
    for to in ("acknowledged", "triage", "valid", "resolved"):
        services.report_transition(report=report, to=to, user=analyst)
    services.report_embargo(
        report=report,
        until=timezone.localdate() + dt.timedelta(days=30),
        user=analyst,
        reason="agreed with researcher",
    )
    with pytest.raises(InputError, match="embargo runs until"):
        services.report_transition(report=report, to="published", user=analyst)
    with pytest.raises(InputError, match="in the past"):
        services.report_embargo(report=report, until=dt.date(2020, 1, 1), user=analyst)
    services.report_embargo(report=report, until=None, user=analyst)
    Report.objects.filter(pk=report.pk).update(credit="anonymous")
    report.refresh_from_db()
    services.report_transition(report=report, to="published", user=analyst)
    assert "an anonymous researcher" in Client().get("/security/acknowledgments/").content.decode()


def test_assignment_only_to_analysts(submitted: tuple[Report, str], analyst: Any, viewer: Any) -> None:
    report, _ = submitted
    with pytest.raises(InputError, match="carol is not an analyst"):
        services.report_assign(report=report, assignee=viewer, user=analyst)
    login(analyst).post(f"/cvd/{report.reference}/assign/", {"assignee": "bob"})
    report.refresh_from_db()
    assert report.assignee == analyst and report.events.filter(action="assign").exists()


def test_attachments_download_with_safe_headers(viewer: Any, outsider: Any) -> None:
    Client().post("/api/cvd/reports", {**REPORT, "attachments": [SimpleUploadedFile('x"<b>.pdf', PDF)]})
    report = Report.objects.get()
    att = report.attachments.get()
    assert Client().get(f"/cvd/attachments/{att.pk}/").status_code == 302
    assert login(outsider).get(f"/cvd/attachments/{att.pk}/").status_code == 403
    resp = login(viewer).get(f"/cvd/attachments/{att.pk}/")
    assert resp.content == PDF and resp["Content-Type"] == "application/octet-stream"
    assert resp["Content-Disposition"] == 'attachment; filename="x__b_.pdf"'
    assert resp["X-Content-Type-Options"] == "nosniff" and resp["Content-Security-Policy"].startswith(
        "sandbox"
    )


def test_staff_api_shows_history(submitted: tuple[Report, str], viewer: Any, token_for: Any) -> None:
    report, _ = submitted
    rows = Client().get("/api/cvd/queue", **token_for(viewer)).json()
    assert rows[0]["reference"] == report.reference and rows[0]["events"][0]["action"] == "submitted"
    one = Client().get(f"/api/cvd/queue/{report.reference}", **token_for(viewer)).json()
    assert one["contact"]["email"] == "res@example.org"
    assert Client().get("/api/cvd/queue/CVD-1-1", **token_for(viewer)).status_code == 404


def test_admin_edits_the_policy_with_checks(admin: Any) -> None:
    from medvigil.web.disclosure.services import policy_get

    policy = policy_get()
    client = login(admin)
    url = f"/admin/disclosure/disclosurepolicy/{policy.pk}/change/"
    data = {
        "policy_text": "Our policy {ack_days}",
        "safe_harbour": "We will not sue.",
        "ack_days": 3,
        "contacts": '["http://insecure"]',
        "preferred_languages": "en, fr",
        "expires_days": 90,
    }
    resp = client.post(url, data)
    assert resp.status_code == 200 and "not an https:, mailto: or tel: URI" in resp.content.decode()
    resp = client.post(url, {**data, "contacts": '["mailto:psirt@example.org"]'})
    assert resp.status_code == 302
    assert "Our policy 3" in Client().get("/security/policy/").content.decode()
    assert "Contact: mailto:psirt@example.org" in Client().get("/.well-known/security.txt").content.decode()
    with pytest.raises(InputError, match="less than a year"):
        services.policy_update(user=admin, expires_days=400)
