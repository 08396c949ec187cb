"""Queueing of heavy imports: at most a few run at once in a web process; the rest wait their turn.

Parsing a large SBOM is CPU-bound Python: fifty at once in one threaded server only share the
interpreter lock, so every import (and its write transaction, and every read) takes fifty times
longer and SQLite's busy timeout runs out. :func:`import_slot` lets ``MEDVIGIL_IMPORT_CONCURRENCY``
imports run at a time and queues the others (up to ``MEDVIGIL_IMPORT_QUEUE_SECONDS``; past that,
:class:`ImportQueueFullError`, answered 503 with ``Retry-After``).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from django.conf import settings

from medvigil.core.errors import Error


class ImportQueueFullError(Error):
    """No import slot came free in time (the server answers 503 with ``Retry-After``)."""


_lock = threading.Lock()
_slots: dict[int, threading.BoundedSemaphore] = {}


def _semaphore() -> threading.BoundedSemaphore:
    size = int(settings.IMPORT_CONCURRENCY)
    with _lock:
        if size not in _slots:
            _slots[size] = threading.BoundedSemaphore(size)
        return _slots[size]


@contextmanager
def import_slot(what: str) -> Iterator[None]:
    """Hold one of the process's import slots while the block runs (waiting for one if need be)."""
    semaphore = _semaphore()
    wait = float(settings.IMPORT_QUEUE_SECONDS)
    if not semaphore.acquire(timeout=wait):
        raise ImportQueueFullError(f"{what}: the server is busy with other imports (waited {wait:.0f} s)")
    try:
        yield
    finally:
        semaphore.release()
