"""SQLite WAL checkpoints of a run of feed imports, taken in a second thread instead of in each commit.

In WAL mode a commit that leaves more than 1,000 pages in the write-ahead log copies them into the
database file and syncs it (the automatic checkpoint) before the commit returns. An import of one
NVD yearly feed commits ~70 MB at once, so each input's commit waited ~0.5-1 s for its own
checkpoint while nothing else could go on (17% of a CLI import of the six yearly feeds under
load). Within :func:`aside` (the CLI's run over its inputs) the importing connection does not
checkpoint; after each input's commit a thread with its own connection runs a ``PASSIVE``
checkpoint, which copies what is committed without blocking the writer (SQLite's locking allows
both at once), while the next input is imported. SQLite's own checkpoint on closing the last
connection takes what is left. Nothing about durability changes: WAL mode with
``synchronous=NORMAL`` syncs at checkpoints either way, and a crash recovers from the log as before.
The log grows by the run's writes until then (what it holds is in the database file once checkpointed).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager

from django.db import connection

AUTOCHECKPOINT = 1000
"""SQLite's default ``wal_autocheckpoint`` (pages), restored after the run."""

_executor: ThreadPoolExecutor | None = None
_path: str | None = None
_running: Future[None] | None = None


@contextmanager
def aside() -> Iterator[None]:
    """Run the imports inside with their checkpoints in a second thread (SQLite; a no-op otherwise)."""
    global _executor, _path, _running  # noqa: PLW0603 - one run per process at a time
    name = str(connection.settings_dict["NAME"])
    if (
        connection.vendor != "sqlite"
        or _executor is not None
        or "memory" in name
        or connection.in_atomic_block
    ):
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA wal_autocheckpoint = 0")
    _path, _executor = name, ThreadPoolExecutor(1, "medvigil-checkpoint")
    try:
        yield
    finally:
        _executor.shutdown(wait=True)
        failed = _running.exception() if _running is not None and not _running.cancelled() else None
        _executor = _path = _running = None
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA wal_autocheckpoint = {AUTOCHECKPOINT}")
            if failed is not None:  # e.g. the file was busy: take it here, as a commit would have
                cursor.execute("PRAGMA wal_checkpoint(PASSIVE)")


def committed() -> None:
    """After an import's commit within :func:`aside`: checkpoint it in the thread (unless one runs)."""
    global _running  # noqa: PLW0603
    if _executor is None or _path is None or connection.in_atomic_block:
        return  # not within a run, or nothing committed yet (an outer transaction holds it)
    if _running is not None and not _running.done():
        return
    _running = _executor.submit(checkpoint, _path)


def checkpoint(path: str) -> None:
    """A ``PASSIVE`` checkpoint of the SQLite database at ``path`` on a connection of its own."""
    conn = sqlite3.connect(path, timeout=20, isolation_level=None)
    try:
        conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
    finally:
        conn.close()
