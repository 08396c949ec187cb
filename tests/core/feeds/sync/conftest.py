"""A programmable HTTP server on 127.0.0.1 (port 0) for the sync tests; nothing goes online.

``feed_server.route(path, handler)`` answers GETs of ``path`` with ``handler(request)``, which
returns ``(status, headers, body)``; ``feed_server.requests`` records every request (path, query
and headers). ``feed_server.url`` is the base URL. Unknown paths get 404.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

Answer = tuple[int, dict[str, str], bytes]


@dataclass(frozen=True)
class Request:
    path: str
    query: dict[str, str]
    headers: dict[str, str]


@dataclass
class FeedServer:
    url: str = ""
    routes: dict[str, Callable[[Request], Answer]] = field(default_factory=dict)
    requests: list[Request] = field(default_factory=list)

    def route(self, path: str, handler: Callable[[Request], Answer]) -> None:
        self.routes[path] = handler

    def static(self, path: str, body: bytes, headers: dict[str, str] | None = None) -> None:
        """Serve ``body``; with an ``ETag`` header, answer 304 to a matching If-None-Match."""
        extra = headers or {}

        def handler(request: Request) -> Answer:
            etag = extra.get("ETag")
            if etag and request.headers.get("if-none-match") == etag:
                return 304, extra, b""
            return 200, extra, body

        self.route(path, handler)

    def sequence(self, path: str, answers: list[Answer], then: Callable[[Request], Answer]) -> None:
        """Give ``answers`` in turn, then let ``then`` answer."""
        queue = list(answers)

        def handler(request: Request) -> Answer:
            return queue.pop(0) if queue else then(request)

        self.route(path, handler)

    def hits(self, path: str) -> list[Request]:
        return [r for r in self.requests if r.path == path]


def _handler(server: FeedServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - http.server API
            parts = urlsplit(self.path)
            query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
            request = Request(parts.path, query, {k.lower(): v for k, v in self.headers.items()})
            server.requests.append(request)
            route = server.routes.get(parts.path)
            status, headers, body = route(request) if route else (404, {}, b"not found")
            self.send_response(status)
            for key, value in headers.items():
                self.send_header(key, value)
            if "Content-Length" not in headers:
                self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if body and status != 304:
                self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    return Handler


@pytest.fixture
def feed_server() -> Iterator[FeedServer]:
    state = FeedServer()
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler(state))
    state.url = f"http://127.0.0.1:{httpd.server_address[1]}"
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(5)
