"""An SBOM uploaded in the UI is analysed without a shell: pending first, then findings and cases.

The jobs run as in ``medvigil serve``: queued (huey not in immediate mode) and consumed by the
embedded consumer threads (``medvigil.web.jobs.embedded_consumer``).
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from medvigil.web.advisories.services import feed_import
from medvigil.web.findings.models import Finding
from medvigil.web.inventory import services as inv
from medvigil.web.inventory.models import AnalysisState, ProductVersion
from medvigil.web.jobs import embedded_consumer
from medvigil.web.risk.models import Case
from tests.web.conftest import login

FEEDS = Path(__file__).resolve().parents[2] / "fixtures" / "feeds" / "osv"
REQS = b"AccessControl==4.1\nrequests==2.31.0\n"
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def queued_jobs() -> Iterator[None]:
    """Jobs are queued, not run inline (as with the embedded SQLite queue)."""
    from huey.contrib.djhuey import HUEY

    HUEY.immediate = False
    try:
        yield
    finally:
        HUEY.immediate = True


@pytest.fixture
def intel(db: Any) -> None:
    for name in ("PYSEC-2021-335.json", "PYSEC-2021-371.json"):
        feed_import(path=FEEDS / name)


def _wait_done(pv: ProductVersion, seconds: float = 120) -> str:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        pv.refresh_from_db()
        if pv.analysis_state in (AnalysisState.DONE, AnalysisState.FAILED):
            return pv.analysis_state
        time.sleep(0.1)
    raise AssertionError(f"analysis still {pv.analysis_state!r} after {seconds} s")


def _imported() -> ProductVersion:
    """Pump 1.0 with the requirements SBOM imported (its analysis queued)."""
    pv = inv.version_create(product=inv.product_create(name="Pump", slug="pump"), version="1.0")
    inv.sbom_import(product_version=pv, data=REQS, filename="requirements.txt")
    return pv


def test_upload_in_the_ui_is_pending_then_matched_with_cases(
    intel: None, analyst: Any, queued_jobs: None
) -> None:
    product = inv.product_create(name="Pump", slug="pump")
    pv = inv.version_create(product=product, version="1.0")
    client = login(analyst)
    page = "/products/pump/versions/1.0/"
    upload = SimpleUploadedFile("requirements.txt", REQS)
    assert client.post(page, {"file": upload, "format": ""}).status_code == 302

    pv.refresh_from_db()
    assert pv.analysis_state == AnalysisState.QUEUED
    body = client.get(page).content.decode()
    assert "analysis pending" in body
    assert "Nothing in the local intelligence store matches" not in body  # no false all-clear
    assert not Finding.objects.filter(product_version=pv).exists()

    with embedded_consumer(workers=1):
        assert _wait_done(pv) == AnalysisState.DONE
    keys = set(
        Finding.objects.filter(product_version=pv, state="open").values_list("vulnerability_key", flat=True)
    )
    assert keys == {"CVE-2021-32807"}
    assert Case.objects.filter(product=product).count() == 1
    body = client.get(page).content.decode()
    assert "analysis pending" not in body and "analysed" in body


def test_rematch_now_queues_an_analysis_for_analysts_only(
    intel: None, analyst: Any, viewer: Any, queued_jobs: None
) -> None:
    pv = _imported()
    with embedded_consumer(workers=1):
        assert _wait_done(pv) == AnalysisState.DONE
    url = "/products/pump/versions/1.0/rematch/"
    assert login(viewer).post(url).status_code == 403
    assert login(analyst).get(url).status_code == 405
    Finding.objects.filter(product_version=pv).delete()
    assert login(analyst).post(url).status_code == 302
    pv.refresh_from_db()
    assert pv.analysis_state == AnalysisState.QUEUED
    with embedded_consumer(workers=1):
        assert _wait_done(pv) == AnalysisState.DONE
    assert Finding.objects.filter(product_version=pv, state="open").count() == 1


def test_a_failed_analysis_says_so_instead_of_all_clear(
    intel: None, analyst: Any, queued_jobs: None, monkeypatch: Any
) -> None:
    from medvigil.web.findings import services as findings

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("index unreadable")

    monkeypatch.setattr(findings, "match_product_versions", broken)
    pv = _imported()
    with embedded_consumer(workers=1):
        assert _wait_done(pv) == AnalysisState.FAILED
    body = login(analyst).get("/products/pump/versions/1.0/").content.decode()
    assert "analysis failed" in body and "index unreadable" in body
    assert "Nothing in the local intelligence store matches" not in body


def test_a_locked_database_delays_the_analysis_state_but_never_loses_it(
    intel: None, queued_jobs: None, monkeypatch: Any
) -> None:
    """The running and done marks are retried while SQLite says "locked" (the job once stayed
    "pending" for ever when its first UPDATE was refused and huey only logged the error)."""
    from django.db import OperationalError

    refusals: list[str] = []
    real_start, real_finish = inv.analysis_start, inv.analysis_finish

    def refuse_twice(real: Any) -> Any:
        def write(**kwargs: Any) -> int:
            if len([r for r in refusals if r == real.__name__]) < 2:
                refusals.append(real.__name__)
                raise OperationalError("database table is locked: inventory_productversion")
            return int(real(**kwargs))

        return write

    monkeypatch.setattr(inv, "analysis_start", refuse_twice(real_start))
    monkeypatch.setattr(inv, "analysis_finish", refuse_twice(real_finish))
    pv = _imported()
    with embedded_consumer(workers=1):
        assert _wait_done(pv, seconds=30) == AnalysisState.DONE
    assert refusals == ["analysis_start"] * 2 + ["analysis_finish"] * 2
    assert Finding.objects.filter(product_version=pv, state="open").count() == 1


def test_a_job_whose_running_mark_fails_says_analysis_failed_not_pending(
    intel: None, analyst: Any, queued_jobs: None, monkeypatch: Any
) -> None:
    from django.db import OperationalError

    def broken(**kwargs: Any) -> int:
        raise OperationalError("disk I/O error")

    monkeypatch.setattr(inv, "analysis_start", broken)
    pv = _imported()
    with embedded_consumer(workers=1):
        assert _wait_done(pv, seconds=30) == AnalysisState.FAILED
    body = login(analyst).get("/products/pump/versions/1.0/").content.decode()
    assert "analysis failed" in body and "disk I/O error" in body
    assert "analysis pending" not in body


def test_the_analysis_finishes_while_pages_are_read_meanwhile(
    intel: None, analyst: Any, queued_jobs: None
) -> None:
    """Readers in other threads (pages, the poll) do not make the consumer's writes fail."""
    import threading

    from django.db import connections

    pv = _imported()
    stop = threading.Event()
    errors: list[str] = []

    def read() -> None:
        client = login(analyst)
        try:
            while not stop.is_set():
                try:
                    status = client.get("/products/pump/versions/1.0/").status_code
                    if status != 200:
                        errors.append(str(status))
                    list(Finding.objects.filter(product_version=pv))
                except Exception as exc:
                    errors.append(repr(exc))
        finally:
            connections.close_all()

    readers = [threading.Thread(target=read) for _ in range(2)]
    for reader in readers:
        reader.start()
    try:
        with embedded_consumer(workers=1):
            assert _wait_done(pv, seconds=60) == AnalysisState.DONE
    finally:
        stop.set()
        for reader in readers:
            reader.join()
    assert errors == []
    assert Finding.objects.filter(product_version=pv, state="open").count() == 1


