"""The API's shared behaviour: one paging schema (422 on bad paging), 401 with a Bearer
challenge for scripts without a valid token, and every error status in the OpenAPI document."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from tests.web.conftest import login

LISTS = [
    "/api/feeds/runs",
    "/api/cases",
    "/api/vulnerabilities",
    "/api/findings",
    "/api/products/pump-x/versions/2.1/components",
    "/api/products/pump-x/versions/2.1/findings",
]


@pytest.mark.parametrize("url", LISTS)
@pytest.mark.parametrize(
    ("query", "name"), [("limit=-1", "limit"), ("limit=0", "limit"), ("limit=1001", "limit"),
                        ("offset=-5", "offset"), ("limit=ten", "limit")],
)  # fmt: skip
def test_bad_paging_is_422_naming_the_parameter_on_every_list(
    viewer: Any, version: Any, url: str, query: str, name: str
) -> None:
    resp = login(viewer).get(f"{url}?{query}")
    assert resp.status_code == 422, resp.content
    assert resp.json()["error"].startswith(f"{name}: ")


@pytest.mark.parametrize("url", LISTS)
def test_good_paging_is_accepted_on_every_list(viewer: Any, version: Any, url: str) -> None:
    assert login(viewer).get(f"{url}?limit=1000&offset=3").status_code == 200


@pytest.mark.parametrize("header", [None, "Bearer", "Bearer mvg_wrong", "Basic YWxpY2U6eA==", "mvg_token"])
def test_writes_without_a_valid_token_are_401_with_a_bearer_challenge(db: Any, header: str | None) -> None:
    extra: dict[str, Any] = {} if header is None else {"HTTP_AUTHORIZATION": header}
    resp = Client(enforce_csrf_checks=True).post(
        "/api/products", {"name": "X"}, content_type="application/json", **extra
    )
    assert resp.status_code == 401, resp.content
    assert resp["WWW-Authenticate"].startswith('Bearer realm="medvigil"')
    assert ("invalid_token" in resp["WWW-Authenticate"]) == (header is not None)
    assert "CSRF" not in resp.json()["error"]


def test_a_signed_in_session_still_needs_the_csrf_token(analyst: Any) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(analyst)
    resp = client.post("/api/products", {"name": "Z"}, content_type="application/json")
    assert resp.status_code == 403 and "CSRF" in resp.json()["error"]


def test_the_openapi_document_lists_every_error_status(db: Any) -> None:
    schema = Client().get("/api/openapi.json").json()
    assert schema["components"]["schemas"]["Error"]["required"] == ["error"]
    runs = schema["paths"]["/api/feeds/runs"]["get"]
    assert {"200", "400", "401", "403", "422", "429", "503"} <= set(runs["responses"])
    limit = next(p for p in runs["parameters"] if p["name"] == "limit")
    assert limit["schema"]["minimum"] == 1 and limit["schema"]["maximum"] == 1000
    product = schema["paths"]["/api/products/{slug}"]["get"]
    assert "404" in product["responses"]
    assert "404" not in schema["paths"]["/api/feeds/sources"]["get"]["responses"]
