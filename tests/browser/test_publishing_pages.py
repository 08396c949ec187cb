"""Publishing in a real browser: an analyst drafts and submits a CSAF advisory, a second analyst
approves and publishes it, a viewer downloads the published CSAF and finds it on the public page."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson
import pytest
from django.utils import timezone

from medvigil.core.csaf.validate import validate_csaf
from medvigil.web.accounts.services import user_create
from medvigil.web.inventory import services as inventory
from medvigil.web.risk import services as risk
from medvigil.web.risk.models import Case
from tests.browser.conftest import shot
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
    return case


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
    page.goto(f"{base}/publishing/")
    page.fill("#draft-case", str(case.pk))
    page.select_option("#draft-form [name=tlp]", "CLEAR")
    page.click("#draft-submit")
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
    with page.expect_download() as info:
        page.click("#download-csaf")
    target = tmp_path / info.value.suggested_filename
    info.value.save_as(str(target))
    doc = orjson.loads(target.read_bytes())
    assert validate_csaf(doc) == [] and doc["document"]["tracking"]["status"] == "final"
    for fmt, head in (
        ("openvex", b'{\n  "@context": "https://openvex.dev/ns/v0.2.0"'),
        ("notice-pdf", b"%PDF-"),
    ):
        with page.expect_download() as got:
            page.click(f"#download-{fmt}")
        saved = tmp_path / got.value.suggested_filename
        got.value.save_as(str(saved))
        assert saved.read_bytes().startswith(head), fmt
    page.context.clear_cookies()
    page.goto(f"{base}/security/advisories/")
    assert doc["document"]["tracking"]["id"] in page.inner_text("#public-advisories")
    shot(page, "publishing-public-page")
