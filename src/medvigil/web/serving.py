"""``medvigil serve``: the WSGI application under gunicorn, one process, a bounded thread pool.

Django's development server starts a thread, and so a database connection, per request: on
PostgreSQL more than ``max_connections`` (100 by default) simultaneous requests answered 500.
gunicorn's ``gthread`` worker runs requests on ``SERVE_THREADS`` threads and queues the other
connections (``backlog``), so the server holds at most that many connections plus the job
consumer's. One worker process: the embedded job consumer (``web.jobs``) runs in it, started
after the worker has loaded the application and stopped when it exits (running jobs finish).
"""

from __future__ import annotations

import contextlib
from typing import Any

from django.conf import settings
from django.db import connections
from gunicorn.app.base import BaseApplication

__all__ = ["LISTEN_BACKLOG", "serve_options", "serve_wsgi"]

LISTEN_BACKLOG = 1024
"""Pending connections the server queues (200 simultaneous CVD reports must all get in)."""


def serve_options(*, host: str, port: int, embedded_jobs: bool) -> dict[str, Any]:
    """The gunicorn settings of ``medvigil serve``."""
    options: dict[str, Any] = {
        "bind": f"[{host}]:{port}" if ":" in host else f"{host}:{port}",
        "workers": 1,
        "worker_class": "gthread",
        "threads": settings.SERVE_THREADS,
        "backlog": LISTEN_BACKLOG,
        "worker_connections": LISTEN_BACKLOG,
        "timeout": 120,  # the worker's heartbeat (its request threads may take longer)
        "graceful_timeout": 30,
        "errorlog": "-",
        "loglevel": "warning",
        "proc_name": "medvigil",
    }
    if embedded_jobs:
        jobs = contextlib.ExitStack()

        def start_jobs(worker: Any) -> None:
            from medvigil.web.jobs import embedded_consumer

            jobs.enter_context(embedded_consumer())

        def stop_jobs(server: Any, worker: Any) -> None:
            jobs.close()

        options |= {"post_worker_init": start_jobs, "worker_exit": stop_jobs}
    return options


class _Server(BaseApplication):  # type: ignore[misc]  # gunicorn has no type hints
    def __init__(self, options: dict[str, Any]) -> None:
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self) -> Any:
        from django.core.wsgi import get_wsgi_application

        return get_wsgi_application()


def serve_wsgi(*, host: str, port: int, embedded_jobs: bool) -> None:
    """Serve until stopped (Ctrl+C or SIGTERM: running requests and jobs finish first)."""
    connections.close_all()  # the worker is forked: it must not share this process's connections
    _Server(serve_options(host=host, port=port, embedded_jobs=embedded_jobs)).run()
