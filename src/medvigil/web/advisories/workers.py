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
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import Any

from isal import isal_zlib

from medvigil.core._gc import paused_gc
from medvigil.core.errors import FeedParseError
from medvigil.core.feeds.interface import PendingRecord, RecordError
from medvigil.core.feeds.registry import FEED_PARSERS
from medvigil.web.advisories.prepare import Context, Prepared, prepare_pending

log = logging.getLogger("medvigil.advisories")
START_TIMEOUT = 60.0
"""Seconds the first task may take (the worker starting and importing the parsers)."""

PIPELINE_MIN_BYTES = 1 << 20
"""Inputs at least this large (on disk) map their records in the second process; smaller ones
(daily modified feeds, uploads) are done before a process could start. The CLI also launches
the worker before Django is set up for such an input."""

_pool: ProcessPoolExecutor | None = None
_unusable = False
"""The worker could not start in this process (e.g. a ``__main__`` script without the
``if __name__ == "__main__"`` guard that ``spawn`` needs): imports map records here."""
_starting: tuple[ProcessPoolExecutor, Future[int]] | None = None
"""A worker launched by :func:`start` and not yet checked."""
_lock = threading.Lock()


def _pid() -> int:
    """The first task: the worker's pid (its unpickling imports this module and the mappers)."""
    return os.getpid()


def _launch() -> None:
    """Start the worker process (without waiting for it) unless it runs or cannot; ``_lock`` held."""
    global _starting, _unusable  # noqa: PLW0603
    if _pool is not None or _starting is not None or _unusable:
        return
    if (os.cpu_count() or 1) < 2:
        _unusable = True
        return
    pool = ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn"))
    try:
        _starting = (pool, pool.submit(_pid))
    except Exception as exc:  # noqa: BLE001 - any start failure: fall back to the serial path
        log.warning("feed import worker unavailable, mapping in this process: %r", exc)
        pool.shutdown(wait=False, cancel_futures=True)
        _unusable = True


def start() -> None:
    """Start the worker now and return at once: a CLI import starts it before migrating the store,
    so the process boots while the schema is created. :func:`worker_pool` then checks it."""
    with _lock:
        _launch()


def worker_pool() -> ProcessPoolExecutor | None:
    """The process's import worker pool (one process), started and checked on first use.

    None when a second process cannot help or cannot start: imports then map their records
    in this process (the serial path, same results).
    """
    global _pool, _unusable, _starting  # noqa: PLW0603 - one pool per process, shared by its imports
    with _lock:
        _launch()
        if _starting is not None:
            pool, check = _starting
            _starting = None
            try:
                if check.result(timeout=START_TIMEOUT) == os.getpid():
                    raise RuntimeError("the worker is this process")
            except Exception as exc:  # noqa: BLE001 - any start failure: fall back to the serial path
                log.warning("feed import worker unavailable, mapping in this process: %r", exc)
                pool.shutdown(wait=False, cancel_futures=True)
                _unusable = True
                return None
            _pool = pool
        return _pool


def starting() -> bool:
    """Whether the worker was launched and has not yet answered its start-up check (non-blocking):
    an import maps its first chunks itself meanwhile instead of waiting (~1 s to boot)."""
    with _lock:
        return _starting is not None and not _starting[1].done()


def prepare_batch(batch: list[tuple[str, str, Any]], ctx: Context) -> list[Prepared | RecordError]:
    """The worker's task: :func:`~.prepare.prepare_pending` with the cyclic GC paused (its passes
    over a chunk's decoded JSON and mapped records were ~15% of the worker's CPU)."""
    with paused_gc():
        return prepare_pending(batch, ctx)


def submit_early(fn: Callable[..., Any], *args: Any) -> Future[Any] | None:
    """Queue ``fn(*args)`` on the worker without waiting for it to be up (it runs after the
    start-up check); None when no worker runs or is starting. A worker that turns out unusable
    fails the future."""
    with _lock:
        pool = _pool if _pool is not None else _starting[0] if _starting is not None else None
        if pool is None:
            return None
        try:
            return pool.submit(fn, *args)
        except Exception:  # noqa: BLE001 - broken or shut down: nothing is mapped ahead
            return None


def raw_check(raw: bytes) -> int:
    """A cheap fingerprint of a record's raw bytes: a record mapped ahead from the worker's own read
    of the input is used only for the same bytes the importing process read (CRC-32)."""
    return int(isal_zlib.crc32(raw))


Ahead = list[tuple[str, str, int, Prepared | RecordError]]
"""``(location, pending id, raw_check, mapped)`` of records mapped ahead, in input order."""


def map_ahead(kind: str, path: str, count: int, ctx: Context) -> Ahead:
    """The worker's read-ahead task: read ``path`` itself and map and prepare its first ``count``
    pending records, as :func:`prepare_batch` would (so the importing process need not plan and
    send them: it is migrating the store, or finishing the previous input, meanwhile).

    Stops early at a record whose mapping fails the input (the import then meets that failure
    itself); a whole-input failure raises (the import then maps everything as usual).
    """
    out: Ahead = []
    with paused_gc():
        for item in FEED_PARSERS[kind].parse_pending(Path(path), source=ctx.input_name):
            if not isinstance(item, PendingRecord):
                continue
            try:
                mapped = prepare_pending([(item.location, item.record_id, item.mapper)], ctx)[0]
            except FeedParseError:
                break
            out.append((item.location, item.record_id, raw_check(item.raw), mapped))
            if len(out) >= count:
                break
    return out


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
    global _pool, _starting  # noqa: PLW0603
    with _lock:
        if _starting is not None:
            _starting[0].shutdown(wait=True, cancel_futures=True)
        if _pool is not None:
            _pool.shutdown(wait=True, cancel_futures=True)
        _pool = _starting = None
