"""The audit page, its export download and the API: roles, filters, paging, the chain fields."""

from __future__ import annotations

from typing import Any

import orjson

from medvigil.web.audit.chain import audit_context
from medvigil.web.inventory import services as inventory
from tests.web.conftest import login


def _events(admin: Any, analyst: Any, n: int = 3) -> None:
    with audit_context(actor=admin):
        for i in range(n):
            inventory.product_create(name=f"Pump {i}", slug=f"pump-{i}")
    with audit_context(actor=analyst, reason="typo"):
        product = inventory.product_create(name="Monitr", slug="monitor")
        inventory.product_update(product=product, name="Monitor")


def test_page_roles(db: Any, admin: Any, analyst: Any, viewer: Any, outsider: Any) -> None:
    _events(admin, analyst)
    assert login(admin).get("/audit/").status_code == 200
    assert login(analyst).get("/audit/").status_code == 200
    assert login(viewer).get("/audit/").status_code == 403
    assert login(outsider).get("/audit/").status_code == 403
    assert login(viewer).get("/audit/export.json").status_code == 403
    anonymous = login(admin)
    anonymous.logout()
    assert anonymous.get("/audit/").status_code == 302


def test_page_filters_and_pages(db: Any, admin: Any, analyst: Any) -> None:
    _events(admin, analyst, n=60)
    client = login(admin)
    page = client.get("/audit/", {"actor": "bob"}).content.decode()
    assert "Monitor" in page and "Pump 1<" not in page and "typo" in page
    assert 'id="audit-count">2 events' in page
    typed = client.get("/audit/", {"type": "inventory.product", "action": "create"}).content.decode()
    assert 'id="audit-count">61 events' in typed and "page 1 of 2" in typed
    assert "page 2 of 2" in client.get("/audit/", {"type": "inventory.product", "page": "2"}).content.decode()
    none = client.get("/audit/", {"since": "2001-01-01", "until": "2001-01-31"}).content.decode()
    assert "No events match" in none
    bad = client.get("/audit/", {"since": "yesterday"})
    assert bad.status_code == 400 and "since" in bad.content.decode()


def test_export_download_has_the_chain_fields(db: Any, admin: Any, analyst: Any) -> None:
    _events(admin, analyst)
    response = login(analyst).get("/audit/export.json", {"actor": "bob"})
    assert response["Content-Disposition"].startswith("attachment")
    doc = orjson.loads(b"".join(response.streaming_content))  # type: ignore[attr-defined]
    assert doc["complete"] is False and doc["filter"] == {"actor": "bob"}
    assert {e["actor"] for e in doc["events"]} == {"bob"}
    assert {"seq", "prev_hash", "hash"} <= set(doc["events"][0])


def test_api_roles_filters_and_verify(db: Any, admin: Any, analyst: Any, viewer: Any, token_for: Any) -> None:
    _events(admin, analyst)
    assert login(viewer).get("/api/audit/events").status_code == 403
    response = login(analyst).get(
        "/api/audit/events", {"action": "update", "object_type": "inventory.product"}
    )
    body = response.json()
    assert response.status_code == 200 and body["count"] == 1
    assert body["items"][0]["changes"]["name"] == ["Monitr", "Monitor"]
    assert login(admin).get("/api/audit/events", {"limit": 0}).status_code == 422
    verified = login(admin).get("/api/audit/verify", **token_for(admin)).json()
    assert verified["ok"] and verified["checked"] > 5


def test_bearer_token_writes_name_the_token_user(db: Any, analyst: Any, token_for: Any) -> None:
    from medvigil.web.audit.models import AuditEvent

    client = login(analyst)
    client.logout()
    response = client.post(
        "/api/products",
        {"name": "Token Pump", "slug": "token-pump"},
        content_type="application/json",
        **token_for(analyst),
    )
    assert response.status_code in (200, 201), response.content
    event = AuditEvent.objects.get(object_type="inventory.product", verb="create")
    assert event.actor_label == "bob"


def test_openapi_lists_the_audit_endpoints(db: Any, admin: Any) -> None:
    schema = login(admin).get("/api/openapi.json").json()
    assert {"/api/audit/events", "/api/audit/verify"} <= set(schema["paths"])
