"""Stand-ins for the import worker's task, importable without Django (the worker process imports them)."""

from __future__ import annotations

import os
from typing import Any


def die(*_args: Any) -> None:
    """End the worker process abruptly, as the kernel's OOM killer would."""
    os._exit(3)


def slow(batch: Any, ctx: Any) -> Any:
    """The worker's real task, 0.4 s late per chunk: a worker slower than the writer."""
    import time

    from medvigil.web.advisories.workers import prepare_batch

    time.sleep(0.4)
    return prepare_batch(batch, ctx)
