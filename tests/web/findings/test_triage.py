"""Triage of single findings: false positive, suppress, accept, comment, reverse; kept by re-matching."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from medvigil.core.errors import InputError
from medvigil.web.advisories.services import feed_import
from medvigil.web.findings import services
from medvigil.web.findings.models import Finding
from medvigil.web.inventory import services as inv
from tests.web.conftest import login

FEEDS = Path(__file__).resolve().parents[2] / "fixtures" / "feeds" / "osv"


@pytest.fixture
def finding(db: Any) -> Finding:
    feed_import(path=FEEDS / "PYSEC-2021-335.json")
    product = inv.product_create(name="Pump", slug="pump")
    pv = inv.version_create(product=product, version="1.0")
    inv.sbom_import(product_version=pv, data=b"AccessControl==4.1\n", filename="requirements.txt")
    services.match_product_versions([pv])
    return Finding.objects.get(product_version=pv)


def _rematch() -> None:
    services.rematch_all(product_slug="pump")


def test_a_false_positive_survives_re_matching_and_can_be_reversed(finding: Finding, analyst: Any) -> None:
    assert finding.state == "open"
    services.finding_triage(
        finding=finding, action="false_positive", reason="not the Zope package", user=analyst
    )
    _rematch()
    finding.refresh_from_db()
    assert finding.state == "false_positive" and finding.triage_reason == "not the Zope package"
    assert not Finding.objects.filter(state="open").exists()
    services.finding_triage(finding=finding, action="clear", reason="it is the Zope package after all")
    _rematch()
    finding.refresh_from_db()
    assert finding.state == "open" and not finding.triage
    kinds: list[tuple[str, str | None]] = list(
        finding.events.order_by("at", "id").values_list("kind", "actor__username")
    )
    assert ("false_positive", "bob") in kinds and ("triage-cleared", None) in kinds


def test_suppression_needs_a_future_date_and_ends(finding: Finding, analyst: Any) -> None:
    with pytest.raises(InputError, match="date after today"):
        services.finding_triage(finding=finding, action="suppress", reason="fix ships in May")
    until = timezone.localdate() + dt.timedelta(days=10)
    services.finding_triage(finding=finding, action="suppress", reason="fix ships soon", until=until)
    _rematch()
    finding.refresh_from_db()
    assert finding.state == "suppressed" and finding.triage_until == until
    assert services.suppressions_expire(today=until + dt.timedelta(days=1)) == 1
    finding.refresh_from_db()
    assert finding.state == "open"


def test_every_action_needs_a_reason_and_comments_keep_the_state(finding: Finding) -> None:
    with pytest.raises(InputError, match="reason"):
        services.finding_triage(finding=finding, action="accept", reason="  ")
    services.finding_triage(finding=finding, action="comment", reason="asked the supplier")
    finding.refresh_from_db()
    assert finding.state == "open"
    assert finding.events.filter(kind="comment", reason="asked the supplier").exists()


def test_a_vanished_false_positive_is_resolved(finding: Finding) -> None:
    services.finding_triage(finding=finding, action="false_positive", reason="wrong package")
    inv.sbom_import(
        product_version=finding.product_version, data=b"requests==2.31.0\n", filename="requirements.txt"
    )
    _rematch()
    finding.refresh_from_db()
    assert finding.state == "resolved"


def test_pages_and_api_check_roles(finding: Finding, analyst: Any, viewer: Any, token_for: Any) -> None:
    page = login(viewer).get(f"/findings/{finding.pk}/").content.decode()
    assert "Medium confidence" in page or "High confidence" in page or "Low confidence" in page
    assert f"/vulnerabilities/{finding.vulnerability_key}/" in page
    assert (
        login(viewer).post(f"/findings/{finding.pk}/triage/", {"action": "accept", "reason": "x"}).status_code
        == 403
    )
    r = login(analyst).post(
        f"/findings/{finding.pk}/triage/", {"action": "accept", "reason": "compensating control"}
    )
    assert r.status_code == 302
    finding.refresh_from_db()
    assert finding.state == "accepted"
    url = f"/api/findings/{finding.pk}/triage"
    body = {"action": "clear", "reason": "control removed"}
    denied = login(viewer).post(url, body, content_type="application/json", **token_for(viewer))
    assert denied.status_code == 403
    done = login(analyst).post(url, body, content_type="application/json", **token_for(analyst))
    assert done.status_code == 200 and done.json()["state"] == "open"
    history = login(viewer).get(f"/api/findings/{finding.pk}/events", **token_for(viewer)).json()
    assert history[0]["kind"] == "triage-cleared" and history[0]["actor"] == "bob"
    assert login(viewer).get(f"/api/findings/{finding.pk}", **token_for(viewer)).json()["id"] == finding.pk


def test_every_triage_decision_is_in_the_audit_chain(analyst: Any, finding: Any) -> None:
    from medvigil.web.audit.models import AuditEvent

    services.finding_triage(
        finding=finding, action="false_positive", reason="not the Zope package", user=analyst
    )
    services.finding_triage(finding=finding, action="comment", reason="checked twice", user=analyst)
    events = list(AuditEvent.objects.filter(verb__startswith="finding.").order_by("pk"))
    assert [e.verb for e in events] == ["finding.false_positive", "finding.comment"]
    assert events[0].changes == {"state": ["open", "false_positive"], "triage_until": [None, None]}
    assert events[0].reason == "not the Zope package" and events[0].actor == analyst
