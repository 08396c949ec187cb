"""Structured logs with a request id, secrets redacted.

- :class:`RequestIdMiddleware` takes the caller's ``X-Request-ID`` (when it is a short token) or
  makes one, keeps it for the request's log records and sends it back in the response header.
- :class:`JsonFormatter` writes one JSON object a line: time, level, logger, message, request id,
  and the traceback of an exception (with DEBUG off too: Django's ``django.request`` logger
  records every 500 with its traceback).
- :func:`redact` masks bearer tokens, ``mvg_`` API tokens, passwords, session and CSRF cookies and
  the password of a database URL in whatever is written.
"""

from __future__ import annotations

import json
import logging
import re
import sys
import uuid
from collections.abc import Callable
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the logging set-up imports this module; django.http costs a fresh CLI ~65 ms
    from django.http import HttpRequest, HttpResponse


REQUEST_ID_HEADER = "X-Request-ID"
_request_id: ContextVar[str] = ContextVar("medvigil_request_id", default="-")
_VALID_ID = re.compile(r"^[A-Za-z0-9._:-]{1,64}$")
_MASK = "[REDACTED]"
_SECRETS = [
    (re.compile(r"(?i)\b(bearer|basic)\s+[^\s'\",;]+"), rf"\1 {_MASK}"),
    (re.compile(r"\bmvg_[A-Za-z0-9_\-]+"), _MASK),
    (
        re.compile(
            r"(?i)([\"']?(?:password|passwd|secret|api[_-]?key|token|authorization|sessionid|csrftoken|"
            r"csrfmiddlewaretoken)[\"']?\s*[:=]\s*)([\"']?)[^\s'\",;&}]+"
        ),
        rf"\1\2{_MASK}",
    ),
    (re.compile(r"(?i)\b([a-z][a-z0-9+.-]*://[^:/@\s]+):[^@/\s]+@"), rf"\1:{_MASK}@"),
]


def current_request_id() -> str:
    """The id of the request being served ("-" outside a request)."""
    return _request_id.get()


def redact(text: str) -> str:
    """``text`` with credentials masked."""
    for pattern, replacement in _SECRETS:
        text = pattern.sub(replacement, text)
    return text


class RequestIdMiddleware:
    """First middleware: sets the request id for the request's logs and the response header."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        offered = request.headers.get(REQUEST_ID_HEADER, "")
        request_id = offered if _VALID_ID.match(offered) else uuid.uuid4().hex
        token = _request_id.set(request_id)
        try:
            request.request_id = request_id  # type: ignore[attr-defined]
            response = self.get_response(request)
            response[REQUEST_ID_HEADER] = request_id
            return response
        finally:
            _request_id.reset(token)


class RequestIdFilter(logging.Filter):
    """Adds ``request_id`` to every record."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            request = getattr(record, "request", None)
            record.request_id = getattr(request, "request_id", None) or current_request_id()
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object a line, credentials redacted."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "request_id": getattr(record, "request_id", current_request_id()),
            "message": redact(record.getMessage()),
        }
        request = getattr(record, "request", None)
        http = sys.modules.get("django.http")  # not loaded: no record carries a request
        if http is not None and isinstance(request, http.HttpRequest):
            entry["method"] = request.method
            entry["path"] = redact(request.path)
        status = getattr(record, "status_code", None)
        if status is not None:
            entry["status"] = status
        if record.exc_info:
            entry["exception"] = redact(self.formatException(record.exc_info))
        elif record.exc_text:
            entry["exception"] = redact(record.exc_text)
        return json.dumps(entry, ensure_ascii=False, default=str)


class KeyValueFormatter(JsonFormatter):
    """``key=value`` pairs on one line (``MEDVIGIL_LOG_FORMAT=text``), tracebacks indented below."""

    def format(self, record: logging.LogRecord) -> str:
        entry = json.loads(super().format(record))
        exception = entry.pop("exception", None)
        line = " ".join(f"{k}={json.dumps(v) if ' ' in str(v) else v}" for k, v in entry.items())
        return line + ("\n  " + exception.replace("\n", "\n  ") if exception else "")
