"""NVD API 2.0 sync: paging, 120-day windows, the apiKey header, rate limits and retries."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import httpx
import pytest

from medvigil.core.errors import FeedUnavailableError
from medvigil.core.feeds.nvd import NvdFeed
from medvigil.core.feeds.sync.interface import SyncContext
from medvigil.core.feeds.sync.nvd import NvdFetcher, windows
from tests.core.feeds.sync.conftest import FeedServer
from tests.core.feeds.sync.helpers import NVD_PATH, Clock, parsed_records, serve_nvd

KEY = "0123-secret-api-key"


def _ctx(
    server: FeedServer,
    dest: Path,
    clock: Clock,
    cursor: dict[str, str] | None = None,
    options: dict[str, str] | None = None,
) -> SyncContext:
    return SyncContext(
        client=httpx.Client(timeout=5),
        dest=dest,
        cursor=cursor or {},
        options={"url": server.url + NVD_PATH, **(options or {})},
        sleep=clock.sleep,
        now=clock.now,
    )


def test_first_run_pages_through_everything_and_the_parser_reads_the_pages(
    feed_server: FeedServer, tmp_path: Path
) -> None:
    sample = serve_nvd(feed_server, page_cap=10)
    clock = Clock()
    ctx = _ctx(feed_server, tmp_path, clock)
    result = NvdFetcher().fetch(ctx)
    starts = [int(r.query["startIndex"]) for r in feed_server.hits(NVD_PATH)]
    assert starts == [0, 10, 20, 30]
    assert all("lastModStartDate" not in r.query for r in feed_server.requests)
    assert all(r.query["resultsPerPage"] == "2000" for r in feed_server.requests)
    (folder,) = result.files
    assert folder.source == "nvd" and len(list(folder.path.glob("*.json.gz"))) == 4
    records = parsed_records(NvdFeed(), folder.path)
    assert sorted(records) == sorted(v["cve"]["id"] for v in sample["vulnerabilities"])
    assert result.full and result.cursor == {"last_modified": clock.now().isoformat()}
    assert "apikey" not in feed_server.requests[0].headers


def test_incremental_run_asks_windows_of_at_most_120_days_up_to_now(
    feed_server: FeedServer, tmp_path: Path
) -> None:
    serve_nvd(feed_server, page_cap=2000)
    clock = Clock()
    since = clock.now() - dt.timedelta(days=300)
    ctx = _ctx(feed_server, tmp_path, clock, cursor={"last_modified": since.isoformat()})
    result = NvdFetcher().fetch(ctx)
    spans = [
        (
            dt.datetime.fromisoformat(r.query["lastModStartDate"]),
            dt.datetime.fromisoformat(r.query["lastModEndDate"]),
        )
        for r in feed_server.hits(NVD_PATH)
    ]
    assert len(spans) == 3
    assert spans[0][0] == since and spans[-1][1] == clock.now()
    assert all(dt.timedelta(0) < hi - lo <= dt.timedelta(days=120) for lo, hi in spans)
    assert all(spans[i][1] == spans[i + 1][0] for i in range(len(spans) - 1))  # no gap
    assert not result.full and result.cursor["last_modified"] == clock.now().isoformat()


def test_windows_split_exactly() -> None:
    start = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)
    spans = list(windows(start, start + dt.timedelta(days=240)))
    assert [(hi - lo).days for lo, hi in spans] == [120, 120]


def test_api_key_goes_in_the_header_only_and_raises_the_rate_limit(
    feed_server: FeedServer, tmp_path: Path
) -> None:
    serve_nvd(feed_server, page_cap=1)  # 38 requests
    clock = Clock()
    ctx = _ctx(feed_server, tmp_path, clock, options={"api_key": KEY})
    NvdFetcher().fetch(ctx)
    assert len(feed_server.requests) == 38
    assert all(r.headers.get("apikey") == KEY for r in feed_server.requests)
    assert all(KEY not in str(r.query) for r in feed_server.requests)
    assert clock.sleeps == []  # 38 requests fit 50 per 30 s
    assert not any(KEY in e for e in ctx.events)


def test_without_a_key_at_most_5_requests_start_in_any_30_seconds(
    feed_server: FeedServer, tmp_path: Path
) -> None:
    serve_nvd(feed_server, page_cap=3)  # 13 requests
    clock = Clock()
    times: list[dt.datetime] = []
    original = feed_server.routes[NVD_PATH]

    def timed(request):  # type: ignore[no-untyped-def]
        times.append(clock.now())
        return original(request)

    feed_server.route(NVD_PATH, timed)
    ctx = _ctx(feed_server, tmp_path, clock)
    NvdFetcher().fetch(ctx)
    assert len(times) == 13
    assert all((times[i + 5] - times[i]).total_seconds() >= 30 for i in range(len(times) - 5))
    assert len(clock.sleeps) == 2 and sum(clock.sleeps) == 60
    assert any("rate limit: 5 requests per 30 s" in e for e in ctx.events)


def test_429_and_503_answers_are_retried_and_reported(feed_server: FeedServer, tmp_path: Path) -> None:
    serve_nvd(feed_server, page_cap=20)
    pages = feed_server.routes[NVD_PATH]
    feed_server.sequence(NVD_PATH, [(429, {"Retry-After": "12"}, b""), (503, {}, b"")], pages)
    clock = Clock()
    ctx = _ctx(feed_server, tmp_path, clock, options={"api_key": KEY})
    result = NvdFetcher().fetch(ctx)
    assert len(feed_server.requests) == 4  # 2 refused + 2 pages
    assert clock.sleeps == [12.0, 4.0]
    assert [e for e in ctx.events if "retry" in e][0].endswith("HTTP 429; retry 1 of 4 in 12 s")
    assert sum(1 for _ in result.files[0].path.glob("*.json.gz")) == 2


def test_a_403_waits_a_rate_window_and_is_retried_twice_then_fails(
    feed_server: FeedServer, tmp_path: Path
) -> None:
    serve_nvd(feed_server)
    pages = feed_server.routes[NVD_PATH]
    feed_server.sequence(NVD_PATH, [(403, {"message": "Too many requests"}, b"")], pages)
    clock = Clock()
    ctx = _ctx(feed_server, tmp_path / "ok", clock)
    assert NvdFetcher().fetch(ctx).files
    assert clock.sleeps == [30.0] and any("Too many requests" in e for e in ctx.events)

    feed_server.route(NVD_PATH, lambda r: (403, {}, b""))
    feed_server.requests.clear()
    with pytest.raises(FeedUnavailableError, match="HTTP 403"):
        NvdFetcher().fetch(_ctx(feed_server, tmp_path / "bad", clock))
    assert len(feed_server.requests) == 3  # the first try and two retries
