"""API authentication: bearer tokens for scripts, the session (with CSRF) for the browser.

A wrong token counts as a failed login in the one throttle every authentication path shares
(:mod:`medvigil.web.accounts.throttle`); from a locked-out address even a valid token is refused
with 429 until the lockout expires.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja.errors import HttpError
from ninja.security import HttpBearer, SessionAuth

from medvigil.web.accounts import throttle
from medvigil.web.accounts.roles import can_read, can_write
from medvigil.web.accounts.services import token_authenticate


class BearerTokenAuth(HttpBearer):
    """``Authorization: Bearer mvg_...``."""

    def authenticate(self, request: HttpRequest, token: str) -> Any | None:
        if throttle.is_locked_out(request):
            raise HttpError(429, throttle.lockout_message())
        user = token_authenticate(raw=token)
        if user is None:
            throttle.record_failure(request, sender=type(self))
            return None
        request.user = user
        return user


class SessionCookieAuth(SessionAuth):
    """The browser session; the CSRF check runs only when there is a signed-in session.

    django-ninja's ``SessionAuth`` checks CSRF before looking at the session, so a script with no
    (or a wrong) bearer token got 403 "CSRF check Failed" instead of 401 on every write.
    """

    def _get_key(self, request: HttpRequest) -> str | None:
        if not request.user.is_authenticated:
            return None
        return super()._get_key(request)


API_AUTH = [BearerTokenAuth(), SessionCookieAuth()]


def require_read(request: HttpRequest) -> None:
    """403 unless the caller holds at least the viewer role."""
    if not can_read(request.user):
        raise HttpError(403, "this account has no role; ask an admin for viewer access")


def require_write(request: HttpRequest) -> None:
    """403 unless the caller is an analyst or admin."""
    if not can_write(request.user):
        raise HttpError(403, "the analyst or admin role is needed for this change")
