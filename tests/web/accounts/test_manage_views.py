"""Admin pages for users, roles and API tokens: admin only, CSRF-protected forms, token shown once."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from medvigil.web.accounts.models import ApiToken, hash_token
from medvigil.web.accounts.roles import Role, role_of
from medvigil.web.accounts.services import token_authenticate, token_create
from tests.web.conftest import login

pytestmark = pytest.mark.django_db

PAGES = ["accounts:users", "accounts:tokens"]
POSTS = [
    ("accounts:user-create", {}),
    ("accounts:user-role", {"user_id": 1}),
    ("accounts:user-active", {"user_id": 1}),
    ("accounts:token-create", {}),
    ("accounts:token-revoke", {"token_id": 1}),
]


@pytest.mark.parametrize("name", PAGES)
def test_pages_are_for_admins_only(name: str, admin: Any, analyst: Any, viewer: Any) -> None:
    assert login(admin).get(reverse(name)).status_code == 200
    assert login(analyst).get(reverse(name)).status_code == 403
    assert login(viewer).get(reverse(name)).status_code == 403
    assert Client().get(reverse(name)).status_code == 302  # to the login page


@pytest.mark.parametrize(("name", "kwargs"), POSTS)
def test_posts_are_for_admins_only(name: str, kwargs: dict[str, int], analyst: Any, viewer: Any) -> None:
    for user in (analyst, viewer):
        assert (
            login(user).post(reverse(name, kwargs=kwargs), {"role": "admin", "name": "x"}).status_code == 403
        )
    assert role_of(get_user_model().objects.get(username="bob")) == Role.ANALYST


def test_nav_admin_link_points_at_the_users_page(admin: Any, analyst: Any) -> None:
    body = login(admin).get(reverse("dashboard:home")).content.decode()
    assert f'href="{reverse("accounts:users")}">Admin<' in body
    assert ">Admin<" not in login(analyst).get(reverse("dashboard:home")).content.decode()


def test_create_user_with_role_shows_the_password_once(admin: Any) -> None:
    client = login(admin)
    response = client.post(reverse("accounts:user-create"), {"username": "dave", "role": "analyst"})
    assert response.status_code == 200
    password = response.context["shown"]["password"]
    dave = get_user_model().objects.get(username="dave")
    assert role_of(dave) == Role.ANALYST
    assert dave.check_password(password)
    assert password in response.content.decode()
    assert password not in client.get(reverse("accounts:users")).content.decode()


def test_create_refuses_duplicates_and_unknown_roles(admin: Any, viewer: Any) -> None:
    client = login(admin)
    assert (
        client.post(reverse("accounts:user-create"), {"username": "carol", "role": "admin"}).status_code
        == 400
    )
    assert role_of(get_user_model().objects.get(username="carol")) == Role.VIEWER
    response = client.post(reverse("accounts:user-create"), {"username": "erin", "role": "root"})
    assert response.status_code == 400
    assert "unknown role" in response.content.decode()
    assert not get_user_model().objects.filter(username="erin").exists()


def test_change_role_and_deactivate(admin: Any, viewer: Any) -> None:
    client = login(admin)
    client.post(reverse("accounts:user-role", kwargs={"user_id": viewer.pk}), {"role": "analyst"})
    viewer = get_user_model().objects.get(pk=viewer.pk)
    assert role_of(viewer) == Role.ANALYST
    raw = token_create(user=viewer, name="ci")
    client.post(reverse("accounts:user-active", kwargs={"user_id": viewer.pk}), {"active": "0"})
    viewer = get_user_model().objects.get(pk=viewer.pk)
    assert not viewer.is_active
    assert token_authenticate(raw=raw) is None
    assert 'class="pill bad">deactivated' in client.get(reverse("accounts:users")).content.decode()


def test_admin_cannot_lock_themself_out(admin: Any) -> None:
    client = login(admin)
    client.post(reverse("accounts:user-role", kwargs={"user_id": admin.pk}), {"role": "viewer"})
    client.post(reverse("accounts:user-active", kwargs={"user_id": admin.pk}), {"active": "0"})
    admin = get_user_model().objects.get(pk=admin.pk)
    assert admin.is_active
    assert role_of(admin) == Role.ADMIN


def test_token_create_list_and_revoke(admin: Any, analyst: Any) -> None:
    client = login(admin)
    response = client.post(reverse("accounts:token-create"), {"user": analyst.pk, "name": "ci-pipeline"})
    raw = response.context["shown"]["token"]
    token = ApiToken.objects.get(token_hash=hash_token(raw))
    assert token.user == analyst and token.name == "ci-pipeline"
    assert token_authenticate(raw=raw) == analyst
    page = client.get(reverse("accounts:tokens")).content.decode()
    assert raw not in page  # shown once only
    assert "ci-pipeline" in page and token.created_at.strftime("%Y-%m-%d") in page
    assert "never" not in page.split(f'id="token-{token.pk}"')[1].split("</tr>")[0]  # last used is shown
    client.post(reverse("accounts:token-revoke", kwargs={"token_id": token.pk}))
    assert token_authenticate(raw=raw) is None
    assert "revoked" in client.get(reverse("accounts:tokens")).content.decode()


def test_token_create_refuses_a_missing_name(admin: Any, analyst: Any) -> None:
    response = login(admin).post(reverse("accounts:token-create"), {"user": analyst.pk, "name": " "})
    assert response.status_code == 400
    assert not ApiToken.objects.exists()


def test_forms_need_csrf(admin: Any) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(admin)
    assert client.post(reverse("accounts:user-create"), {"username": "x", "role": "admin"}).status_code == 403
    assert not get_user_model().objects.filter(username="x").exists()
