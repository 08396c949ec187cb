"""Feed import from an uploaded file or air-gap bundle on the feeds page: admin only, capped, errors shown."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, override_settings

from medvigil.web.advisories.bundle import bundle_export
from medvigil.web.advisories.models import AdvisoryRecord, EpssScore, ImportRun
from tests.conftest import shared_path
from tests.web.advisories.test_bundle import wipe
from tests.web.conftest import login

pytestmark = pytest.mark.django_db

EPSS = shared_path("epss", "first-epss-csv-format-sample.csv")


def _post(client: Client, name: str, data: bytes, kind: str = "feed") -> list[str]:
    response = client.post(
        "/feeds/import/", {"file": SimpleUploadedFile(name, data), "kind": kind}, follow=True
    )
    assert response.redirect_chain == [("/feeds/", 302)], response.status_code
    return [str(m) for m in response.context["messages"]]


def test_admin_imports_a_feed_file(admin: Any) -> None:
    client = login(admin)
    assert 'id="feed-import"' in client.get("/feeds/").content.decode()
    (message,) = _post(client, "../../epss.csv", EPSS.read_bytes())
    assert message.startswith("epss.csv (epss): ") and "new" in message
    assert EpssScore.objects.exists()
    run = ImportRun.objects.get()
    assert run.path == "upload:epss.csv" and run.status == "succeeded"
    (again,) = _post(client, "epss.csv", EPSS.read_bytes())
    assert "imported before" in again


def test_bad_file_shows_an_error_and_keeps_nothing(admin: Any) -> None:
    (message,) = _post(login(admin), "notes.txt", b"hello, not a feed")
    assert message.startswith("notes.txt: import failed") and "unrecognised feed format" in message
    assert not AdvisoryRecord.objects.exists() and not ImportRun.objects.filter(status="succeeded").exists()


def test_admin_imports_a_bundle(admin: Any, small_store: dict[str, Any], tmp_path: Path) -> None:
    bundle = tmp_path / "store.mvbundle"
    bundle_export(bundle)
    before = AdvisoryRecord.objects.count()
    wipe()
    (message,) = _post(login(admin), bundle.name, bundle.read_bytes(), kind="bundle")
    assert message.startswith("store.mvbundle: bundle imported."), message
    assert AdvisoryRecord.objects.count() == before


def test_tampered_bundle_is_refused(admin: Any, small_store: dict[str, Any], tmp_path: Path) -> None:
    bundle = tmp_path / "store.mvbundle"
    bundle_export(bundle)
    wipe()
    data = bundle.read_bytes()
    (message,) = _post(login(admin), "store.mvbundle", data[: len(data) // 2], kind="bundle")
    assert message.startswith("store.mvbundle: ") and "imported" not in message.split(":", 1)[0]
    assert not AdvisoryRecord.objects.exists()


@override_settings(SBOM_MAX_BYTES=1024)
def test_upload_over_the_limit_is_refused(admin: Any) -> None:
    (message,) = _post(login(admin), "big.csv", b"x" * 5000)
    assert "larger than the limit of 1,024 bytes" in message
    assert not ImportRun.objects.exists()


def test_only_admins_may_import(analyst: Any, viewer: Any) -> None:
    for user in (analyst, viewer):
        client = login(user)
        assert 'id="feed-import"' not in client.get("/feeds/").content.decode()
        response = client.post("/feeds/import/", {"file": SimpleUploadedFile("e.csv", EPSS.read_bytes())})
        assert response.status_code == 403
    assert not ImportRun.objects.exists()


def test_import_needs_csrf(admin: Any) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(admin)
    response = client.post("/feeds/import/", {"file": SimpleUploadedFile("e.csv", EPSS.read_bytes())})
    assert response.status_code == 403
    assert not ImportRun.objects.exists()
