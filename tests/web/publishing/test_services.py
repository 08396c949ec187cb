"""Publishing workflow: draft -> review -> published with a second approver; bytes immutable; revisions."""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

import orjson
import pytest
from django.utils import timezone

from medvigil.core.csaf.validate import validate_csaf
from medvigil.core.errors import InputError
from medvigil.core.feeds.validation import csaf_validator, violations
from medvigil.web.accounts.services import user_create
from medvigil.web.advisories.models import Alias, Vulnerability
from medvigil.web.publishing import services
from medvigil.web.publishing.models import AdvisoryState, PublishedDocument
from medvigil.web.risk.models import Case
from tests.web.conftest import PASSWORD


@pytest.fixture
def analyst2(db: Any) -> Any:
    return user_create(username="dave", password=PASSWORD, role="analyst")


def test_workflow_publishes_checked_immutable_documents(
    ready_case: Case, analyst: Any, analyst2: Any
) -> None:
    adv = services.advisory_draft(case=ready_case, user=analyst, tlp="CLEAR")
    draft = orjson.loads(services.advisory_render(adv, "csaf").content)
    assert draft["document"]["tracking"]["status"] == "draft"
    services.advisory_submit(advisory=adv, user=analyst)
    with pytest.raises(InputError, match="a second analyst"):
        services.advisory_publish(advisory=adv, user=analyst)
    adv = services.advisory_publish(advisory=adv, user=analyst2)
    assert adv.state == AdvisoryState.PUBLISHED and adv.approved_by == analyst2
    docs = {d.format: d for d in adv.documents.all()}
    assert set(docs) == {"csaf", "csaf-vex", "cyclonedx-vex", "openvex", "notice-html", "notice-pdf", "stix"}
    for d in docs.values():
        assert hashlib.sha256(bytes(d.content)).hexdigest() == d.sha256
    csaf = orjson.loads(bytes(docs["csaf"].content))
    assert violations(csaf_validator(), csaf) == [] and validate_csaf(csaf) == []
    assert (
        csaf["document"]["tracking"]["status"] == "final" and csaf["document"]["tracking"]["version"] == "1"
    )
    leaves = csaf["product_tree"]["branches"][0]["branches"][0]["branches"]
    helpers = {leaf["name"]: leaf["product"]["product_identification_helper"] for leaf in leaves}
    assert helpers["2.1"]["purl"] == "pkg:generic/example/pump-x@2.1"
    assert helpers["2.1"]["cpe"] == "cpe:2.3:h:example:pump_x:2.1:*:*:*:*:*:*:*"
    assert (
        "%" in helpers["2.2 \u201cb\u00e9ta\u201d"]["purl"]
        and "cpe" not in helpers["2.2 \u201cb\u00e9ta\u201d"]
    )
    assert b"(d) Fix or defense-in-depth" in bytes(docs["notice-html"].content)
    # published bytes are what export serves, later changes of the case do not touch them
    ready_case.summary = "changed later"
    ready_case.save()
    assert services.advisory_render(adv, "csaf").content == bytes(docs["csaf"].content)
    with pytest.raises(InputError, match="still draft|needs a summary"):
        services.advisory_draft(case=ready_case, user=analyst)
    rev2 = services.advisory_draft(case=ready_case, user=analyst, summary="Summary updated")
    assert (rev2.revision, rev2.previous, rev2.tracking_id) == (2, adv, adv.tracking_id)
    services.advisory_submit(advisory=rev2, user=analyst)
    later = timezone.now() + dt.timedelta(minutes=1)
    rev2 = services.advisory_publish(advisory=rev2, user=analyst2, now=later)
    v2 = orjson.loads(bytes(rev2.documents.get(format="csaf").content))
    assert [h["number"] for h in v2["document"]["tracking"]["revision_history"]] == ["1", "2"]
    assert (
        v2["document"]["tracking"]["initial_release_date"]
        == csaf["document"]["tracking"]["initial_release_date"]
    )
    assert PublishedDocument.objects.filter(advisory=adv).count() == 7  # the first revision's rows stay


def test_embargo_and_state_rules(ready_case: Case, analyst: Any, admin: Any) -> None:
    until = timezone.now() + dt.timedelta(days=3)
    adv = services.advisory_draft(case=ready_case, user=analyst, kind="vex", embargo_until=until)
    with pytest.raises(InputError, match="submit it for review first"):
        services.advisory_publish(advisory=adv, user=admin)
    services.advisory_submit(advisory=adv, user=analyst)
    with pytest.raises(InputError, match="embargoed until"):
        services.advisory_publish(advisory=adv, user=admin)
    adv = services.advisory_publish(advisory=adv, user=admin, now=until + dt.timedelta(seconds=1))
    assert adv.state == AdvisoryState.PUBLISHED and adv.tracking_id.endswith(f"-VEX-{ready_case.pk:04d}")


