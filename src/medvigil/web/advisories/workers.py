"""The feed import's second process: maps pending records and prepares their rows.

One worker process (``spawn``: it starts clean, with no copy of this process's database
connections) serves every import of the process, so a CLI run of several files starts it once.
Work goes through :class:`concurrent.futures.ProcessPoolExecutor`: each chunk is one task whose
result (rows and record errors) or exception comes back through its future. A worker that dies
(killed, out of memory) breaks the pool: the import waiting on it fails, and the next import
starts a new one.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import threading
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

log = logging.getLogger("medvigil.advisories")
START_TIMEOUT = 60.0
"""Seconds the first task may take (the worker starting and importing the parsers)."""

_pool: ProcessPoolExecutor | None = None
_unusable = False
"""The worker could not start in this process (e.g. a ``__main__`` script without the
``if __name__ == "__main__"`` guard that ``spawn`` needs): imports map records here."""
_lock = threading.Lock()


def worker_pool() -> ProcessPoolExecutor | None:
    """The process's import worker pool (one process), started and checked on first use.

    None when a second process cannot help or cannot start: imports then map their records
    in this process (the serial path, same results).
    """
    global _pool, _unusable  # noqa: PLW0603 - one pool per process, shared by its imports
    with _lock:
        if _pool is None and not _unusable:
            if (os.cpu_count() or 1) < 2:
                _unusable = True
                return None
            pool = ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn"))
            try:
                if pool.submit(os.getpid).result(timeout=START_TIMEOUT) == os.getpid():
                    raise RuntimeError("the worker is this process")
            except Exception as exc:  # noqa: BLE001 - any start failure: fall back to the serial path
                log.warning("feed import worker unavailable, mapping in this process: %r", exc)
                pool.shutdown(wait=False, cancel_futures=True)
                _unusable = True
                return None
            _pool = pool
        return _pool


def discard_if_broken(exc: BaseException) -> None:
    """Forget the pool when ``exc`` says its worker died (the next import starts a new one)."""
    global _pool  # noqa: PLW0603
    if isinstance(exc, BrokenProcessPool):
        with _lock:
            if _pool is not None:
                _pool.shutdown(wait=False, cancel_futures=True)
            _pool = None


def shutdown() -> None:
    """Stop the worker (tests; the interpreter also does it at exit)."""
    global _pool  # noqa: PLW0603
    with _lock:
        if _pool is not None:
            _pool.shutdown(wait=True, cancel_futures=True)
        _pool = None
