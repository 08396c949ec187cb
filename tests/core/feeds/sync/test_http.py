"""Retries on 429/5xx honour Retry-After, are reported, and give up with a named error."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import httpx
import pytest

from medvigil.core.errors import FeedUnavailableError
from medvigil.core.feeds.sync.http import RateLimiter, RetryPolicy, conditional_download, download, get
from medvigil.core.feeds.sync.interface import SyncContext
from tests.core.feeds.sync.conftest import FeedServer
from tests.core.feeds.sync.helpers import Clock


def _ctx(tmp_path: Path, clock: Clock, cursor: dict[str, str] | None = None) -> SyncContext:
    return SyncContext(
        client=httpx.Client(timeout=5), dest=tmp_path, cursor=cursor or {}, sleep=clock.sleep, now=clock.now
    )


def test_429_and_503_are_retried_with_retry_after_and_reported(
    feed_server: FeedServer, tmp_path: Path
) -> None:
    feed_server.sequence(
        "/data",
        [(429, {"Retry-After": "7"}, b"slow down"), (503, {}, b"busy")],
        lambda r: (200, {}, b"payload"),
    )
    clock = Clock()
    ctx = _ctx(tmp_path, clock)
    digest = download(ctx, f"{feed_server.url}/data", tmp_path / "out.bin")
    assert (tmp_path / "out.bin").read_bytes() == b"payload" and len(digest) == 64
    assert len(feed_server.hits("/data")) == 3
    assert clock.sleeps == [7.0, 4.0]  # Retry-After first, then the doubled backoff
    assert "HTTP 429" in ctx.events[0] and "in 7 s" in ctx.events[0]
    assert "HTTP 503" in ctx.events[1]


def test_gives_up_after_the_attempts_naming_url_and_status(feed_server: FeedServer, tmp_path: Path) -> None:
    feed_server.route("/down", lambda r: (500, {}, b"oops"))
    clock = Clock()
    ctx = _ctx(tmp_path, clock)
    with pytest.raises(FeedUnavailableError, match=r"/down: gave up after 3 attempts \(last: HTTP 500\)"):
        get(ctx, f"{feed_server.url}/down", policy=RetryPolicy(attempts=3, backoff=1, max_wait=10))
    assert clock.sleeps == [1.0, 2.0] and len(ctx.events) == 2


def test_a_huge_retry_after_is_capped(feed_server: FeedServer, tmp_path: Path) -> None:
    feed_server.sequence("/x", [(429, {"Retry-After": "86400"}, b"")], lambda r: (200, {}, b"ok"))
    clock = Clock()
    get(_ctx(tmp_path, clock), f"{feed_server.url}/x", policy=RetryPolicy(max_wait=30))
    assert clock.sleeps == [30.0]


def test_404_is_not_retried_and_download_refuses_it(feed_server: FeedServer, tmp_path: Path) -> None:
    clock = Clock()
    with pytest.raises(FeedUnavailableError, match="HTTP 404"):
        download(_ctx(tmp_path, clock), f"{feed_server.url}/missing", tmp_path / "x")
    assert clock.sleeps == [] and len(feed_server.requests) == 1 and not (tmp_path / "x").exists()


def test_secret_headers_never_reach_events_or_errors(feed_server: FeedServer, tmp_path: Path) -> None:
    feed_server.route("/k", lambda r: (503, {}, b""))
    ctx = _ctx(tmp_path, Clock())
    with pytest.raises(FeedUnavailableError) as info:
        get(ctx, f"{feed_server.url}/k", headers={"apiKey": "s3cr3t-key"}, policy=RetryPolicy(attempts=2))
    assert feed_server.requests[0].headers["apikey"] == "s3cr3t-key"
    assert "s3cr3t" not in str(info.value) and not any("s3cr3t" in e for e in ctx.events)


def test_conditional_download_sends_validators_and_304_writes_nothing(
    feed_server: FeedServer, tmp_path: Path
) -> None:
    feed_server.static("/f", b"v1", {"ETag": '"abc"', "Last-Modified": "Mon, 23 Nov 2026 08:00:00 GMT"})
    changed, cursor = conditional_download(_ctx(tmp_path, Clock()), f"{feed_server.url}/f", tmp_path / "a")
    assert changed and cursor["etag"] == '"abc"' and cursor["last_modified"].startswith("Mon, 23 Nov")
    ctx = _ctx(tmp_path, Clock(), cursor)
    changed, again = conditional_download(ctx, f"{feed_server.url}/f", tmp_path / "b")
    assert not changed and again == cursor and not (tmp_path / "b").exists()
    assert feed_server.requests[-1].headers["if-none-match"] == '"abc"'
    assert "not modified" in ctx.events[-1]


def test_rate_limiter_waits_for_the_oldest_request_to_leave_the_window(tmp_path: Path) -> None:
    clock = Clock()
    ctx = SyncContext(client=httpx.Client(), dest=tmp_path, sleep=clock.sleep, now=clock.now)
    limiter = RateLimiter(ctx, limit=5, window=30)
    starts = []
    for _ in range(12):
        limiter.wait()
        starts.append(clock.now())
        clock.current += dt.timedelta(seconds=1)  # each request takes 1 s
    # never more than 5 starts in any 30 s
    for i in range(len(starts) - 5):
        assert (starts[i + 5] - starts[i]).total_seconds() >= 30
    assert clock.sleeps == [25.0, 25.0] and limiter.waited == 50.0
    assert sum("rate limit" in e for e in ctx.events) == 2


def test_a_body_cut_short_is_retried_and_a_partial_file_never_left(
    feed_server: FeedServer, tmp_path: Path
) -> None:
    feed_server.sequence(
        "/big", [(200, {"Content-Length": "1000"}, b"only part")], lambda r: (200, {}, b"whole body")
    )
    clock = Clock()
    ctx = _ctx(tmp_path, clock)
    download(ctx, f"{feed_server.url}/big", tmp_path / "big")
    assert (tmp_path / "big").read_bytes() == b"whole body"
    assert "RemoteProtocolError" in ctx.events[0] and clock.sleeps == [2.0]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["big"]


def test_connection_refused_is_retried_then_reported(tmp_path: Path) -> None:
    clock = Clock()
    ctx = _ctx(tmp_path, clock)
    with pytest.raises(FeedUnavailableError, match=r"gave up after 2 attempts \(last: ConnectError"):
        get(ctx, "http://127.0.0.1:9/", policy=RetryPolicy(attempts=2))
    assert clock.sleeps == [2.0]


def test_a_body_over_the_limit_is_refused_and_nothing_kept(feed_server: FeedServer, tmp_path: Path) -> None:
    feed_server.static("/huge", b"x" * 5000)
    with pytest.raises(FeedUnavailableError, match="over the limit of 1024 bytes"):
        download(_ctx(tmp_path, Clock()), f"{feed_server.url}/huge", tmp_path / "h", max_bytes=1024)
    assert list(tmp_path.iterdir()) == []
