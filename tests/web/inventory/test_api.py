"""Inventory API: roles, tokens, CSRF, uploads, errors and listings."""

from __future__ import annotations

import json
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from medvigil.web.inventory import services
from tests.web.conftest import demo_file, login


def test_anonymous_requests_are_unauthorised(db: Any) -> None:
    assert Client().get("/api/products").status_code == 401


def test_a_user_without_role_is_forbidden(outsider: Any) -> None:
    assert login(outsider).get("/api/products").status_code == 403


def test_viewer_reads_but_cannot_write(viewer: Any, product: Any) -> None:
    client = login(viewer)
    body = client.get("/api/products").json()
    assert [p["slug"] for p in body] == ["pump-x"]
    assert body[0]["cyber_device"]["is_cyber_device"] is True
    resp = client.post("/api/products", {"name": "X"}, content_type="application/json")
    assert resp.status_code == 403


def test_bearer_token_authenticates_scripts(analyst: Any, token_for: Any) -> None:
    resp = Client().post(
        "/api/products",
        {"name": "Pump Y", "interfaces": ["ble"], "implantable": True},
        content_type="application/json",
        **token_for(analyst),
    )
    assert resp.status_code == 201, resp.content
    assert resp.json()["slug"] == "pump-y"
    bad = Client().get("/api/products", HTTP_AUTHORIZATION="Bearer mvg_not-a-token")
    assert bad.status_code == 401


def test_session_writes_need_the_csrf_token(analyst: Any) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(analyst)
    resp = client.post("/api/products", {"name": "Z"}, content_type="application/json")
    assert resp.status_code == 403


def test_domain_errors_come_back_as_json_with_the_field(analyst: Any) -> None:
    resp = login(analyst).post(
        "/api/products", {"name": "Z", "device_class": "IV"}, content_type="application/json"
    )
    assert resp.status_code == 400
    assert resp.json()["field"] == "device_class"
    missing = login(analyst).get("/api/products/nope")
    assert missing.status_code == 404 and "nope" in missing.json()["error"]


def test_upload_list_download_and_reupload(analyst: Any, version: Any) -> None:
    client = login(analyst)
    data = demo_file("dropwizard-1.3.15.cdx.json")
    url = "/api/products/pump-x/versions/2.1/sbom"
    resp = client.post(url, {"file": SimpleUploadedFile("bom.json", data)})
    assert resp.status_code == 201, resp.content
    assert resp.json()["component_count"] == 167
    again = client.post(url, {"file": SimpleUploadedFile("bom.json", data)})
    assert again.status_code == 200 and again.json()["created"] is False
    page = client.get("/api/products/pump-x/versions/2.1/components?limit=50&offset=100").json()
    assert page["count"] == 167 and len(page["items"]) == 50
    doc_id = client.get("/api/products/pump-x/versions/2.1/documents").json()[0]["id"]
    download = client.get(f"/api/products/pump-x/versions/2.1/documents/{doc_id}/content")
    assert download.content == data


def test_malformed_upload_is_refused_with_a_located_error(analyst: Any, version: Any) -> None:
    bad = b'{"bomFormat": "CycloneDX", "specVersion": "1.5", "components": [{"type": "library"}]}'
    resp = login(analyst).post(
        "/api/products/pump-x/versions/2.1/sbom", {"file": SimpleUploadedFile("x.json", bad)}
    )
    assert resp.status_code == 400
    assert "x.json" in resp.json()["error"] and resp.json()["field"] == "name"
    assert not version.components.exists()


def test_horizon_and_diff_endpoints(viewer: Any, product: Any) -> None:
    old = services.version_create(product=product, version="14.2.6")
    new = services.version_create(product=product, version="15.0.7")
    services.sbom_import(
        product_version=old, data=demo_file("nightscout-14.2.6-package-lock.json"), filename="a"
    )
    services.sbom_import(
        product_version=new, data=demo_file("nightscout-15.0.7-package-lock.json"), filename="b"
    )
    client = login(viewer)
    diff = client.get("/api/products/pump-x/diff?old=14.2.6&new=15.0.7").json()
    assert any(c["name"] == "core" and c["new_version"] == "7.28.5" for c in diff["changed"])
    assert client.get("/api/products/pump-x/versions/15.0.7/horizon").json() == []


def test_openapi_schema_lists_the_inventory_endpoints(db: Any) -> None:
    schema = json.loads(Client().get("/api/openapi.json").content)
    assert "/api/products/{slug}/versions/{version}/sbom" in schema["paths"]
    assert "BearerTokenAuth" in schema["components"]["securitySchemes"]
