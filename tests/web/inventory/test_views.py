"""Inventory pages: access control, rendering and the upload form."""

from __future__ import annotations

from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from tests.web.conftest import demo_file, login


def test_pages_need_login(db: Any) -> None:
    resp = Client().get("/")
    assert resp.status_code == 302 and resp["Location"].startswith("/login/")


def test_outsider_is_forbidden(outsider: Any) -> None:
    assert login(outsider).get("/").status_code == 403


def test_viewer_sees_products_versions_and_components(viewer: Any, version: Any) -> None:
    from medvigil.web.inventory import services

    services.sbom_import(
        product_version=version, data=demo_file("dropwizard-1.3.15.cdx.json"), filename="bom.json"
    )
    client = login(viewer)
    assert b"Infusion Pump X" in client.get("/").content
    page = client.get("/products/pump-x/versions/2.1/").content.decode()
    assert "jackson-databind" in page and "bom.json" in page
    assert "Import SBOM" not in page  # viewers get no upload form
    found = client.get("/products/pump-x/versions/2.1/?q=jackson-databind").content.decode()
    assert "component-results" in found and "dropwizard-core" not in found


def test_viewer_cannot_upload(viewer: Any, version: Any) -> None:
    resp = login(viewer).post("/products/pump-x/versions/2.1/", {"file": SimpleUploadedFile("a.json", b"{}")})
    assert resp.status_code == 403


def test_analyst_uploads_through_the_form(analyst: Any, version: Any) -> None:
    client = login(analyst)
    data = demo_file("microsoft-sbom-tool.spdx.json")
    resp = client.post(
        "/products/pump-x/versions/2.1/", {"file": SimpleUploadedFile("m.spdx.json", data)}, follow=True
    )
    assert "Imported 123 components" in resp.content.decode()
    bad = client.post(
        "/products/pump-x/versions/2.1/", {"file": SimpleUploadedFile("x.txt", b"hello")}, follow=True
    )
    assert "Import refused, nothing was stored" in bad.content.decode()
    assert version.components.count() == 123


def test_unknown_product_is_a_404_page(viewer: Any) -> None:
    assert login(viewer).get("/products/nope/").status_code == 404


def test_over_cap_form_upload_is_refused_and_nothing_stored(
    analyst: Any, version: Any, settings: Any
) -> None:
    settings.SBOM_MAX_BYTES = 64 * 1024
    data = (
        b'{"bomFormat": "CycloneDX", "specVersion": "1.5", "components": [], "x": "' + b"x" * 200_000 + b'"}'
    )
    resp = login(analyst).post(
        "/products/pump-x/versions/2.1/", {"file": SimpleUploadedFile("big.json", data)}, follow=True
    )
    text = resp.content.decode()
    assert "Import refused, nothing was stored" in text and "65,536 bytes" in text
    assert version.documents.count() == 0


def test_version_page_exports_sboms_and_opens_document_warnings(viewer: Any, version: Any) -> None:
    import json

    from medvigil.web.inventory import services

    result = services.sbom_import(
        product_version=version, data=demo_file("dropwizard-1.3.15.cdx.json"), filename="bom.json"
    )
    result.document.warnings = ["component 12: no version, matched by name only"]
    result.document.save(update_fields=["warnings"])
    client = login(viewer)
    page = client.get("/products/pump-x/versions/2.1/").content.decode()
    assert "<summary" in page and "component 12: no version, matched by name only" in page
    cdx = client.get("/products/pump-x/versions/2.1/export/cyclonedx/")
    assert cdx.status_code == 200 and 'filename="pump-x-2.1.cdx.json"' in cdx["Content-Disposition"]
    assert json.loads(cdx.content)["bomFormat"] == "CycloneDX"
    spdx = client.get("/products/pump-x/versions/2.1/export/spdx/")
    assert json.loads(spdx.content)["spdxVersion"] == "SPDX-2.3"
    assert client.get("/products/pump-x/versions/2.1/export/xml/").status_code == 404
