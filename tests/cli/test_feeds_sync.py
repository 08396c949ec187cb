"""``medvigil feeds sync``: the JSON contract, the table and exit code 2 for a failed source."""

from __future__ import annotations

import json
from typing import Any

import pytest
from typer.testing import CliRunner

from medvigil.cli.main import app, run
from medvigil.web.advisories.models import AdvisoryRecord, FeedSync
from tests.core.feeds.sync.conftest import FeedServer
from tests.core.feeds.sync.helpers import NVD_PATH, serve_kev_epss, serve_nvd

runner = CliRunner()
pytestmark = pytest.mark.django_db
SYNC_KEYS = {"source", "status", "files", "message", "rejected", "events", "runs"}
RUN_KEYS = {
    "source",
    "path",
    "status",
    "error",
    "error_count",
    "new",
    "updated",
    "unchanged",
    "withdrawn",
    "rejected",
    "errors",
}


@pytest.fixture
def upstream(settings: Any, feed_server: FeedServer) -> FeedServer:
    serve_nvd(feed_server, page_cap=20)
    serve_kev_epss(feed_server)
    settings.FEEDS_SYNC_SOURCES = ["nvd", "epss"]
    settings.FEEDS_SYNC_OPTIONS = {
        "nvd": {"url": feed_server.url + NVD_PATH},
        "kev": {"url": feed_server.url + "/missing-kev.json"},  # 404: not retried, fails at once
        "epss": {"url": feed_server.url + "/epss_scores-current.csv.gz"},
    }
    return feed_server


def test_json_output_of_the_enabled_sources(upstream: FeedServer) -> None:
    out = runner.invoke(app, ["feeds", "sync", "--format", "json"], catch_exceptions=False)
    assert out.exit_code == 0, out.output
    syncs = json.loads(out.stdout)["syncs"]
    assert [s["source"] for s in syncs] == ["nvd", "epss"]
    assert all(set(s) == SYNC_KEYS and s["status"] == "succeeded" for s in syncs)
    nvd = syncs[0]
    (run,) = nvd["runs"]
    assert set(run) == RUN_KEYS and run["source"] == "nvd" and run["new"] == 38 and run["errors"] == []
    assert nvd["files"] == 1 and any("38 CVE record(s) in 2 page(s)" in e for e in nvd["events"])
    assert AdvisoryRecord.objects.filter(source__name="nvd").count() == 38
    again = json.loads(runner.invoke(app, ["feeds", "sync", "epss", "-f", "json"]).stdout)["syncs"]
    assert again[0]["files"] == 0 and again[0]["runs"] == []  # 304 Not Modified


def test_a_failed_source_exits_2_and_the_others_still_sync(upstream: FeedServer) -> None:
    out = runner.invoke(app, ["feeds", "sync", "kev", "epss"], catch_exceptions=False)
    assert out.exit_code == 2
    assert "Feed sync" in out.stdout and "failed" in out.stdout and "succeeded" in out.stdout
    assert "missing-kev.json: HTTP 404" in out.output
    assert FeedSync.objects.get(source="epss").status == "succeeded"
    assert FeedSync.objects.get(source="kev").cursor == {}


def test_unknown_source_is_a_usage_error(upstream: FeedServer, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["feeds", "sync", "nope"]) == 2
    (line,) = capsys.readouterr().err.splitlines()
    assert line.startswith("medvigil: error: ") and "unknown feed source" in line
    assert not upstream.requests
