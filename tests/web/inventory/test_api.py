"""Inventory API: roles, tokens, CSRF, uploads, errors and listings."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from medvigil.web.inventory import services
from medvigil.web.inventory.models import ProductVersion
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


def _big_upload(size: int) -> SimpleUploadedFile:
    head = b'{"bomFormat": "CycloneDX", "specVersion": "1.5", "components": [], "pad": "'
    return SimpleUploadedFile("big.cdx.json", head + b"x" * (size - len(head) - 2) + b'"}')


def test_over_cap_upload_is_refused_with_413_and_nothing_stored(
    analyst: Any, version: Any, settings: Any
) -> None:
    settings.SBOM_MAX_BYTES = 64 * 1024
    resp = login(analyst).post("/api/products/pump-x/versions/2.1/sbom", {"file": _big_upload(200 * 1024)})
    assert resp.status_code == 413, resp.content
    assert "larger than the limit of 65,536 bytes (MEDVIGIL_SBOM_MAX_BYTES)" in resp.json()["error"]
    assert version.documents.count() == 0 and version.components.count() == 0
    ok = login(analyst).post("/api/products/pump-x/versions/2.1/sbom", {"file": _big_upload(32 * 1024)})
    assert ok.status_code == 201, ok.content


def test_upload_cap_stops_reading_the_body(analyst: Any, version: Any, settings: Any) -> None:
    """The handler stops at the cap: the 200 MB case of issue 16.10 never reaches memory or disk."""
    from django.test import RequestFactory

    from medvigil.web.inventory.uploads import CappedUploadHandler

    settings.SBOM_MAX_BYTES = 64 * 1024
    request = RequestFactory().post("/x", {"file": _big_upload(2 * 1024 * 1024)})
    handler = CappedUploadHandler(request)
    request.upload_handlers = [handler, *request.upload_handlers[1:]]
    assert "file" not in request.FILES
    assert 64 * 1024 < handler.received <= 64 * 1024 + 256 * 1024  # at most one chunk past the cap


def test_yaml_alias_bomb_upload_is_refused(analyst: Any, version: Any) -> None:
    lines = ['a0: &a0 "lol"'] + [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 9) + "]" for i in range(1, 10)]
    bomb = "\n".join(
        [*lines, "spdxVersion: SPDX-2.3", "SPDXID: SPDXRef-DOCUMENT", "name: *a9", "packages: []"]
    )
    resp = login(analyst).post(
        "/api/products/pump-x/versions/2.1/sbom", {"file": SimpleUploadedFile("b.spdx.yaml", bomb.encode())}
    )
    assert resp.status_code == 400
    assert "refused as a possible alias bomb" in resp.json()["error"]
    assert version.documents.count() == 0


def test_a_version_says_where_its_analysis_stands(
    analyst: Any, version: Any, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    # A pipeline that uploads an SBOM waits for "done" before it reads the findings as complete:
    # an empty findings list while the analysis is pending is no all-clear.
    client = login(analyst)
    listed = client.get("/api/products/pump-x/versions").json()
    assert listed[0]["analysis"]["state"] == "none"
    data = demo_file("dropwizard-1.3.15.cdx.json")
    with django_capture_on_commit_callbacks(execute=False) as queued:
        client.post("/api/products/pump-x/versions/2.1/sbom", {"file": SimpleUploadedFile("bom.json", data)})
    (row,) = client.get("/api/products/pump-x/versions").json()
    assert row["analysis"]["state"] == "queued" and row["analysis"]["requested_at"]  # not final yet
    for job in queued:  # the commit queues the analysis (it runs inline in tests)
        job()
    (row,) = client.get("/api/products/pump-x/versions").json()
    assert row["analysis"]["state"] == "done" and row["analysis"]["finished_at"]
    old = timezone.now() - dt.timedelta(minutes=settings.ANALYSIS_TIMEOUT_MINUTES + 1)
    ProductVersion.objects.filter(pk=version.pk).update(analysis_state="queued", analysis_requested_at=old)
    (row,) = client.get("/api/products/pump-x/versions").json()
    assert row["analysis"]["state"] == "stale"
    ProductVersion.objects.filter(pk=version.pk).update(analysis_state="failed", analysis_error="boom")
    (row,) = client.get("/api/products/pump-x/versions").json()
    assert row["analysis"] == {**row["analysis"], "state": "failed", "error": "boom"}
