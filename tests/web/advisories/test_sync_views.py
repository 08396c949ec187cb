"""The feeds page and API show each source's sync state; only admins may start a sync."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from medvigil.web.advisories.models import FeedSync, KevEntry
from tests.core.feeds.sync.conftest import FeedServer
from tests.core.feeds.sync.helpers import serve_kev_epss
from tests.web.conftest import login


@pytest.fixture
def kev_only(settings: Any, feed_server: FeedServer) -> FeedServer:
    serve_kev_epss(feed_server)
    settings.FEEDS_SYNC_SOURCES = ["kev"]
    settings.FEEDS_SYNC_SCHEDULE = "0 3 * * *"
    settings.FEEDS_SYNC_OPTIONS = {"kev": {"url": feed_server.url + "/kev.json"}}
    return feed_server


def test_viewer_sees_sync_state_but_cannot_start_a_sync(kev_only: FeedServer, viewer: Any) -> None:
    FeedSync.objects.create(source="osv", status="failed", message="osv.dev: HTTP 503", cursor={"PyPI": "x"})
    client = login(viewer)
    html = client.get("/feeds/").content.decode()
    assert 'id="syncs"' in html and "osv.dev: HTTP 503" in html and "PyPI: x" in html
    assert 'id="sync-now"' not in html and "0 3 * * *" in html
    assert client.post("/feeds/sync/").status_code == 403
    assert login(viewer).post("/api/feeds/sync", {}, content_type="application/json").status_code == 403
    assert not kev_only.requests and not KevEntry.objects.exists()


def test_admin_sync_now_button_queues_the_sync(kev_only: FeedServer, admin: Any) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(admin)
    page = client.get("/feeds/")
    html = page.content.decode()
    assert 'id="sync-now"' in html
    assert client.post("/feeds/sync/").status_code == 403  # no CSRF token
    token = page.cookies["csrftoken"].value
    resp = client.post("/feeds/sync/", {"csrfmiddlewaretoken": token})
    assert resp.status_code == 302 and resp["Location"] == "/feeds/"
    # the test settings run jobs inline, so the sync has happened
    state = FeedSync.objects.get(source="kev")
    assert state.status == "succeeded" and KevEntry.objects.count() > 1000
    assert [r.path for r in kev_only.requests] == ["/kev.json"]
    assert "succeeded" in client.get("/feeds/").content.decode()


def test_api_lists_sync_states_and_admin_can_queue(kev_only: FeedServer, admin: Any, viewer: Any,
                                                    token_for: Any) -> None:  # fmt: skip
    assert Client().get("/api/feeds/syncs").status_code == 401
    rows = Client().get("/api/feeds/syncs", **token_for(viewer)).json()
    kev = next(r for r in rows if r["source"] == "kev")
    assert kev["enabled"] and kev["status"] == "never" and kev["next_run"].endswith("03:00:00Z")
    assert {r["source"] for r in rows} >= {"nvd", "osv", "kev", "epss"}
    assert not next(r for r in rows if r["source"] == "nvd")["enabled"]
    bad = Client().post("/api/feeds/sync", {"sources": ["bogus"]}, content_type="application/json",
                        **token_for(admin))  # fmt: skip
    assert bad.status_code == 400
    resp = Client().post("/api/feeds/sync", {"sources": ["kev"]}, content_type="application/json",
                         **token_for(admin))  # fmt: skip
    assert resp.status_code == 202 and resp.json()["sources"] == ["kev"]
    kev = next(
        r for r in Client().get("/api/feeds/syncs", **token_for(viewer)).json() if r["source"] == "kev"
    )
    assert kev["status"] == "succeeded" and kev["cursor"]["etag"] == '"kev-1"' and len(kev["runs"]) == 1
    assert kev["counts"]["new"] == KevEntry.objects.count() == 1404 and kev["files"] == 1
