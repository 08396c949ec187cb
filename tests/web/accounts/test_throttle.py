"""One sign-in throttle for every way in: 12 wrong attempts lock the right one out, until it expires."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from medvigil.web.accounts.services import token_create
from tests.web.conftest import PASSWORD

WRONG = 12


def _expire_lockout() -> None:
    from axes.models import AccessAttempt

    """Move every recorded failure past the cool-off (as if 16 minutes went by)."""
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=16))


@pytest.mark.parametrize("path", ["/login/", "/admin/login/"])
def test_wrong_passwords_lock_out_the_right_one_then_the_lockout_expires(admin: Any, path: str) -> None:
    client = Client()
    for _ in range(WRONG):
        client.post(path, {"username": "alice", "password": "wrong-password"})
    locked = client.post(path, {"username": "alice", "password": PASSWORD})
    assert locked.status_code == 429
    assert b"Too many failed sign-in attempts" in locked.content
    assert int(locked["Retry-After"]) == 15 * 60
    assert "_auth_user_id" not in client.session  # not signed in
    assert client.get("/api/products").status_code == 401
    _expire_lockout()
    assert client.post(path, {"username": "alice", "password": PASSWORD}).status_code == 302
    assert "_auth_user_id" in client.session


def test_the_lockout_is_per_account_from_other_addresses_too(admin: Any) -> None:
    for _ in range(WRONG):
        Client(REMOTE_ADDR="10.0.0.1").post("/login/", {"username": "alice", "password": "x"})
    other = Client(REMOTE_ADDR="10.0.0.2").post("/admin/login/", {"username": "alice", "password": PASSWORD})
    assert other.status_code == 429


def test_forwarded_for_headers_do_not_reset_the_address_count(viewer: Any) -> None:
    for i in range(WRONG):
        Client(HTTP_X_FORWARDED_FOR=f"10.9.9.{i}").post("/login/", {"username": f"u{i}", "password": "x"})
    assert Client().post("/login/", {"username": "carol", "password": PASSWORD}).status_code == 429


def test_wrong_bearer_tokens_lock_out_a_valid_token_then_the_lockout_expires(analyst: Any) -> None:
    good: dict[str, Any] = {"HTTP_AUTHORIZATION": f"Bearer {token_create(user=analyst, name='ci')}"}
    client = Client()
    for i in range(WRONG):
        bad = client.get("/api/products", HTTP_AUTHORIZATION=f"Bearer mvg_guess{i}")
        assert bad.status_code in (401, 429)
    locked = client.get("/api/products", **good)
    assert locked.status_code == 429
    assert "Too many failed sign-in attempts" in locked.json()["error"]
    _expire_lockout()
    assert client.get("/api/products", **good).status_code == 200


def test_wrong_tokens_and_wrong_passwords_share_the_address_count(viewer: Any) -> None:
    client = Client()
    for i in range(6):
        client.get("/api/products", HTTP_AUTHORIZATION=f"Bearer mvg_guess{i}")
        client.post("/admin/login/", {"username": f"nobody{i}", "password": "x"})
    assert client.post("/login/", {"username": "carol", "password": PASSWORD}).status_code == 429
