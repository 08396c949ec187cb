"""Publishing in a real browser: an analyst drafts a CSAF advisory from the case page and submits
it, a second analyst approves and publishes it and downloads the CSAF advisory, the VEX and the PDF
notice (rendered to PNG with poppler's pdftoppm, for a person to look at), shares the STIX bundle
with an ISAO, and the case page shows the advisory and the share; the public page lists it."""

from __future__ import annotations

import hashlib
import shutil
import subprocess
from pathlib import Path
from typing import Any

import orjson
import pytest
from django.utils import timezone

from medvigil.core.csaf.validate import validate_csaf
from medvigil.core.sbom.schema import validate_schema
from medvigil.web.accounts.services import user_create
from medvigil.web.disclosure import services as cvd
from medvigil.web.inventory import services as inventory
from medvigil.web.risk import services as risk
from medvigil.web.risk.models import Case
from tests.browser.conftest import SHOTS, shot
from tests.web.remediation.conftest import communicate
from tests.web.risk.conftest import NETWORK_RCE, make_vulnerability

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "browser-pass-123"


def _case(analyst: Any) -> Case:
    product = inventory.product_create(name="Infusion Pump X", interfaces=["wifi"])
    product.purls = ["pkg:generic/example/pump-x"]
    product.save()
    version = inventory.version_create(product=product, version="1.0")
    case, _ = risk.case_open(product=product, vulnerability=make_vulnerability("CVE-2026-4242", NETWORK_RCE))
    risk.case_add_version(case=case, product_version=version, components=[])
    risk.assessment_propose(case=case)
    risk.assessment_confirm(case=case, user=analyst)
    communicate(case, analyst, timezone.localdate())
    report, _ = cvd.report_submit(
        data={"title": "Rate change over Wi-Fi", "description": "Unauthenticated.", "credit": "name",
              "credit_name": "J\u00f6rg Researcher", "credit_organization": "Example Lab"}
    )  # fmt: skip
    cvd.report_case_join(report=report, case=case, user=analyst)
    return case


def _pdf_page_png(pdf: Path, name: str) -> Path | None:
    """Page 1 of the PDF as a PNG next to the screenshots (None without poppler-utils)."""
    if shutil.which("pdftoppm") is None:
        return None
    SHOTS.mkdir(parents=True, exist_ok=True)
    stem = SHOTS / name
    subprocess.run(["pdftoppm", "-png", "-r", "80", "-f", "1", "-l", "1", "-singlefile", str(pdf), str(stem)],
                   check=True, capture_output=True, timeout=60)  # fmt: skip
    return stem.with_suffix(".png")


def _login(page: Any, base: str, name: str) -> None:
    page.context.clear_cookies()
    page.goto(f"{base}/login/")
    page.fill("#id_username", name)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")


def test_draft_review_publish_download(page: Any, live_server: Any, tmp_path: Path) -> None:
    analyst = user_create(username="ana", password=PASSWORD, role="analyst")
    user_create(username="ben", password=PASSWORD, role="analyst")
    case = _case(analyst)
    base = live_server.url
    _login(page, base, "ana")
    page.goto(f"{base}/risk/cases/{case.pk}/")
    assert "No advisory yet." in page.inner_text("#case-advisories")
    page.select_option("#case-draft-form [name=tlp]", "CLEAR")
    page.click("#draft-advisory")
    assert page.url.rstrip("/").split("/")[-2] == "publishing"  # landed on the new draft's page
    assert page.inner_text("#advisory-state") == "draft"
    assert '"csaf_security_advisory"' in page.inner_text("#preview")
    page.click("#submit-review")
    assert page.inner_text("#advisory-state") == "review"
    page.click("#approve-publish")
    assert "second analyst" in page.inner_text(".msg.error")
    url = page.url
    _login(page, base, "ben")
    page.goto(url)
    page.click("#approve-publish")
    assert page.inner_text("#advisory-state") == "published"
    assert page.inner_text("#approved-by").startswith("ben")
    shot(page, "publishing-detail-published")
    saved: dict[str, Path] = {}
    for fmt in ("csaf", "cyclonedx-vex", "openvex", "notice-pdf"):
        with page.expect_download() as got:
            page.click(f"#download-{fmt}")
        saved[fmt] = tmp_path / got.value.suggested_filename
        got.value.save_as(str(saved[fmt]))
    doc = orjson.loads(saved["csaf"].read_bytes())
    assert validate_csaf(doc) == [] and doc["document"]["tracking"]["status"] == "final"
    assert doc["document"]["acknowledgments"][0]["names"] == ["J\u00f6rg Researcher"]
    vex = saved["cyclonedx-vex"].read_bytes()
    assert validate_schema(vex, source="vex", format="cyclonedx-json", spec_version="1.6") == []
    assert saved["openvex"].read_bytes().startswith(b'{\n  "@context": "https://openvex.dev/ns/v0.2.0"')
    pdf = saved["notice-pdf"].read_bytes()
    assert pdf.startswith(b"%PDF-")
    png = _pdf_page_png(saved["notice-pdf"], "publishing-notice-page1")
    assert png is None or png.stat().st_size > 10_000  # a rendered page, not a blank one
    # ISAO sharing, recorded on the case
    page.fill("#share-recipient", "H-ISAC")
    page.click("#share-submit")
    assert "Recorded on the case: shared with H-ISAC" in page.inner_text(".msg")
    row = page.inner_text("#shares tbody tr")
    assert "H-ISAC" in row and "TLP:CLEAR" in row and "ben" in row
    page.goto(f"{base}/risk/cases/{case.pk}/")
    assert doc["document"]["tracking"]["id"] in page.inner_text("#case-advisories")
    assert "published" in page.inner_text("#case-advisories")
    action = case.actions.get(kind="isao_share")
    assert action.data["sha256"] == hashlib.sha256(bytes(action.files.get().content)).hexdigest()
    assert f"sha256 {action.data['sha256']}" in page.inner_text("#actions")
    shot(page, "publishing-case-page")
    page.context.clear_cookies()
    page.goto(f"{base}/security/advisories/")
    assert doc["document"]["tracking"]["id"] in page.inner_text("#public-advisories")
    shot(page, "publishing-public-page")
