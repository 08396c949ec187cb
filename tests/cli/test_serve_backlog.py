"""``medvigil serve`` runs gunicorn with a bounded thread pool and a deep listen queue: bursts of
connections wait their turn instead of being reset (socketserver's backlog of 5 reset 160 of 200
simultaneous CVD submissions) or each opening a database connection (PostgreSQL's 100 ran out)."""

from __future__ import annotations

from typing import Any

import pytest

from medvigil.cli import server


def test_serve_runs_one_gunicorn_process_with_bounded_threads(
    monkeypatch: pytest.MonkeyPatch, settings: Any
) -> None:
    from medvigil.web import serving

    seen: dict[str, Any] = {}
    settings.SERVE_THREADS = 7
    monkeypatch.setattr("medvigil.cli._django.migrate", lambda: None)
    monkeypatch.setattr(serving._Server, "run", lambda self: seen.update(self.options))
    server.serve(host="127.0.0.1", port=8123, worker=False)
    assert seen["bind"] == "127.0.0.1:8123"
    assert (seen["workers"], seen["worker_class"], seen["threads"]) == (1, "gthread", 7)
    assert seen["backlog"] >= 1000 and seen["worker_connections"] >= 1000
    assert "post_worker_init" not in seen  # --no-worker: no job consumer in the server


def test_the_embedded_job_consumer_runs_in_the_server_process(monkeypatch: pytest.MonkeyPatch) -> None:
    from medvigil.web import jobs, serving

    events: list[str] = []

    class Consumer:
        def __enter__(self) -> None:
            events.append("started")

        def __exit__(self, *exc: object) -> None:
            events.append("stopped")

    monkeypatch.setattr(jobs, "embedded_consumer", Consumer)
    options = serving.serve_options(host="::1", port=8000, embedded_jobs=True)
    assert options["bind"] == "[::1]:8000"
    options["post_worker_init"](object())
    assert events == ["started"]
    options["worker_exit"](object(), object())
    assert events == ["started", "stopped"]
