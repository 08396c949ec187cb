"""Login: roles reach the pages."""

from __future__ import annotations

from typing import Any

from django.test import Client

from tests.web.conftest import PASSWORD


def test_login_then_pages(viewer: Any) -> None:
    client = Client()
    resp = client.post("/login/", {"username": "carol", "password": PASSWORD})
    assert resp.status_code == 302
    assert client.get("/").status_code == 200
