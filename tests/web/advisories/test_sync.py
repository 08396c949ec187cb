"""feeds_sync against a local server: import, cursors, incremental runs, failures kept apart."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.utils import timezone

from medvigil.core.errors import InputError
from medvigil.web.advisories.models import AdvisoryRecord, EpssScore, FeedSync, KevEntry
from medvigil.web.advisories.schedule import next_run
from medvigil.web.advisories.sync import feeds_sync
from tests.core.feeds.sync.conftest import FeedServer
from tests.core.feeds.sync.helpers import NVD_PATH, Clock, pypi_records, serve_kev_epss, serve_nvd, serve_osv

pytestmark = pytest.mark.django_db
KEY = "nvd-key-that-must-stay-secret"
IDS = ("PYSEC-2021-335", "PYSEC-2021-370", "PYSEC-2022-182")


def _options(server: FeedServer, **nvd: Any) -> dict[str, dict[str, Any]]:
    return {
        "nvd": {"url": server.url + NVD_PATH, **nvd},
        "osv": {"url": server.url, "ecosystems": ["PyPI"]},
        "kev": {"url": server.url + "/kev.json"},
        "epss": {"url": server.url + "/epss_scores-current.csv.gz"},
    }


def _sync(server: FeedServer, clock: Clock, sources: list[str], **nvd: Any) -> dict[str, Any]:
    results = feeds_sync(sources, options=_options(server, **nvd), sleep=clock.sleep, now=clock.now)
    return {r.source: r for r in results}


def test_full_then_incremental_sync_of_every_source(feed_server: FeedServer) -> None:
    sample = serve_nvd(feed_server, page_cap=10)
    records = pypi_records(*IDS)
    serve_osv(feed_server, records)
    serve_kev_epss(feed_server)
    clock = Clock()
    first = _sync(feed_server, clock, ["nvd", "osv", "kev", "epss"], api_key=KEY)
    assert {s: r.status for s, r in first.items()} == dict.fromkeys(first, "succeeded")
    assert len(feed_server.hits(NVD_PATH)) == 4  # 38 CVEs in pages of 10
    assert AdvisoryRecord.objects.filter(source__name="nvd").count() == len(sample["vulnerabilities"]) == 38
    assert AdvisoryRecord.objects.filter(source__name="osv").count() == 3
    assert KevEntry.objects.count() > 1000 and EpssScore.objects.count() == 5
    nvd = FeedSync.objects.get(source="nvd")
    assert nvd.cursor == {"last_modified": clock.now().isoformat()} and nvd.runs.count() == 1
    assert nvd.counts["new"] == 38 and nvd.last_success_at is not None
    assert first["nvd"].runs[0].run is not None and first["nvd"].runs[0].run.new == 38
    assert not list((Path(settings.DATA_DIR) / "feeds").rglob("*.json"))  # downloads removed
    stored = json.dumps([list(FeedSync.objects.values())], default=str)
    assert KEY not in stored and all(r.headers["apikey"] == KEY for r in feed_server.hits(NVD_PATH))

    # a day later: OSV changed one record, KEV and EPSS answer 304, NVD asks for a window
    clock.current += dt.timedelta(days=1)
    records[1] = {**records[1], "modified": "2026-11-23T18:00:00Z", "summary": "changed upstream"}
    serve_osv(feed_server, records)
    feed_server.requests.clear()
    second = _sync(feed_server, clock, ["nvd", "osv", "kev", "epss"], api_key=KEY)
    assert all(r.status == "succeeded" for r in second.values())
    assert second["kev"].files == second["epss"].files == 0
    windows = [(r.query["lastModStartDate"], r.query["lastModEndDate"]) for r in feed_server.hits(NVD_PATH)]
    assert windows and all(w == windows[0] for w in windows)
    assert dt.datetime.fromisoformat(windows[0][0]) == clock.now() - dt.timedelta(days=1)
    osv_paths = sorted(r.path for r in feed_server.requests if r.path.startswith("/PyPI/"))
    assert osv_paths == ["/PyPI/PYSEC-2021-370.json", "/PyPI/modified_id.csv"]
    changed = AdvisoryRecord.objects.get(source__name="osv", record_id="PYSEC-2021-370")
    assert changed.summary == "changed upstream"
    assert FeedSync.objects.get(source="osv").cursor == {"PyPI": "2026-11-23T18:00:00+00:00"}


def test_a_failing_source_keeps_its_cursor_and_does_not_stop_the_others(feed_server: FeedServer) -> None:
    serve_kev_epss(feed_server)
    feed_server.route("/kev.json", lambda r: (500, {}, b"upstream broken"))
    FeedSync.objects.create(source="kev", cursor={"etag": '"old"'}, status="succeeded")
    clock = Clock()
    result = _sync(feed_server, clock, ["kev", "epss"])
    kev, epss = result["kev"], result["epss"]
    assert kev.status == "failed" and "kev.json: gave up after 5 attempts (last: HTTP 500)" in kev.message
    assert len(feed_server.hits("/kev.json")) == 5 and clock.sleeps == [2.0, 4.0, 8.0, 16.0]
    assert sum("retry" in e for e in kev.events) == 4
    state = FeedSync.objects.get(source="kev")
    assert state.status == "failed" and state.cursor == {"etag": '"old"'} and state.message == kev.message
    assert Path(kev.download_dir).is_dir()  # kept for diagnosis
    assert epss.status == "succeeded" and EpssScore.objects.count() == 5


def test_a_file_that_fails_to_import_fails_the_sync_without_moving_the_cursor(
    feed_server: FeedServer,
) -> None:
    feed_server.static("/kev.json", b'{"catalogVersion": "1", "vulnerabilities": [', {"ETag": '"x"'})
    result = _sync(feed_server, Clock(), ["kev"])["kev"]
    assert result.status == "failed" and "import of" in result.message
    assert result.runs[0].failed
    state = FeedSync.objects.get(source="kev")
    assert state.cursor == {} and state.last_success_at is None
    assert (Path(result.download_dir) / "known_exploited_vulnerabilities.json").exists()


def test_the_api_key_never_reaches_messages_or_events(feed_server: FeedServer) -> None:
    feed_server.route(NVD_PATH, lambda r: (403, {"message": "Invalid apiKey"}, b""))
    result = _sync(feed_server, Clock(), ["nvd"], api_key=KEY)["nvd"]
    assert result.status == "failed" and "HTTP 403" in result.message
    state = FeedSync.objects.get(source="nvd")
    assert KEY not in state.message + json.dumps(state.events)


def test_unknown_sources_are_refused_before_anything_runs() -> None:
    with pytest.raises(InputError, match="unknown feed source"):
        feeds_sync(["nvd", "nonsense"])
    assert not FeedSync.objects.exists()


def test_next_scheduled_run() -> None:
    monday = dt.datetime(2026, 11, 23, 8, 55, tzinfo=dt.UTC)
    assert next_run("0 3 * * *", monday) == dt.datetime(2026, 11, 24, 3, 0, tzinfo=dt.UTC)
    assert next_run("*/20 9-17 * * 1-5", monday) == dt.datetime(2026, 11, 23, 9, 0, tzinfo=dt.UTC)
    assert next_run("0 0 * * 0", monday) == dt.datetime(2026, 11, 29, 0, 0, tzinfo=dt.UTC)  # Sunday
    assert next_run("", monday) is None
    with pytest.raises(InputError, match="hour"):
        next_run("0 24 * * *", monday)


def test_a_running_sync_is_not_started_twice(feed_server: FeedServer) -> None:
    serve_kev_epss(feed_server)
    FeedSync.objects.create(source="kev", status="running", started_at=timezone.now())
    (result,) = feeds_sync(["kev"], options=_options(feed_server))
    assert result.status == "busy" and result.failed and not feed_server.requests
    FeedSync.objects.filter(source="kev").update(started_at=timezone.now() - dt.timedelta(hours=7))
    (result,) = feeds_sync(["kev"], options=_options(feed_server))  # taken as crashed
    assert result.status == "succeeded"


def test_the_periodic_job_follows_the_configured_schedule(settings: Any) -> None:
    from huey.contrib.djhuey import HUEY

    from medvigil.web.advisories import tasks

    settings.FEEDS_SYNC_SCHEDULE = "30 3 * * 1"
    due = tasks._schedule()
    monday = dt.datetime(2026, 11, 23, 3, 30, tzinfo=dt.UTC)
    assert (
        due(monday) and not due(monday + dt.timedelta(days=1)) and not due(monday + dt.timedelta(minutes=1))
    )
    settings.FEEDS_SYNC_SCHEDULE = ""
    assert not tasks._schedule()(monday)
    periodic = [t.__class__.__name__ for t in HUEY._registry.periodic_tasks]
    assert "feeds_sync_scheduled" in periodic
