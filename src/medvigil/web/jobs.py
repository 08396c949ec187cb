"""The embedded job consumer: huey worker threads inside ``medvigil serve`` / ``medvigil demo``.

With the default embedded queue (``MEDVIGIL_TASKS_URL=sqlite``) the web server starts huey's own
consumer (``Huey.create_consumer``) in threads of its process and stops it with the server, so an
SBOM uploaded in the browser is matched without a separate ``medvigil worker``. Redis set-ups run
dedicated workers instead; ``immediate`` runs jobs inline and needs no consumer.
"""

from __future__ import annotations

import contextlib
import logging
import signal
import threading
from collections.abc import Iterator
from typing import Any

from django.conf import settings
from django.db import connections
from django.utils.module_loading import autodiscover_modules

__all__ = ["embedded_consumer", "queued", "wants_embedded_consumer"]

log = logging.getLogger(__name__)


def wants_embedded_consumer() -> bool:
    """True for the embedded SQLite queue (nothing else would consume it)."""
    return str(settings.TASKS_URL) == "sqlite"


@contextlib.contextmanager
def embedded_consumer(*, workers: int = 2) -> Iterator[Any]:
    """Run a huey consumer in threads of this process for the duration of the block.

    huey's ``Consumer.start`` installs its own SIGINT/SIGTERM handlers (meant for ``run``'s
    loop, which we do not use); the previous handlers are put back so Ctrl+C still stops the web
    server, and leaving the block stops the consumer (running jobs finish, up to a timeout).
    """
    from huey.contrib.djhuey import HUEY

    autodiscover_modules("tasks")
    if "medvigil-close-db" not in HUEY._shutdown:
        # Each worker thread closes its own database connections when the consumer stops.
        HUEY.on_shutdown(name="medvigil-close-db")(connections.close_all)
    consumer = HUEY.create_consumer(workers=workers, worker_type="thread", periodic=True, shutdown_timeout=30)
    saved: dict[int, Any] = {}
    if threading.current_thread() is threading.main_thread():
        saved = {s: signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)}
    consumer.start()
    for signum, handler in saved.items():
        signal.signal(signum, handler)
    log.info("embedded job consumer started (%d threads)", workers)
    try:
        yield consumer
    finally:
        consumer.stop(graceful=True)
        log.info("embedded job consumer stopped")


def queued(task: Any) -> list[Any]:
    """The jobs of ``task`` (a huey task function) waiting in the queue, not started yet: a state
    that says "queued" while none waits was lost with its job (Redis restarted without
    persistence, a removed queue file)."""
    from huey.contrib.djhuey import HUEY

    kind = task.task_class
    return [job for job in HUEY.pending() if isinstance(job, kind)]