def test_an_analysis_whose_worker_was_killed_is_shown_stale_and_can_be_queued_again(
    intel: None, analyst: Any, queued_jobs: None
) -> None:
    """A killed worker never marks its analysis done or failed; past ``ANALYSIS_TIMEOUT_MINUTES``
    the page says so (and stops refreshing) instead of "pending" for ever, and re-queues it."""
    from huey.contrib.djhuey import HUEY

    pv = _imported()
    inv.analysis_start(version_ids=[pv.pk])  # the job began...
    HUEY.flush()  # ...and was lost with its worker
    client, page = login(analyst), "/products/pump/versions/1.0/"
    body = client.get(page).content.decode()
    assert "analysis pending" in body and "analysis stale" not in body  # within the timeout

    started = timezone.now() - dt.timedelta(minutes=settings.ANALYSIS_TIMEOUT_MINUTES + 1)
    ProductVersion.objects.filter(pk=pv.pk).update(analysis_started_at=started)
    body = client.get(page).content.decode()
    assert "analysis stale" in body and "analysis pending" not in body
    assert 'http-equiv="refresh"' not in body and 'id="rematch">' in body  # no poll; button enabled
    assert "Nothing in the local intelligence store matches" not in body  # no false all-clear

    assert client.post("/products/pump/versions/1.0/rematch/").status_code == 302
    pv.refresh_from_db()
    assert pv.analysis_state == AnalysisState.QUEUED and not pv.analysis_stale
    with embedded_consumer(workers=1):
        assert _wait_done(pv) == AnalysisState.DONE
    assert Finding.objects.filter(product_version=pv, state="open").count() == 1