def test_viewer_cannot_draft(ready_case: Case, viewer: Any) -> None:
    with pytest.raises(InputError, match="analyst role is needed"):
        services.advisory_draft(case=ready_case, user=viewer)


HOW = "reported this vulnerability through coordinated disclosure"


def _cvd(case: Case, user: Any, *, until: dt.date | None, **credit: str) -> Any:
    from medvigil.web.disclosure import services as cvd

    report, _ = cvd.report_submit(data={"title": "Dose change", "description": "Over Wi-Fi.", **credit})
    cvd.report_case_join(report=report, case=case, user=user)
    if until is not None:
        cvd.report_embargo(report=report, until=until, user=user, reason="agreed with the researcher")
    return report


def test_cvd_embargo_is_the_default_and_holds_unless_overridden(
    ready_case: Case, analyst: Any, analyst2: Any
) -> None:
    from medvigil.web.audit.models import AuditEvent

    until = timezone.localdate() + dt.timedelta(days=10)
    report = _cvd(ready_case, analyst, until=until)
    adv = services.advisory_draft(case=ready_case, user=analyst)
    assert timezone.localtime(adv.embargo_until).date() == until
    services.advisory_submit(advisory=adv, user=analyst)
    with pytest.raises(InputError, match=f"embargoed until {until}.*CVD embargo of {report.reference}"):
        services.advisory_publish(advisory=adv, user=analyst2)
    # the CVD date holds even when the draft's own embargo was cleared
    adv.embargo_until = None
    adv.save()
    with pytest.raises(InputError, match="embargo override with a reason"):
        services.advisory_publish(advisory=adv, user=analyst2, override_embargo="  ")
    adv = services.advisory_publish(
        advisory=adv, user=analyst2, override_embargo="the researcher published early at a conference"
    )
    assert adv.state == AdvisoryState.PUBLISHED
    audited = AuditEvent.objects.get(verb="advisory.embargo_override")
    assert audited.reason == "the researcher published early at a conference" and audited.actor == analyst2
    assert report.reference in audited.additional_data["source"]
    event = ready_case.events.get(kind="embargo override")
    assert event.actor == analyst2 and "conference" in event.reason
    # on the embargo day itself publishing is allowed without an override
    rev2 = services.advisory_draft(case=ready_case, user=analyst, summary="Fix released")
    services.advisory_submit(advisory=rev2, user=analyst)
    on_the_day = timezone.make_aware(dt.datetime.combine(until, dt.time(9, 0)))
    assert services.advisory_publish(advisory=rev2, user=analyst2, now=on_the_day).state == "published"


@pytest.mark.parametrize(
    ("credit", "expected"),
    [
        (
            {"credit": "name", "credit_name": "J\u00f6rg Researcher", "credit_organization": "Example Lab"},
            [{"names": ["J\u00f6rg Researcher"], "organization": "Example Lab",
              "summary": HOW}],
        ),
        (
            {"credit": "anonymous", "credit_name": "Secret Person", "contact_name": "Secret Person"},
            [{"summary": "an anonymous researcher " + HOW}],
        ),
        ({"credit": "none", "contact_name": "Secret Person"}, None),
    ],
)  # fmt: skip
def test_cvd_credit_as_the_researcher_agreed(
    ready_case: Case, analyst: Any, analyst2: Any, credit: dict[str, str], expected: Any
) -> None:
    _cvd(ready_case, analyst, until=None, **credit)
    adv = services.advisory_draft(case=ready_case, user=analyst)
    services.advisory_submit(advisory=adv, user=analyst)
    adv = services.advisory_publish(advisory=adv, user=analyst2)
    docs = {d.format: bytes(d.content) for d in adv.documents.all()}
    csaf = orjson.loads(docs["csaf"])
    assert validate_csaf(csaf) == [] and violations(csaf_validator(), csaf) == []
    assert csaf["document"].get("acknowledgments") == expected
    credits = [v.get("credits") for v in orjson.loads(docs["cyclonedx-vex"])["vulnerabilities"]]
    notice = docs["notice-html"].decode()
    if credit["credit"] == "name":
        assert all(
            c
            == {"individuals": [{"name": "J\u00f6rg Researcher"}], "organizations": [{"name": "Example Lab"}]}
            for c in credits
        )
        assert "J\u00f6rg Researcher (Example Lab)" in notice
    else:
        assert credits == [None] * len(credits)
    for content in docs.values():
        assert b"Secret Person" not in content
    assert ("anonymous researcher" in notice) is (credit["credit"] == "anonymous")


