"""WAL checkpoints of a CLI run of imports are taken in a second thread, not in each input's commit."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest
from django.db import connection, transaction

from medvigil.web.advisories import checkpoints
from medvigil.web.advisories.models import AdvisoryRecord
from medvigil.web.advisories.services import feed_import
from tests.web.advisories.test_services import jsonl, nvd_item

pytestmark = pytest.mark.skipif(
    connection.vendor != "sqlite", reason="SQLite's write-ahead log only (PostgreSQL: aside() is a no-op)"
)


def _autocheckpoint() -> int:
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA wal_autocheckpoint")
        return int(cursor.fetchone()[0])


def _wal_state(path: str) -> tuple[int, int, int]:
    """(busy, frames in the log, frames checkpointed) after a PASSIVE checkpoint of its own."""
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        busy, log, done = conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
        return int(busy), int(log), int(done)
    finally:
        conn.close()


def test_each_committed_import_is_checkpointed_in_the_thread_and_the_setting_comes_back(
    transactional_db: Any, tmp_path: Path, monkeypatch: Any
) -> None:
    calls: list[str] = []
    real = checkpoints.checkpoint

    def spy(path: str) -> None:
        calls.append(path)
        real(path)

    monkeypatch.setattr(checkpoints, "checkpoint", spy)
    inputs = [
        jsonl(tmp_path / f"nvd-{k}.jsonl", *(nvd_item(f"CVE-2024-{k}{n:04d}") for n in range(300)))
        for k in range(1, 3)
    ]
    assert _autocheckpoint() == checkpoints.AUTOCHECKPOINT
    with checkpoints.aside():
        assert _autocheckpoint() == 0  # the importing connection's commits do not checkpoint
        for path in inputs:
            assert not feed_import(path=path, source="nvd").failed
            running = checkpoints._running
            assert running is not None
            running.result()  # the thread's checkpoint of this input's commit
    name = str(connection.settings_dict["NAME"])
    assert calls == [name, name]
    assert _autocheckpoint() == checkpoints.AUTOCHECKPOINT
    busy, log, done = _wal_state(name)
    assert busy == 0 and log == done  # everything committed is in the database file
    assert AdvisoryRecord.objects.count() == 600


def test_an_import_inside_an_outer_transaction_is_not_checkpointed_yet(
    transactional_db: Any, tmp_path: Path
) -> None:
    with checkpoints.aside(), transaction.atomic():
        assert not feed_import(path=jsonl(tmp_path / "a.jsonl", nvd_item("CVE-2024-1")), source="nvd").failed
        assert checkpoints._running is None  # nothing is committed until the outer block ends