def _age(pv: ProductVersion, field: str) -> None:
    past = timezone.now() - dt.timedelta(minutes=settings.ANALYSIS_TIMEOUT_MINUTES + 1)
    ProductVersion.objects.filter(pk=pv.pk).update(**{field: past})


def test_a_queued_analysis_whose_job_was_lost_is_shown_stale_and_queued_again(
    intel: None, analyst: Any, queued_jobs: None
) -> None:
    """A job lost from the queue (Redis restarted without persistence, a queue file removed) was
    "analysis pending" for ever; past the timeout the page says so, and the recovery job queues
    the analysis again, which then runs."""
    from huey.contrib.djhuey import HUEY

    from medvigil.web.risk.services.analysis import analyses_recover

    pv = _imported()
    assert analyses_recover() == []  # within the timeout: nothing to recover
    _age(pv, "analysis_requested_at")
    assert analyses_recover() == []  # past it, but its job is still waiting in the queue
    HUEY.flush()  # the queue is lost
    client, page = login(analyst), "/products/pump/versions/1.0/"
    body = client.get(page).content.decode()
    assert "analysis stale" in body and "not started within" in body and "analysis pending" not in body
    assert 'http-equiv="refresh"' not in body and 'id="rematch">' in body
    assert "Nothing in the local intelligence store matches" not in body  # no false all-clear

    assert analyses_recover() == [pv.pk]
    pv.refresh_from_db()
    assert pv.analysis_state == AnalysisState.QUEUED and not pv.analysis_stale
    assert analyses_recover() == []  # queued again once, not on every run
    with embedded_consumer(workers=1):
        assert _wait_done(pv) == AnalysisState.DONE
    assert Finding.objects.filter(product_version=pv, state="open").count() == 1


def test_a_running_analysis_whose_worker_died_is_not_queued_again_by_itself(
    intel: None, queued_jobs: None
) -> None:
    # Its job may be what killed the worker: queued again by itself, it would do so in a loop.
    from huey.contrib.djhuey import HUEY

    from medvigil.web.risk.services.analysis import analyses_recover

    pv = _imported()
    inv.analysis_start(version_ids=[pv.pk])
    HUEY.flush()
    _age(pv, "analysis_started_at")
    _age(pv, "analysis_requested_at")
    pv.refresh_from_db()
    assert pv.analysis_stale and analyses_recover() == []
    pv.refresh_from_db()
    assert pv.analysis_state == AnalysisState.RUNNING  # shown stale; "Re-match now" queues it
