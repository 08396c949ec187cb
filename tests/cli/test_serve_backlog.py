"""``medvigil serve`` queues bursts of connections instead of resetting them (socketserver's
default listen backlog of 5 reset 160 of 200 simultaneous CVD submissions)."""

from __future__ import annotations

from typing import Any

import pytest

from medvigil.cli import server


def test_serve_raises_the_listen_backlog(monkeypatch: pytest.MonkeyPatch) -> None:
    from django.core.servers.basehttp import WSGIServer

    seen: dict[str, Any] = {}
    monkeypatch.setattr("medvigil.cli._django.migrate", lambda: None)
    monkeypatch.setattr(WSGIServer, "request_queue_size", 5)
    monkeypatch.setattr("django.core.management.call_command", lambda *a, **k: seen.update(args=a))
    server.serve(host="127.0.0.1", port=8123)
    assert seen["args"][:2] == ("runserver", "127.0.0.1:8123")
    assert WSGIServer.request_queue_size >= 1000
