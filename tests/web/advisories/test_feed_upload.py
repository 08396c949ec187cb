"""Feed import from an uploaded file or air-gap bundle on the feeds page: admin only, capped, run by
a background job ("import pending" first), its outcome or error shown."""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, override_settings

from medvigil.web.advisories.bundle import bundle_export
from medvigil.web.advisories.models import AdvisoryRecord, EpssScore, FeedUpload, ImportRun
from tests.conftest import shared_path
from tests.web.advisories.test_bundle import wipe
from tests.web.conftest import login

pytestmark = pytest.mark.django_db

EPSS = shared_path("epss", "first-epss-csv-format-sample.csv")


def _outcome(client: Client) -> str:
    """The newest upload's outcome as the feeds page shows it."""
    body = client.get("/feeds/").content.decode()
    rows = re.findall(r'<tr class="upload-[^"]+".*?</tr>', body, flags=re.S)
    assert rows, "no uploads table"
    cells = re.findall(r"<td[^>]*>(.*?)</td>", rows[0], flags=re.S)
    return html.unescape(re.sub(r"<[^>]+>", "", cells[-1])).strip()


def _redirect_messages(client: Client, response: Any) -> list[str]:
    assert response.status_code == 302 and response["Location"] == "/feeds/", response.status_code
    return [str(m) for m in client.get("/feeds/").context["messages"]]


@pytest.fixture
def post(django_capture_on_commit_callbacks: Any) -> Callable[..., str]:
    """Upload through the page, let the queued job run, and return the outcome the page shows."""

    def upload(client: Client, name: str, data: bytes, kind: str = "feed") -> str:
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post("/feeds/import/", {"file": SimpleUploadedFile(name, data), "kind": kind})
        (queued,) = _redirect_messages(client, response)
        assert "import queued" in queued, queued
        return _outcome(client)

    return upload


def test_admin_imports_a_feed_file(admin: Any, post: Callable[..., str], settings: Any) -> None:
    client = login(admin)
    assert 'id="feed-import"' in client.get("/feeds/").content.decode()
    message = post(client, "../../epss.csv", EPSS.read_bytes())
    assert message.startswith("imported epss.csv (epss): ") and "new" in message
    assert EpssScore.objects.exists()
    run = ImportRun.objects.get()
    assert run.path == "upload:epss.csv" and run.status == "succeeded"
    again = post(client, "epss.csv", EPSS.read_bytes())
    assert "imported before" in again
    assert not list((Path(settings.DATA_DIR) / "feed-uploads").rglob("*.csv"))  # the files are removed


def test_bad_file_shows_an_error_and_keeps_nothing(admin: Any, post: Callable[..., str]) -> None:
    message = post(login(admin), "notes.txt", b"hello, not a feed")
    assert (
        message.startswith("import failed notes.txt: import failed") and "unrecognised feed format" in message
    )
    assert not AdvisoryRecord.objects.exists() and not ImportRun.objects.filter(status="succeeded").exists()


def test_admin_imports_a_bundle(
    admin: Any, small_store: dict[str, Any], tmp_path: Path, post: Callable[..., str]
) -> None:
    bundle = tmp_path / "store.mvbundle"
    bundle_export(bundle)
    before = AdvisoryRecord.objects.count()
    wipe()
    message = post(login(admin), bundle.name, bundle.read_bytes(), kind="bundle")
    assert message.startswith("imported store.mvbundle: bundle imported."), message
    assert AdvisoryRecord.objects.count() == before


def test_tampered_bundle_is_refused(
    admin: Any, small_store: dict[str, Any], tmp_path: Path, post: Callable[..., str]
) -> None:
    bundle = tmp_path / "store.mvbundle"
    bundle_export(bundle)
    wipe()
    data = bundle.read_bytes()
    message = post(login(admin), "store.mvbundle", data[: len(data) // 2], kind="bundle")
    assert message.startswith("import failed store.mvbundle: "), message
    assert not AdvisoryRecord.objects.exists()


@override_settings(SBOM_MAX_BYTES=1024)
def test_upload_over_the_limit_is_refused(admin: Any) -> None:
    client = login(admin)
    response = client.post("/feeds/import/", {"file": SimpleUploadedFile("big.csv", b"x" * 5000)})
    (message,) = _redirect_messages(client, response)
    assert "larger than the limit of 1,024 bytes" in message
    assert not ImportRun.objects.exists() and not FeedUpload.objects.exists()


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


def test_the_page_says_import_pending_until_the_job_has_run(
    admin: Any, django_capture_on_commit_callbacks: Any
) -> None:
    client = login(admin)
    with django_capture_on_commit_callbacks(execute=False) as queued:
        client.post("/feeds/import/", {"file": SimpleUploadedFile("epss.csv", EPSS.read_bytes())})
    assert len(queued) == 1  # the import job, sent when the upload is stored
    body = client.get("/feeds/").content.decode()
    assert _outcome(client).startswith("import pending Queued")
    assert '<meta http-equiv="refresh"' in body
    assert not EpssScore.objects.exists()
    queued[0]()  # the job runs (inline here; the worker or the embedded consumer in serve)
    assert _outcome(client).startswith("imported epss.csv (epss): ")
    assert '<meta http-equiv="refresh"' not in client.get("/feeds/").content.decode()
    assert EpssScore.objects.exists()


def test_a_job_that_crashes_says_import_failed_not_pending(
    admin: Any, post: Callable[..., str], monkeypatch: Any
) -> None:
    from medvigil.web.advisories import uploads

    def broken(**kwargs: Any) -> Any:
        raise RuntimeError("store unreadable")

    monkeypatch.setattr(uploads, "feed_import", broken)
    message = post(login(admin), "epss.csv", EPSS.read_bytes())  # huey logs the job's error
    assert message == "import failed epss.csv: import failed: RuntimeError: store unreadable"
