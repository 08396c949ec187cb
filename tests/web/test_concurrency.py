"""Concurrent SBOM uploads: queued a few at a time, never a server error."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from tests.conftest import bench_module
from tests.web.conftest import demo_file

UPLOADS = 8


def _bench() -> Any:
    return bench_module("bench_concurrent_uploads")


@pytest.mark.shared_data
def test_concurrent_uploads_to_a_live_sqlite_server_never_get_a_server_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """``medvigil serve`` on its default SQLite (WAL) file, 8 uploads at once and reads meanwhile."""
    for name in ("MEDVIGIL_DATABASE_URL", "MEDVIGIL_TASKS_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("MEDVIGIL_DATA_DIR", str(tmp_path))
    _bench().main(uploads=UPLOADS, components=2000)
    out = capsys.readouterr().out
    assert f"upload statuses: {{201: {UPLOADS}}} (server errors: 0)" in out, out
    assert re.search(r"GET /api/products meanwhile: \d+ requests \{200: \d+\}", out), out


def test_an_import_waiting_too_long_for_its_turn_is_a_503(analyst: Any, version: Any, settings: Any) -> None:
    from medvigil.web import concurrency

    settings.IMPORT_CONCURRENCY = 1
    settings.IMPORT_QUEUE_SECONDS = 0
    slot = concurrency.import_slot("another upload")
    slot.__enter__()
    try:
        client = Client()
        client.force_login(analyst)
        file = SimpleUploadedFile("bom.json", demo_file("dropwizard-1.3.15.cdx.json"))
        resp = client.post("/api/products/pump-x/versions/2.1/sbom", {"file": file})
    finally:
        slot.__exit__(None, None, None)
    assert resp.status_code == 503 and resp["Retry-After"] == "5"
    assert "busy with other imports" in resp.json()["error"]
