"""``medvigil serve`` answers 150 simultaneous page requests without a server error, on SQLite and
on PostgreSQL (where a connection per request thread exhausted ``max_connections``)."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import bench_module

REQUESTS = 150


def _bench() -> Any:
    return bench_module("bench_concurrent_reads")


@pytest.fixture
def served_database(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[str]:
    """The server's own database: a fresh SQLite folder, or a PostgreSQL database of its own
    (created and dropped) on the server the suite runs against."""
    url = os.environ.get("MEDVIGIL_DATABASE_URL", "")
    monkeypatch.setenv("MEDVIGIL_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("MEDVIGIL_TASKS_URL", raising=False)
    if not url.startswith("postgres"):
        monkeypatch.delenv("MEDVIGIL_DATABASE_URL", raising=False)
        yield "SQLite"
        return
    import psycopg

    base, _, name = url.rpartition("/")
    own = f"{name}_serve_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{own}"')
    monkeypatch.setenv("MEDVIGIL_DATABASE_URL", f"{base}/{own}")
    try:
        yield "PostgreSQL"
    finally:
        with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{own}" WITH (FORCE)')


def test_simultaneous_page_requests_never_get_a_server_error(
    served_database: str, capsys: pytest.CaptureFixture[str]
) -> None:
    statuses = _bench().run(REQUESTS, "/")
    out = capsys.readouterr().out
    assert dict(statuses) == {200: REQUESTS}, out
    assert f"{served_database}: {REQUESTS} concurrent GET /" in out
    if served_database == "PostgreSQL":
        peak = int(out.rsplit("peak server connections to the database: ", 1)[1].split()[0])
        assert 0 < peak <= 32 + 3, out  # SERVE_THREADS request threads + the job consumer's
