"""Each event is written by the service that makes the change, in its transaction."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from django.db import transaction

from medvigil.web.advisories.models import Vulnerability
from medvigil.web.advisories.services import feed_import
from medvigil.web.disclosure import services as cvd
from medvigil.web.findings import services as findings
from medvigil.web.findings.models import Finding
from medvigil.web.inventory import services as inv
from medvigil.web.notifications.models import Event
from medvigil.web.publishing import services as publishing
from medvigil.web.remediation import services as remediation
from medvigil.web.risk import services as risk
from medvigil.web.risk.models import Case
from tests.web.conftest import PASSWORD
from tests.web.remediation.conftest import days_ago

FEEDS = Path(__file__).resolve().parents[2] / "fixtures" / "feeds" / "osv"


def _kinds() -> list[str]:
    return list(Event.objects.order_by("id").values_list("kind", flat=True))


@pytest.fixture
def matched(db: Any) -> Any:
    feed_import(path=FEEDS / "PYSEC-2021-335.json")
    product = inv.product_create(name="Pump", slug="pump")
    pv = inv.version_create(product=product, version="1.0")
    inv.sbom_import(product_version=pv, data=b"AccessControl==4.1\n", filename="requirements.txt")
    findings.match_product_versions([pv])
    return pv


def test_new_findings_make_one_event_per_product_and_a_rematch_none(matched: Any) -> None:
    events = list(Event.objects.filter(kind="finding.new"))
    assert len(events) == 1 and events[0].product_slug == "pump"
    assert events[0].data["count"] == 1 and events[0].title == "1 new finding on Pump"
    assert events[0].data["items"][0]["component"].lower() == "accesscontrol"
    findings.rematch_all(product_slug="pump")
    assert Event.objects.filter(kind="finding.new").count() == 1


def test_kev_listing_and_epss_jump_of_open_findings(matched: Any, settings: Any) -> None:
    settings.NOTIFY_EPSS_JUMP = 0.10
    finding = Finding.objects.get(product_version=matched)
    Vulnerability.objects.filter(pk=finding.vulnerability_id).update(kev=True, epss=0.42)
    findings.refresh_sort_fields()
    kev = Event.objects.get(kind="intel.kev")
    epss = Event.objects.get(kind="intel.epss")
    assert kev.product_slug == "pump" and finding.vulnerability_key in kev.data["items"][0]["text"]
    assert epss.data["items"][0]["epss"] == 0.42 and epss.data["items"][0]["epss_before"] is None
    Vulnerability.objects.filter(pk=finding.vulnerability_id).update(epss=0.47)  # +5 points: no jump
    findings.refresh_sort_fields()
    assert _kinds().count("intel.kev") == 1 and _kinds().count("intel.epss") == 1


def test_first_uncontrolled_assessment_obligations_and_clock(
    case: Case, hazards: Any, analyst: Any, isao: Any
) -> None:
    remediation.day0_set(case=case, day0=days_ago(20), source="feed", user=analyst)
    risk.assessment_propose(case=case)
    risk.assessment_confirm(case=case, user=analyst)
    unc = Event.objects.get(kind="case.uncontrolled")
    assert unc.risk == "uncontrolled" and unc.data["case"] == case.pk and unc.path.endswith(f"/{case.pk}/")
    assert "obligation.created" in _kinds()
    risk.assessment_change(case=case, changes={"hazards": list(hazards)}, user=analyst, justification="again")
    assert _kinds().count("case.uncontrolled") == 1  # still uncontrolled: not new
    day30 = case.day0 + dt.timedelta(days=30)
    remediation.obligations_refresh(today=day30)
    assert Event.objects.get(kind="case.due_soon").data["milestone"] == "communication"
    remediation.obligations_refresh(today=day30 + dt.timedelta(days=1))
    assert "case.overdue" in _kinds()
    changed = Event.objects.get(kind="obligation.changed")
    assert ["R7", "required"] in changed.data["after"]


def test_a_cvd_report_event_names_the_reference_not_the_content(db: Any) -> None:
    report, _ = cvd.report_submit(
        data={"title": "Secret dose bug", "description": "details", "contact_email": ""}
    )
    event = Event.objects.get(kind="cvd.received")
    assert (
        event.data["reference"] == report.reference and "Secret dose bug" not in str(event.data) + event.title
    )


def test_a_failed_submission_emits_nothing(db: Any) -> None:
    with pytest.raises(RuntimeError, match="rolled back"), transaction.atomic():
        cvd.report_submit(data={"title": "t", "description": "d"})
        raise RuntimeError("rolled back")
    assert not Event.objects.exists()


def test_publishing_an_advisory_emits_advisory_published(ready_case: Case, analyst: Any) -> None:
    from medvigil.web.accounts.services import user_create

    approver = user_create(username="dave", password=PASSWORD, role="analyst")
    adv = publishing.advisory_draft(case=ready_case, user=analyst, tlp="CLEAR")
    publishing.advisory_submit(advisory=adv, user=analyst)
    assert "advisory.published" not in _kinds()
    adv = publishing.advisory_publish(advisory=adv, user=approver)
    event = Event.objects.get(kind="advisory.published")
    assert event.data["tracking_id"] == adv.tracking_id and event.product_slug == ready_case.product.slug
