"""The findings list in a real browser: filters and sorting, then the version page panel."""

from __future__ import annotations

from typing import Any

import pytest

from medvigil.web.accounts.services import user_create
from medvigil.web.advisories.models import Vulnerability
from medvigil.web.advisories.services import feed_import
from medvigil.web.findings import services
from medvigil.web.inventory import services as inv
from tests.browser.conftest import shot
from tests.conftest import shared_path

pytestmark = [pytest.mark.browser, pytest.mark.shared_data, pytest.mark.django_db(transaction=True)]
PASSWORD = "browser-pass-123"


def test_viewer_filters_the_findings_list(page: Any, live_server: Any) -> None:
    feed_import(path=shared_path("osv", "pypi-pypa-advisory-database.jsonl.gz"))
    product = inv.product_create(name="Web portal", slug="web")
    pv = inv.version_create(product=product, version="1.0")
    inv.sbom_import(
        product_version=pv, data=b"Werkzeug==2.2.3\npyspark==3.2.1\n", filename="requirements.txt"
    )
    Vulnerability.objects.filter(key="CVE-2022-33891").update(
        kev=True, epss=0.97, cvss_score=8.8, severity="high"
    )
    services.match_product_versions([pv])
    user_create(username="vic", password=PASSWORD, role="viewer")
    base = live_server.url
    page.goto(f"{base}/login/")
    page.fill("#id_username", "vic")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")

    page.click("nav >> text=Findings")
    rows = page.locator("#findings tbody tr")
    assert rows.count() > 2
    shot(page, "findings-list")
    page.click("#findings thead >> text=EPSS")  # sort by a column header
    page.wait_for_url("**sort=epss**")
    page.check("input[name=kev]")
    page.click("#finding-filters >> text=Apply")
    page.wait_for_url("**kev=1**")
    assert "sort=epss" in page.url  # the chosen sort is kept by the filter form
    assert rows.count() == 1
    assert "CVE-2022-33891" in rows.first.inner_text() and "KEV" in rows.first.inner_text()
    shot(page, "findings-kev")

    page.click("#findings >> text=Web portal 1.0")
    assert "CVE-2022-33891" in page.locator("#version-findings").inner_text()
    shot(page, "version-findings")