def test_isao_share_is_recorded_on_the_case_and_audited(
    ready_case: Case, analyst: Any, analyst2: Any, viewer: Any
) -> None:
    from medvigil.web.audit.models import AuditEvent
    from medvigil.web.publishing.selectors import advisory_shares

    adv = services.advisory_draft(case=ready_case, user=analyst, tlp="AMBER")
    with pytest.raises(InputError, match="analyst role"):
        services.advisory_share(advisory=adv, user=viewer, recipient="H-ISAC")
    with pytest.raises(InputError, match="name the ISAO"):
        services.advisory_share(advisory=adv, user=analyst, recipient="  ")
    services.advisory_submit(advisory=adv, user=analyst)
    adv = services.advisory_publish(advisory=adv, user=analyst2)
    action, doc = services.advisory_share(advisory=adv, user=analyst, recipient=" H-ISAC ")
    sha = hashlib.sha256(doc.content).hexdigest()
    assert doc.content == bytes(adv.documents.get(format="stix").content)  # the published bundle
    bundle = orjson.loads(doc.content)
    assert any(o.get("definition", {}).get("tlp") == "amber" for o in bundle["objects"])
    assert action.kind == "isao_share" and action.created_by == analyst and action.on == timezone.localdate()
    assert action.data["isao"] == "H-ISAC" and action.data["tlp"] == "AMBER" and action.data["sha256"] == sha
    assert f"shared with H-ISAC ({adv.tracking_id} v1, TLP:AMBER, sha256 {sha})" == action.summary
    evidence = action.files.get()
    assert evidence.sha256 == sha and bytes(evidence.content) == doc.content
    assert list(advisory_shares(adv)) == [action]
    audited = AuditEvent.objects.get(verb="advisory.share")
    assert audited.actor == analyst and audited.additional_data["sha256"] == sha
    assert audited.additional_data["isao"] == "H-ISAC"
    assert ready_case.events.filter(kind="action", message__contains="H-ISAC").exists()


def test_clear_bundle_is_not_shared_before_the_embargo(ready_case: Case, analyst: Any) -> None:
    until = timezone.now() + dt.timedelta(days=3)
    adv = services.advisory_draft(case=ready_case, user=analyst, tlp="CLEAR", embargo_until=until)
    with pytest.raises(InputError, match="TLP:CLEAR bundle is public"):
        services.advisory_share(advisory=adv, user=analyst, recipient="H-ISAC")
    adv.tlp = "AMBER"
    adv.save()
    action, _ = services.advisory_share(advisory=adv, user=analyst, recipient="H-ISAC")
    assert action.data["tlp"] == "AMBER" and "(draft)" in action.data["shared"]


def test_a_vulnerability_known_only_by_its_ghsa_id_is_published_under_it(
    ready_case: Case, analyst: Any, analyst2: Any
) -> None:
    ghsa = "GHSA-9wx4-h78v-vm56"
    Alias.objects.filter(vulnerability=ready_case.vulnerability).update(alias=ghsa)
    Vulnerability.objects.filter(pk=ready_case.vulnerability_id).update(key=ghsa)
    ready_case.refresh_from_db()
    for kind, fmt in (("advisory", "csaf"), ("vex", "csaf-vex")):
        adv = services.advisory_draft(case=ready_case, user=analyst, tlp="CLEAR", kind=kind)
        services.advisory_submit(advisory=adv, user=analyst)
        adv = services.advisory_publish(advisory=adv, user=analyst2)
        csaf = orjson.loads(bytes(adv.documents.get(format=fmt).content))
        assert violations(csaf_validator(), csaf) == [] and validate_csaf(csaf) == []
        (vuln,) = csaf["vulnerabilities"]
        assert "cve" not in vuln and vuln["ids"] == [
            {"system_name": "GitHub Security Advisory", "text": ghsa}
        ]
        assert vuln["references"][0]["url"] == f"https://github.com/advisories/{ghsa}"
        assert "nvd.nist.gov" not in bytes(adv.documents.get(format="openvex").content).decode()
