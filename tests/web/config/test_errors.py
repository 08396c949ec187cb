"""Server errors: logged as JSON with the traceback and request id (DEBUG off), secrets masked;
SQLite contention answered 503 + Retry-After."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client

from medvigil.web.config import request_log


@pytest.fixture
def log_output() -> Iterator[io.StringIO]:
    """What the configured console handler (the one the settings give ``django``) writes."""
    (handler,) = [
        h for h in logging.getLogger("django").handlers if isinstance(h.formatter, request_log.JsonFormatter)
    ]
    assert isinstance(handler, logging.StreamHandler)
    buffer = io.StringIO()
    previous, handler.stream = handler.stream, buffer  # not setStream: it flushes the old stream
    yield buffer
    handler.stream = previous


def _log_lines(text: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in text.splitlines() if line.startswith("{")]


@pytest.mark.urls("tests.web.config.urls_boom")
def test_a_500_logs_the_traceback_with_the_request_id_and_no_secret(
    db: Any, log_output: io.StringIO, settings: Any
) -> None:
    settings.DEBUG = False
    client = Client(raise_request_exception=False)
    resp = client.get("/boom/", HTTP_X_REQUEST_ID="req-42", HTTP_AUTHORIZATION="Bearer mvg_header-token")
    assert resp.status_code == 500
    assert resp["X-Request-ID"] == "req-42"
    assert b"req-42" in resp.content
    err = log_output.getvalue()
    entries = [e for e in _log_lines(err) if e["level"] == "ERROR"]
    assert entries, err
    entry = entries[0]
    assert entry["request_id"] == "req-42" and entry["path"] == "/boom/" and entry["status"] == 500
    assert "RuntimeError: kaboom" in entry["exception"] and "Traceback" in entry["exception"]
    for secret in ("hunter2", "mvg_leaked-token", "mvg_header-token", ":pw@"):
        assert secret not in err


def test_an_api_500_answers_json_with_the_request_id(
    analyst: Any, log_output: io.StringIO, settings: Any, monkeypatch: Any
) -> None:
    from medvigil.web.inventory import selectors

    def broken(**_: Any) -> Any:
        raise KeyError("bug")

    monkeypatch.setattr(selectors, "product_list", broken)
    settings.DEBUG = False
    client = Client(raise_request_exception=False)
    client.force_login(analyst)
    resp = client.get("/api/products")
    assert resp.status_code == 500
    assert resp.json()["request_id"] == resp["X-Request-ID"]
    assert len(resp["X-Request-ID"]) == 32  # generated: the caller sent none
    assert any(e["request_id"] == resp["X-Request-ID"] for e in _log_lines(log_output.getvalue()))


def test_an_unusable_request_id_is_replaced(db: Any) -> None:
    resp = Client().get("/login/", HTTP_X_REQUEST_ID="x" * 200 + "\n")
    assert resp["X-Request-ID"] != "x" * 200 and len(resp["X-Request-ID"]) == 32


@pytest.mark.urls("tests.web.config.urls_boom")
def test_database_contention_is_a_503_with_retry_after(db: Any) -> None:
    resp = Client(raise_request_exception=False).get("/api-boom/locked/")
    assert resp.status_code == 503 and resp["Retry-After"] == "5"


def test_api_database_contention_is_a_503(analyst: Any, monkeypatch: Any) -> None:
    from django.db import OperationalError

    from medvigil.web.inventory import selectors

    def locked(**_: Any) -> Any:
        raise OperationalError("database is locked")

    monkeypatch.setattr(selectors, "product_list", locked)
    client = Client(raise_request_exception=False)
    client.force_login(analyst)
    resp = client.get("/api/products")
    assert resp.status_code == 503 and resp["Retry-After"] == "5"
    assert "busy" in resp.json()["error"]


def test_a_state_write_is_retried_while_the_database_is_locked() -> None:
    from django.db import OperationalError

    from medvigil.web.config.errors import retry_busy

    calls: list[int] = []

    def write() -> str:
        calls.append(1)
        if len(calls) < 3:
            raise OperationalError("database table is locked: inventory_productversion")
        return "written"

    assert retry_busy(write, first_wait=0.001) == "written" and len(calls) == 3


def test_a_state_write_gives_up_on_other_errors_and_when_locked_too_long() -> None:
    from django.db import OperationalError

    from medvigil.web.config.errors import retry_busy

    calls: list[str] = []

    def fails(message: str) -> Any:
        def write() -> None:
            calls.append(message)
            raise OperationalError(message)

        return write

    with pytest.raises(OperationalError, match="disk I/O"):
        retry_busy(fails("disk I/O error"), first_wait=0.001)
    assert calls == ["disk I/O error"]  # not retried
    with pytest.raises(OperationalError, match="locked"):
        retry_busy(fails("database is locked"), attempts=3, first_wait=0.001)
    assert calls[1:] == ["database is locked"] * 3
