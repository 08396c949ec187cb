"""Login: roles reach the pages, and failed attempts are rate-limited."""

from __future__ import annotations

from typing import Any

from django.core.cache import cache
from django.test import Client

from tests.web.conftest import PASSWORD


def test_login_then_pages(viewer: Any) -> None:
    client = Client()
    resp = client.post("/login/", {"username": "carol", "password": PASSWORD})
    assert resp.status_code == 302
    assert client.get("/").status_code == 200


def test_repeated_failures_are_throttled_even_with_the_right_password(viewer: Any) -> None:
    cache.clear()
    client = Client()
    for _ in range(10):
        assert client.post("/login/", {"username": "carol", "password": "nope"}).status_code == 200
    blocked = client.post("/login/", {"username": "carol", "password": PASSWORD})
    assert blocked.status_code == 429
    cache.clear()
    assert client.post("/login/", {"username": "carol", "password": PASSWORD}).status_code == 302
