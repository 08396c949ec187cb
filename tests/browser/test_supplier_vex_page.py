"""Supplier VEX on the product page in a real browser: upload, the finding turns not affected, remove."""

from __future__ import annotations

from typing import Any

import pytest

from medvigil.web.accounts.services import user_create
from medvigil.web.advisories.services import feed_import
from medvigil.web.findings.models import Finding
from medvigil.web.inventory import services as inv
from tests.browser.conftest import shot
from tests.conftest import FIXTURES, shared_path

pytestmark = [pytest.mark.browser, pytest.mark.shared_data, pytest.mark.django_db(transaction=True)]
PASSWORD = "browser-pass-123"


def test_analyst_uploads_and_removes_supplier_vex(page: Any, live_server: Any) -> None:
    feed_import(path=FIXTURES / "vex" / "GHSA-288c-cq4h-88gq.json")
    example = shared_path("sbom", "cyclonedx", "bom-examples", "VEX")
    product = inv.product_create(name="Acme Application", slug="acme")
    pv = inv.version_create(product=product, version="2.4.0")
    inv.sbom_import(product_version=pv, data=(example / "bom.json").read_bytes(), filename="bom.json")
    finding = Finding.objects.get(product_version=pv, vulnerability_key="CVE-2020-25649")  # matched on import
    assert finding.state == "open"
    user_create(username="ann", password=PASSWORD, role="analyst")
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", "ann")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")

    page.goto(f"{live_server.url}/products/acme/")
    page.set_input_files("#supplier-vex-upload input[type=file]", str(example / "vex.json"))
    page.click("#supplier-vex-upload >> text=Upload VEX")
    table = page.locator("#supplier-vex-documents")
    assert "vex.json" in table.inner_text() and "every version" in table.inner_text()
    shot(page, "supplier-vex-uploaded")
    finding.refresh_from_db()
    assert finding.state == "not_affected"
    page.goto(f"{live_server.url}/products/acme/versions/2.4.0/")
    assert "1 not affected" in page.locator("#findings").inner_text()

    page.goto(f"{live_server.url}/products/acme/")
    page.click("#supplier-vex-documents >> text=Remove")
    assert "No supplier VEX documents" in page.locator("#supplier-vex-documents").inner_text()
    finding.refresh_from_db()
    assert finding.state == "open"
