"""Per-client rate limit of the public CVD endpoints (the Django cache; settings
``CVD_RATE_LIMIT`` per ``CVD_RATE_WINDOW`` seconds), and the spam checks of the HTML form."""

from __future__ import annotations

import time

from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.http import HttpRequest

from medvigil.core.errors import InputError

_SALT = "medvigil.cvd.form-started"


def client_key(request: HttpRequest) -> str:
    """The client address (REMOTE_ADDR; a proxy must set it, X-Forwarded-For is not trusted)."""
    return str(request.META.get("REMOTE_ADDR") or "unknown")


def allow(request: HttpRequest, scope: str) -> bool:
    """Count one public write of this client; False once it is over the limit in the window."""
    window = int(settings.CVD_RATE_WINDOW)
    key = f"cvd-rate:{scope}:{client_key(request)}:{int(time.time()) // window}"
    cache.add(key, 0, window + 5)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, window + 5)
        count = 1
    return count <= int(settings.CVD_RATE_LIMIT)


def form_stamp() -> str:
    """A signed timestamp for the form's hidden ``started`` field."""
    return signing.TimestampSigner(salt=_SALT).sign(str(time.time()))


def check_human(post: dict[str, str]) -> None:
    """Refuse a filled honeypot, a missing or forged stamp, or a form posted too fast."""
    if post.get("website", ""):
        raise InputError("the form could not be accepted (automated submission suspected)", field="website")
    try:
        started = float(signing.TimestampSigner(salt=_SALT).unsign(post.get("started", ""), max_age=86400))
    except (signing.BadSignature, ValueError):
        raise InputError(
            "the form expired or was altered; reload the page and send it again", field="started"
        ) from None
    if time.time() - started < float(settings.CVD_MIN_FILL_SECONDS):
        raise InputError(
            "the form was sent too quickly; wait a few seconds and send it again", field="started"
        )
