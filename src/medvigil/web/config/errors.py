"""Server errors: the 500 page (with the request id) and database contention answered as 503.

A busy SQLite database ("database is locked" after the busy timeout) is contention, not a fault:
pages and the API answer 503 with ``Retry-After`` instead of 500.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import TypeVar

from django.db import OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template import loader

from medvigil.web.config.request_log import current_request_id

log = logging.getLogger("medvigil.request")

_BUSY_MESSAGES = ("database is locked", "database table is locked", "database is busy")


def is_database_busy(exc: BaseException) -> bool:
    """Whether ``exc`` is SQLite lock contention (the busy timeout ran out)."""
    return isinstance(exc, OperationalError) and any(m in str(exc).lower() for m in _BUSY_MESSAGES)


T = TypeVar("T")


def retry_busy(write: Callable[[], T], *, attempts: int = 8, first_wait: float = 0.05) -> T:
    """Run ``write``, retrying it while SQLite answers "locked" (waits double, about 13 s in all).

    For small state writes that must not be lost to contention, such as a job's queued, running or
    failed mark: SQLite's busy timeout does not cover every lock error ("database table is
    locked", SQLITE_LOCKED, is returned at once), and a job that loses its state write stays
    "pending" on the page for ever. Other errors, and the last busy one, are raised.
    """
    wait = first_wait
    for attempt in range(1, attempts + 1):
        try:
            return write()
        except OperationalError as exc:
            if attempt == attempts or not is_database_busy(exc):
                raise
            log.info("database busy (%s): retrying a state write in %.2f s", exc, wait)
        time.sleep(wait)
        wait *= 2
    raise AssertionError("unreachable")  # pragma: no cover - the loop returns or raises


def retry_after_seconds() -> int:
    """Seconds a client should wait before retrying a 503."""
    return 5


def busy_response(request: HttpRequest) -> HttpResponse:
    """503 with ``Retry-After``: JSON under /api/, plain text elsewhere."""
    message = "the database is busy with other writes; retry shortly"
    response: HttpResponse
    if request.path.startswith("/api/"):
        response = JsonResponse({"error": message, "request_id": current_request_id()}, status=503)
    else:
        response = HttpResponse(message, status=503, content_type="text/plain; charset=utf-8")
    response["Retry-After"] = str(retry_after_seconds())
    return response


class DatabaseBusyMiddleware:
    """Turns SQLite lock contention escaping a view into 503 + ``Retry-After``."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not is_database_busy(exception):
            return None
        log.warning("database busy: answered 503", extra={"path": request.path})
        return busy_response(request)


def server_error(request: HttpRequest) -> HttpResponse:
    """The 500 handler: names the request id to quote when reporting the error."""
    request_id = current_request_id()
    if request.path.startswith("/api/"):
        message = "internal server error; quote the request id when reporting it"
        body = {"error": message, "request_id": request_id}
        return JsonResponse(body, status=500)
    html = loader.get_template("500.html").render({"request_id": request_id})
    return HttpResponse(html, status=500)
