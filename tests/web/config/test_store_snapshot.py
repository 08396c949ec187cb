"""A new SQLite store created from the schema snapshot equals one created by the migrations.

The snapshot (``medvigil/web/config/sqlite_snapshot.json``) must be current: a migration added or
edited without ``make schema-snapshot`` fails here. Stores are created by real ``medvigil init``
processes (the snapshot path and, with ``MEDVIGIL_SCHEMA_SNAPSHOT=0``, the migrations) and compared
table by table, row by row; the engine's own rules (empty file only, one transaction, fingerprint)
are tested on plain SQLite files.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import orjson
import pytest

from medvigil.web.config import store_snapshot

pytestmark = pytest.mark.skipif(
    os.environ.get("MEDVIGIL_DATABASE_URL", "").startswith("postgres"),
    reason="SQLite stores only: the PostgreSQL run migrates as before (the SQLite run covers this)",
)


def _run(args: list[str], data_dir: Path, **env: str) -> subprocess.CompletedProcess[str]:
    dropped = ("MEDVIGIL_DATABASE_URL", "DJANGO_SETTINGS_MODULE")
    environ = {k: v for k, v in os.environ.items() if k not in dropped}
    environ.update(MEDVIGIL_DATA_DIR=str(data_dir), MEDVIGIL_TASKS_URL="immediate", **env)
    proc = subprocess.run([sys.executable, *args], capture_output=True, text=True, env=environ, check=False)
    assert proc.returncode == 0, proc.stderr
    return proc


def _init(data_dir: Path, **env: str) -> Path:
    _run(["-c", "from medvigil.cli.main import main; main()", "init"], data_dir, **env)
    return data_dir / "medvigil.sqlite3"


def _canonical(path: Path) -> dict[str, Any]:
    """Schema objects, every row of every table (migration times left out), journal mode."""
    conn = sqlite3.connect(path)
    out: dict[str, Any] = {
        "objects": sorted(conn.execute("SELECT type, name, tbl_name, sql FROM sqlite_master"), key=str),
        "journal": conn.execute("PRAGMA journal_mode").fetchone(),
        "foreign_key_errors": conn.execute("PRAGMA foreign_key_check").fetchall(),
    }
    for (table,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'").fetchall():
        cols = [r[1] for r in conn.execute(f'PRAGMA table_info("{table}")')]
        keep = ", ".join(f'"{c}"' for c in cols if not (table == "django_migrations" and c == "applied"))
        out[table] = sorted(conn.execute(f'SELECT {keep} FROM "{table}"').fetchall(), key=str)  # noqa: S608
    conn.close()
    return out


def test_the_snapshot_is_what_the_migrations_create_now(tmp_path: Path) -> None:
    proc = _run(["-m", "medvigil.web.config.store_snapshot", "--print"], tmp_path / "fresh")
    fresh = orjson.loads(proc.stdout)
    committed = store_snapshot.load()
    assert committed is not None, "sqlite_snapshot.json is missing or unreadable: run `make schema-snapshot`"
    assert fresh == committed, "the schema snapshot is stale: run `make schema-snapshot` and commit it"


def test_a_store_from_the_snapshot_equals_a_migrated_one_and_upgrades_cleanly(tmp_path: Path) -> None:
    snap = _init(tmp_path / "snap")
    migrated = _init(tmp_path / "migrated", MEDVIGIL_SCHEMA_SNAPSHOT="0")
    a, b = _canonical(snap), _canonical(migrated)
    assert a.keys() == b.keys()
    for part in a:
        assert a[part] == b[part], part
    assert len(a["django_migrations"]) == len(store_snapshot.load()["migrations"])  # type: ignore[index]
    # the store created from the snapshot counts as fully migrated: nothing is left to apply
    code = "import django, sys; django.setup(); from django.core.management import call_command; " \
        "call_command('migrate', check_unapplied=True, verbosity=0)"  # fmt: skip
    _run(["-c", code], tmp_path / "snap", DJANGO_SETTINGS_MODULE="medvigil.web.config.settings")
    _init(tmp_path / "snap")  # and a second init (migrate, role groups) is a no-op that works


def _snapshot() -> dict[str, Any]:
    found = store_snapshot.load()
    assert found is not None
    return found


def _tables(path: Path) -> list[str]:
    conn = sqlite3.connect(path)
    try:
        return [t for (t,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
    finally:
        conn.close()


def test_the_snapshot_is_only_run_on_a_file_without_any_table(tmp_path: Path) -> None:
    path = tmp_path / "store.sqlite3"
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("CREATE TABLE mine (x)")
    conn.execute("INSERT INTO mine VALUES (1)")
    assert store_snapshot.create(conn, _snapshot()) is False
    assert _tables(path) == ["mine"]
    assert conn.execute("SELECT x FROM mine").fetchall() == [(1,)]


def test_a_failing_statement_leaves_the_file_empty(tmp_path: Path) -> None:
    path = tmp_path / "store.sqlite3"
    broken = _snapshot()
    broken = {**broken, "schema": [*broken["schema"][:20], "CREATE TABLE broken (", *broken["schema"][20:]]}
    conn = sqlite3.connect(path, isolation_level=None)
    with pytest.raises(sqlite3.OperationalError):
        store_snapshot.create(conn, broken)
    assert _tables(path) == []
    assert store_snapshot.create(conn, _snapshot()) is True  # the same file is still usable
    assert "django_migrations" in _tables(path)


def _migrations(root: Path, files: dict[str, bytes]) -> list[tuple[str, Path]]:
    for name, text in files.items():
        (root / name).write_bytes(text)
    return [("app", root / name) for name in sorted(files)]


def test_the_fingerprint_changes_with_any_migration_byte_name_or_the_django_release(tmp_path: Path) -> None:
    base = {"0001_initial.py": b"ops = []\n", "0002_more.py": b"ops = [1]\n"}
    (tmp_path / "a").mkdir()
    first = store_snapshot.fingerprint(_migrations(tmp_path / "a", base), "5.2.8")
    assert store_snapshot.fingerprint(_migrations(tmp_path / "a", base), "5.2.8") == first
    for variant, release in (
        ({**base, "0002_more.py": b"ops = [2]\n"}, "5.2.8"),  # an edited migration
        ({**base, "0003_new.py": b"ops = []\n"}, "5.2.8"),  # an added one
        (base, "5.2.9"),  # another Django release (its schema editor may write other SQL)
    ):
        folder = tmp_path / f"v{abs(hash((tuple(variant), release)))}"
        folder.mkdir()
        assert store_snapshot.fingerprint(_migrations(folder, variant), release) != first


def _applied_times(path: Path) -> set[str]:
    conn = sqlite3.connect(path)
    try:
        return {t for (t,) in conn.execute("SELECT applied FROM django_migrations")}
    finally:
        conn.close()


def test_a_store_is_migrated_as_before_when_the_snapshot_does_not_fit(tmp_path: Path) -> None:
    stale = tmp_path / "stale.json"
    stale.write_bytes(orjson.dumps({**_snapshot(), "fingerprint": "0" * 64}))
    code = (
        "from pathlib import Path; from medvigil.web.config import store_snapshot as s; "
        f"s.SNAPSHOT = Path({str(stale)!r}); from medvigil.cli.main import main; main()"
    )
    _run(["-c", code, "init"], tmp_path / "stale")
    from_stale = tmp_path / "stale" / "medvigil.sqlite3"
    from_snapshot = _init(tmp_path / "snap")
    # migrations record each migration at its own time; the snapshot records them all at once
    assert len(_applied_times(from_stale)) > 1
    assert len(_applied_times(from_snapshot)) == 1
    assert _canonical(from_stale) == _canonical(from_snapshot)
    assert store_snapshot.load(tmp_path / "missing.json") is None
    stale.write_bytes(orjson.dumps({**_snapshot(), "format": 99}))
    assert store_snapshot.load(stale) is None
