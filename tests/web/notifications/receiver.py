"""A webhook receiver on 127.0.0.1 for tests: a thread-based http.server that records requests.

It honours the idempotency key the way a real receiver should: the first request with a key is
*processed* (counted), a repeat is acknowledged and dropped. ``hold_after`` makes it hold every
request after the first N (it reads and records them, then waits for ``release``) so a test can
kill the sender mid-request.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from medvigil.core.errors import WebhookVerificationError
from medvigil.core.notify.signing import verify_webhook


@dataclass
class Received:
    headers: dict[str, str]
    body: bytes


@dataclass
class Receiver:
    url: str = ""
    secrets: list[str] = field(default_factory=list)
    statuses: list[int] = field(default_factory=list)
    """Status to answer per request, in order (then 200)."""
    hold_after: int | None = None
    requests: list[Received] = field(default_factory=list)
    processed: Counter[str] = field(default_factory=Counter)
    duplicates: Counter[str] = field(default_factory=Counter)
    rejected: int = 0
    holding: threading.Event = field(default_factory=threading.Event)
    release: threading.Event = field(default_factory=threading.Event)
    held: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def wait_for(self, predicate: Any, timeout: float = 30.0) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self.lock:
                if predicate(self):
                    return True
            time.sleep(0.05)
        return False


def _handler(rx: Receiver) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:  # quiet
            return

        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            headers = dict(self.headers.items())
            key = self.headers.get("Idempotency-Key", "")
            if rx.secrets:
                try:
                    verify_webhook(rx.secrets, headers, body, now=time.time())
                except WebhookVerificationError:
                    with rx.lock:
                        rx.rejected += 1
                    self._answer(401)
                    return
            with rx.lock:
                rx.requests.append(Received(headers, body))
                status = rx.statuses.pop(0) if rx.statuses else 200
                hold = rx.hold_after is not None and len(rx.requests) > rx.hold_after
                if 200 <= status < 300:
                    if rx.processed[key]:
                        rx.duplicates[key] += 1
                    else:
                        rx.processed[key] += 1
                if hold:
                    rx.held.append(key)
            if hold:
                rx.holding.set()
                rx.release.wait(60)
            self._answer(status)

        def _answer(self, status: int) -> None:
            try:
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()
            except OSError:
                pass  # the sender died while we held the request

    return Handler


@contextmanager
def receiving(**options: Any) -> Iterator[Receiver]:
    rx = Receiver(**options)
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(rx))
    server.daemon_threads = True
    rx.url = f"http://127.0.0.1:{server.server_address[1]}/hook"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield rx
    finally:
        rx.release.set()
        server.shutdown()
        server.server_close()
