"""Writes for accounts: users with roles, and API tokens."""

from __future__ import annotations

from contextlib import suppress
from datetime import timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import OperationalError, connection, transaction
from django.utils import timezone

from medvigil.core.errors import InputError
from medvigil.web.accounts.models import ApiToken, hash_token, new_token
from medvigil.web.accounts.roles import ROLE_GROUPS, Role

LAST_USED_RESOLUTION = timedelta(minutes=1)
"""A token's ``last_used_at`` is written at most this often (one write per minute, not per request)."""


def roles_ensure() -> None:
    """Create the role groups if missing."""
    for name in ROLE_GROUPS.values():
        Group.objects.get_or_create(name=name)


@transaction.atomic
def user_create(*, username: str, password: str, role: str, email: str = "") -> Any:
    """Create (or update the password and role of) a user with one role."""
    try:
        wanted = Role[role.upper()]
    except KeyError:
        raise InputError(f"unknown role {role!r}; use admin, analyst or viewer", field="role") from None
    roles_ensure()
    user_model = get_user_model()
    user, _ = user_model.objects.get_or_create(username=username, defaults={"email": email})
    user.set_password(password)
    user.is_staff = wanted == Role.ADMIN
    user.save()
    user.groups.set([Group.objects.get(name=ROLE_GROUPS[wanted])])
    return user


def token_create(*, user: Any, name: str) -> str:
    """Create a token and return its raw value (shown once, stored hashed)."""
    raw = new_token()
    ApiToken.objects.create(user=user, name=name, token_hash=hash_token(raw))
    return raw


def token_authenticate(*, raw: str) -> Any | None:
    """Return the user of a valid, unrevoked token, recording its use; None otherwise."""
    token = (
        ApiToken.objects.select_related("user")
        .filter(token_hash=hash_token(raw), revoked=False, user__is_active=True)
        .first()
    )
    if token is None:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > LAST_USED_RESOLUTION:
        _note_use(token.pk, now)
    return token.user


def _note_use(token_id: int, now: Any) -> None:
    """Record a token's use; on a busy SQLite database skip it at once rather than make a read wait."""
    if connection.vendor != "sqlite":
        ApiToken.objects.filter(pk=token_id).update(last_used_at=now)
        return
    timeout_ms = int(float(connection.settings_dict.get("OPTIONS", {}).get("timeout", 5)) * 1000)
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA busy_timeout = 0")
        try:
            with suppress(OperationalError):
                ApiToken.objects.filter(pk=token_id).update(last_used_at=now)
        finally:
            cursor.execute(f"PRAGMA busy_timeout = {timeout_ms}")


@transaction.atomic
def user_set_role(*, user: Any, role: str) -> Any:
    """Give an existing user exactly one role (admins are also staff)."""
    try:
        wanted = Role[role.upper()]
    except KeyError:
        raise InputError(f"unknown role {role!r}; use admin, analyst or viewer", field="role") from None
    if wanted == Role.NONE:
        raise InputError("role 'none' cannot be given; deactivate the user instead", field="role")
    roles_ensure()
    user.is_staff = wanted == Role.ADMIN
    user.save(update_fields=["is_staff"])
    user.groups.set([Group.objects.get(name=ROLE_GROUPS[wanted])])
    user.__dict__.pop("_medvigil_role", None)
    return user


@transaction.atomic
def user_set_active(*, user: Any, active: bool) -> Any:
    """Activate or deactivate a user; a deactivated user cannot log in and their tokens stop working."""
    user.is_active = active
    user.save(update_fields=["is_active"])
    return user


def token_revoke(*, token_id: int) -> bool:
    """Revoke a token; return whether an unrevoked token was revoked."""
    return ApiToken.objects.filter(pk=token_id, revoked=False).update(revoked=True) == 1
