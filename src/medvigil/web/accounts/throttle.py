"""One throttle for every way in: web login, admin login and API bearer tokens (django-axes).

django-axes records each failed authentication in the database (``AccessAttempt``, shared by
every web process, on SQLite and PostgreSQL alike) and refuses further attempts, even with the
right password, once ``MEDVIGIL_LOGIN_FAILURE_LIMIT`` failures came from one client address or
for one username, until ``MEDVIGIL_LOGIN_LOCKOUT_MINUTES`` passed without a failure.

- Password logins (``/login/``, ``/admin/login/``, anything calling ``authenticate``) pass
  through ``axes.backends.AxesStandaloneBackend``; ``axes.middleware.AxesMiddleware`` turns the
  refused attempt into :func:`lockout_response`.
- API bearer tokens have no username: a wrong token counts against the client address only
  (:func:`record_failure`, :func:`is_locked_out`).
"""

from __future__ import annotations

import ipaddress
from typing import Any

from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_cool_off
from django.conf import settings
from django.contrib.auth.signals import user_login_failed
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

_NO_USERNAME: dict[str, Any] = {"username": None}


def lockout_parameters(request: Any, credentials: dict[str, Any] | None) -> list[str]:
    """Lock by client address, and by username when the attempt names one."""
    if credentials and credentials.get("username"):
        return ["ip_address", "username"]
    return ["ip_address"]


def client_address(request: HttpRequest) -> str | None:
    """The peer address (None when there is no valid one); forwarded-for headers are ignored
    (a client could forge them)."""
    try:
        return str(ipaddress.ip_address(str(request.META.get("REMOTE_ADDR", "")).strip()))
    except ValueError:
        return None


def lockout_minutes() -> int:
    """Length of a lockout in minutes."""
    cool_off = get_cool_off()
    return int(cool_off.total_seconds() // 60) if cool_off else 0


def lockout_message() -> str:
    """What a locked-out client is told."""
    return (
        f"Too many failed sign-in attempts from this address or for this account: locked for "
        f"{lockout_minutes()} minutes after the last failure. Wait and try again, or ask an admin."
    )


def is_locked_out(request: HttpRequest) -> bool:
    """Whether the client address is locked out (for credentials without a username)."""
    return bool(getattr(settings, "AXES_ENABLED", True)) and AxesProxyHandler.is_locked(request, _NO_USERNAME)


def record_failure(request: HttpRequest, *, sender: type) -> None:
    """Count a failed authentication that named no username (a wrong API token)."""
    user_login_failed.send(sender=sender, credentials=_NO_USERNAME, request=request)


def lockout_response(
    request: HttpRequest, original_response: HttpResponse | None = None, credentials: Any = None
) -> HttpResponse:
    """429 with ``Retry-After``: JSON under /api/, else the throttled page."""
    message = lockout_message()
    response: HttpResponse
    if request.path.startswith("/api/"):
        response = JsonResponse({"error": message}, status=429)
    else:
        response = render(request, "registration/throttled.html", {"message": message}, status=429)
    response["Retry-After"] = str(lockout_minutes() * 60)
    return response
