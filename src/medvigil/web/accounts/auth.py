"""API authentication: bearer tokens for scripts, the session (with CSRF) for the browser."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja.errors import HttpError
from ninja.security import HttpBearer, SessionAuth

from medvigil.web.accounts.roles import can_read, can_write
from medvigil.web.accounts.services import token_authenticate


class BearerTokenAuth(HttpBearer):
    """``Authorization: Bearer mvg_...``."""

    def authenticate(self, request: HttpRequest, token: str) -> Any | None:
        user = token_authenticate(raw=token)
        if user is None:
            return None
        request.user = user
        return user


API_AUTH = [BearerTokenAuth(), SessionAuth()]


def require_read(request: HttpRequest) -> None:
    """403 unless the caller holds at least the viewer role."""
    if not can_read(request.user):
        raise HttpError(403, "this account has no role; ask an admin for viewer access")


def require_write(request: HttpRequest) -> None:
    """403 unless the caller is an analyst or admin."""
    if not can_write(request.user):
        raise HttpError(403, "the analyst or admin role is needed for this change")
