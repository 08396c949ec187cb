"""The public side: the form (CSRF, honeypot, fill time, limits, sniffed attachments, inert text),
the tracking link, the JSON API (token checks, same 404), rate limits and security.txt."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path
from typing import Any

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from medvigil.core.disclosure.securitytxt import check
from medvigil.web.disclosure import services, throttle
from medvigil.web.disclosure.models import Attachment, Message, Report, ReportEvent
from medvigil.web.inventory.models import ProductVersion
from tests.gnupg import gnupg_home, gpg_run, key_generate
from tests.web.disclosure.conftest import PDF, PNG, REPORT

pytestmark = pytest.mark.django_db


def _form(**extra: Any) -> dict[str, Any]:
    return {**REPORT, "started": throttle.form_stamp(), "website": "", **extra}


def test_the_form_stores_a_report_with_a_tracking_link(version: ProductVersion) -> None:
    client = Client()
    assert "Infusion Pump X 2.1" in client.get("/security/report/").content.decode()
    resp = client.post(
        "/security/report/", _form(target="pump-x::2.1", attachments=[SimpleUploadedFile("shot.png", PNG)])
    )
    assert resp.status_code == 201
    report = Report.objects.get()
    assert re.fullmatch(r"CVD-\d{4}-0001", report.reference)
    assert report.product_version == version and report.attachments.get().content_type == "image/png"
    link = re.search(r'id="tracking-link" href="([^"]+)"', resp.content.decode())
    assert link is not None
    page = client.get(link.group(1))
    assert page.status_code == 200 and "Unauthenticated dose change" in page.content.decode()
    assert page["Referrer-Policy"] == "same-origin" and "no-store" in page["Cache-Control"]


def test_the_token_is_256_bits_stored_only_as_its_sha256(submitted: tuple[Report, str]) -> None:
    report, token = submitted
    assert len(token) >= 43 and token not in report.token_hash
    assert report.token_hash == services.hash_token(token) and len(report.token_hash) == 64


def test_csrf_is_enforced_on_the_public_forms(submitted: tuple[Report, str]) -> None:
    client = Client(enforce_csrf_checks=True)
    assert client.post("/security/report/", _form()).status_code == 403
    report, token = submitted
    assert client.post(f"/security/track/{report.reference}/{token}/", {"body": "hi"}).status_code == 403


def test_honeypot_and_fill_time_refuse_bots(settings: Any) -> None:
    resp = Client().post("/security/report/", _form(website="http://spam"))
    assert resp.status_code == 400 and "automated submission" in resp.content.decode()
    settings.CVD_MIN_FILL_SECONDS = 30
    resp = Client().post("/security/report/", _form())
    assert resp.status_code == 400 and "too quickly" in resp.content.decode()
    resp = Client().post("/security/report/", {**REPORT, "started": "1700000000:forged"})
    assert resp.status_code == 400 and "expired or was altered" in resp.content.decode()
    assert not Report.objects.exists()


def test_forbidden_attachment_is_refused_and_nothing_is_stored() -> None:
    resp = Client().post(
        "/security/report/",
        _form(
            attachments=[
                SimpleUploadedFile("fine.pdf", PDF),
                SimpleUploadedFile("poc.pdf", b"<html><script>x</script>"),
            ]
        ),
    )
    text = resp.content.decode()
    assert resp.status_code == 400 and "poc.pdf" in text and "this file type is not accepted" in text
    assert (
        not Report.objects.exists() and not Attachment.objects.exists() and not ReportEvent.objects.exists()
    )


def test_oversize_attachment_total_and_text_are_refused(settings: Any) -> None:
    settings.CVD_ATTACHMENT_MAX_BYTES = 2048
    settings.CVD_ATTACHMENTS_TOTAL_BYTES = 3000
    resp = Client().post("/security/report/", _form(attachments=[SimpleUploadedFile("big.txt", b"a" * 5000)]))
    assert (
        resp.status_code == 400
        and "big.txt" in resp.content.decode()
        and "over the limit" in resp.content.decode()
    )
    two = [SimpleUploadedFile("a.txt", b"a" * 2000), SimpleUploadedFile("b.txt", b"b" * 2000)]
    resp = Client().post("/security/report/", _form(attachments=two))
    assert resp.status_code == 400 and "attachments total 4000 bytes" in resp.content.decode()
    settings.CVD_TEXT_MAX_CHARS = 1000
    resp = Client().post("/security/report/", _form(description="x" * 1001))
    assert resp.status_code == 400 and "at most 1000 characters" in resp.content.decode()
    assert not Report.objects.exists() and not Attachment.objects.exists()


def test_bad_cvss_vector_is_named() -> None:
    resp = Client().post("/security/report/", _form(cvss_vector="CVSS:3.1/AV:Q"))
    assert resp.status_code == 400 and "cvss_vector" in resp.content.decode()
    assert not Report.objects.exists()


def test_reporter_text_is_inert(analyst: Any) -> None:
    report, token = services.report_submit(
        data={**REPORT, "title": "<b>t</b>", "description": "<script>alert(1)</script>"}
    )
    services.reporter_message(report=report, body="<img src=x onerror=alert(1)>")
    client = Client()
    client.force_login(analyst)
    for page in (
        client.get(f"/cvd/{report.reference}/"),
        Client().get(f"/security/track/{report.reference}/{token}/"),
    ):
        html = page.content.decode()
        assert "<script>alert" not in html and "<img src=x" not in html and "<b>t</b>" not in html
        assert "&lt;img src=x" in html and "&lt;b&gt;t&lt;/b&gt;" in html


def test_another_reports_token_reads_nothing(submitted: tuple[Report, str]) -> None:
    report, _ = submitted
    other, other_token = services.report_submit(data={**REPORT, "title": "other"})
    assert Client().get(f"/security/track/{report.reference}/{other_token}/").status_code == 404
    api = Client()
    unknown = api.get("/api/cvd/reports/CVD-1999-0001", HTTP_X_CVD_TOKEN=other_token)
    wrong = api.get(f"/api/cvd/reports/{report.reference}", HTTP_X_CVD_TOKEN=other_token)
    missing = api.get(f"/api/cvd/reports/{report.reference}")
    assert unknown.status_code == wrong.status_code == missing.status_code == 404
    assert unknown.content == wrong.content == missing.content
    post = api.post(
        f"/api/cvd/reports/{report.reference}/messages",
        {"body": "x"},
        content_type="application/json",
        HTTP_X_CVD_TOKEN=other_token,
    )
    assert post.status_code == 404 and not Message.objects.exists()


def test_api_json_submission_read_and_message(version: ProductVersion) -> None:
    client = Client()
    resp = client.post(
        "/api/cvd/reports",
        {
            **REPORT,
            "product": "pump-x",
            "version": "2.1",
            "cvss_vector": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
        },
        content_type="application/json",
    )
    assert resp.status_code == 201, resp.content
    body = resp.json()
    assert set(body) == {"reference", "token", "tracking_url"} and body["token"] in body["tracking_url"]
    read = client.get(f"/api/cvd/reports/{body['reference']}", HTTP_X_CVD_TOKEN=body["token"]).json()
    assert read["state"] == "new" and read["product"] == "pump-x" and "events" not in read
    sent = client.post(
        f"/api/cvd/reports/{body['reference']}/messages",
        {"body": "more detail"},
        content_type="application/json",
        HTTP_X_CVD_TOKEN=body["token"],
    )
    assert sent.status_code == 201 and sent.json()["messages"][0] == {
        **sent.json()["messages"][0],
        "from": "reporter",
    }
    assert str(Report.objects.get().cvss_score) == "9.8"


def test_api_multipart_with_attachment_and_bad_input() -> None:
    client = Client()
    resp = client.post("/api/cvd/reports", {**REPORT, "attachments": [SimpleUploadedFile("p.pdf", PDF)]})
    assert resp.status_code == 201 and Attachment.objects.get().content_type == "application/pdf"
    bad = client.post("/api/cvd/reports", {**REPORT, "attachments": [SimpleUploadedFile("x.png", b"MZ\x90")]})
    assert bad.status_code == 400 and "x.png" in bad.json()["error"] and bad.json()["field"] == "attachments"
    missing = client.post("/api/cvd/reports", {"title": "t"}, content_type="application/json")
    assert missing.status_code == 400 and missing.json()["field"] == "description"
    assert Report.objects.count() == 1


def test_openapi_documents_the_endpoints() -> None:
    schema = Client().get("/api/openapi.json").json()
    post = schema["paths"]["/api/cvd/reports"]["post"]
    assert {"application/json", "multipart/form-data"} <= set(post["requestBody"]["content"])
    assert "/api/cvd/reports/{reference}/messages" in schema["paths"]


def test_rate_limit_per_client(settings: Any) -> None:
    settings.CVD_RATE_LIMIT = 2
    client, other = Client(REMOTE_ADDR="10.0.0.1"), Client(REMOTE_ADDR="10.0.0.2")
    codes = [
        client.post("/api/cvd/reports", REPORT, content_type="application/json").status_code for _ in range(3)
    ]
    assert codes == [201, 201, 429]
    assert client.post("/security/report/", _form()).status_code == 429
    assert other.post("/api/cvd/reports", REPORT, content_type="application/json").status_code == 201
    assert Report.objects.count() == 3


def test_mail_on_acknowledgement_and_reply(
    submitted: tuple[Report, str], analyst: Any, django_capture_on_commit_callbacks: Any
) -> None:
    report, _ = submitted
    with django_capture_on_commit_callbacks(execute=True):
        services.report_transition(report=report, to="acknowledged", user=analyst)
    with django_capture_on_commit_callbacks(execute=True):
        services.staff_message(report=report, body="secret detail", user=analyst)
    with django_capture_on_commit_callbacks(execute=True):
        services.staff_message(report=report, body="internal", user=analyst, internal=True)
    assert [m.subject for m in mail.outbox] == [
        f"{report.reference}: we received your report",
        f"{report.reference}: new message about your report",
    ]
    assert mail.outbox[0].to == ["res@example.org"] and "secret detail" not in mail.outbox[1].body


def test_security_txt_is_valid_and_expires_within_a_year(settings: Any) -> None:
    settings.CVD_CONTACTS = ["mailto:psirt@example.org"]
    settings.CVD_PUBLIC_URL = "https://psirt.example.org"
    resp = Client().get("/.well-known/security.txt")
    text = resp.content.decode()
    assert resp["Content-Type"] == "text/plain; charset=utf-8"
    assert check(text, now=dt.datetime.now(dt.UTC)) == []
    for field in (
        "Contact: mailto:psirt@example.org",
        "Policy: ",
        "Acknowledgments: ",
        "Preferred-Languages: en",
        "Canonical: https://psirt.example.org/.well-known/security.txt",
    ):
        assert field in text


def test_policy_and_acknowledgments_pages_are_public(submitted: tuple[Report, str], analyst: Any) -> None:
    report, _ = submitted
    services.report_submit(data={**REPORT, "credit": "name", "credit_name": "Ada R."})
    named = Report.objects.get(credit="name")
    for to in ("acknowledged", "triage", "valid", "resolved", "published"):
        services.report_transition(report=named, to=to, user=analyst)
    policy = Client().get("/security/policy/").content.decode()
    assert "Safe harbour" in policy and "within 5 business days" in policy and "ISO/IEC 29147" in policy
    acks = Client().get("/security/acknowledgments/").content.decode()
    assert "Ada R." in acks and report.reference not in acks
    assert json.loads(json.dumps(services.policy_update(user=analyst, ack_days=7).ack_days)) == 7


def test_security_txt_is_clear_signed_with_gpg_when_a_key_is_set(settings: Any, tmp_path: Path) -> None:
    with gnupg_home(tmp_path / "gnupg") as home:
        key_generate(home, "psirt@example.org", expires="1y")
        settings.CVD_GPG_KEY, settings.CVD_GPG_HOME = "psirt@example.org", str(home)
        settings.CVD_PUBLIC_URL = "https://psirt.example.org"
        text = Client().get("/.well-known/security.txt").content.decode()
        assert text.startswith("-----BEGIN PGP SIGNED MESSAGE-----")
        assert "-----BEGIN PGP SIGNATURE-----" in text
        gpg_run(home, "--verify", data=text.encode())  # raises unless the signature is good
    assert check(text, now=dt.datetime.now(dt.UTC)) == []


def test_security_txt_points_at_the_csaf_provider_when_it_is_enabled(settings: Any) -> None:
    settings.CVD_PUBLIC_URL = "https://psirt.example.org"
    text = Client().get("/.well-known/security.txt").content.decode()
    assert "CSAF: https://psirt.example.org/.well-known/csaf/provider-metadata.json\n" in text
    assert check(text, now=dt.datetime.now(dt.UTC)) == []
    settings.CSAF_PROVIDER = False
    text = Client().get("/.well-known/security.txt").content.decode()
    assert "CSAF:" not in text and check(text, now=dt.datetime.now(dt.UTC)) == []
