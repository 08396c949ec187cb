"""NVD CVE API 2.0: paged, incremental by last-modified windows, rate limited.

Options (``SyncContext.options``):

* ``url`` -- the CVE API endpoint (default :data:`NVD_URL`; a mirror or test server);
* ``api_key`` -- sent in the ``apiKey`` header, never in URLs, events or errors;
* ``start_date`` -- ISO date or timestamp for a first run (see below);
* ``results_per_page`` -- page size (default and NVD's maximum: 2,000).

First run (empty cursor): without ``start_date`` the whole database is paged through without
date parameters (about 130 pages); with it, windows run from that date to now. Later runs ask
for ``lastModStartDate``/``lastModEndDate`` windows of at most 120 days from the cursor's
``last_modified`` (the window end of the last complete run) up to now.

Each answer page is saved unchanged, gzipped (a full download is about 2 GB of JSON), as
``pages/<window>-<startIndex>.json.gz``; the folder is one input for the ``nvd`` parser.
Requests are limited with a rolling window to NVD's published rates: 5 per 30 s without a key,
50 per 30 s with one. Besides the 429/5xx retries of :mod:`.http`, a 403 -- NVD's answer to a
client over the rate limit -- waits one 30 s window and is retried twice.
"""

from __future__ import annotations

import datetime as dt
import gzip
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import orjson

from medvigil.core.errors import FeedUnavailableError
from medvigil.core.feeds.sync.http import RateLimiter, get
from medvigil.core.feeds.sync.interface import FetchedFile, FetchResult, SyncContext

__all__ = ["NVD_URL", "NvdFetcher", "parse_timestamp", "windows"]

NVD_URL = "https://services.nvd.nist.gov/rest/json/cves/2.0"
MAX_WINDOW = dt.timedelta(days=120)
PAGE_SIZE = 2000
RATE_WINDOW = 30.0
RATE_WITHOUT_KEY = 5
RATE_WITH_KEY = 50
FORBIDDEN_RETRIES = 2


def parse_timestamp(value: str) -> dt.datetime:
    """An ISO date or timestamp as an aware UTC datetime (naive values are UTC)."""
    parsed = dt.datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=dt.UTC)
    return parsed.astimezone(dt.UTC)


def _nvd_time(value: dt.datetime) -> str:
    """NVD's extended ISO-8601 form with an explicit UTC offset."""
    return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}+00:00"


def windows(start: dt.datetime, end: dt.datetime) -> Iterator[tuple[dt.datetime, dt.datetime]]:
    """Consecutive ``(start, end)`` windows of at most 120 days covering ``start``..``end``."""
    while start < end:
        stop = min(start + MAX_WINDOW, end)
        yield start, stop
        start = stop


@dataclass
class _Pager:
    ctx: SyncContext
    url: str
    headers: dict[str, str]
    limiter: RateLimiter
    page_size: int
    pages: int = 0
    records: int = 0

    def fetch_all(self, tag: str, dates: dict[str, str]) -> None:
        """Page through one query (``dates`` empty: the whole database)."""
        start = 0
        while True:
            params: dict[str, str | int] = {**dates, "startIndex": start, "resultsPerPage": self.page_size}
            page, body = self._request(params)
            total = int(page.get("totalResults", 0))
            count = len(page["vulnerabilities"])
            if count:
                path = self.ctx.dest / "pages" / f"{tag}-{start:07d}.json.gz"
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_bytes(gzip.compress(body, compresslevel=3))
                self.pages += 1
                self.records += count
            start += count
            if count == 0 or start >= total:
                if start < total:
                    raise FeedUnavailableError(
                        f"{self.url}: empty page at startIndex {start} of {total} results"
                    )
                return

    def _request(self, params: dict[str, str | int]) -> tuple[dict[str, Any], bytes]:
        """One page; NVD's 403 (its answer to a client over the rate limit) waits a window and retries."""
        for attempt in range(1, FORBIDDEN_RETRIES + 2):
            self.limiter.wait()
            response = get(self.ctx, self.url, params=params, headers=self.headers)
            if response.is_success:
                return _page(self.url, response.content), response.content
            reason = response.headers.get("message", "")[:200]
            detail = f"{self.url}: HTTP {response.status_code}" + (f" ({reason})" if reason else "")
            if response.status_code != 403 or attempt > FORBIDDEN_RETRIES:
                raise FeedUnavailableError(detail)
            self.ctx.events.append(
                f"{detail}: NVD answers 403 to clients over its rate limit; retry {attempt} of "
                f"{FORBIDDEN_RETRIES} in {RATE_WINDOW:g} s"
            )
            self.ctx.sleep(RATE_WINDOW)
        raise AssertionError("unreachable")  # pragma: no cover


def _page(url: str, body: bytes) -> dict[str, Any]:
    try:
        page = orjson.loads(body)
    except orjson.JSONDecodeError as exc:
        raise FeedUnavailableError(f"{url}: answer is not JSON: {exc}") from None
    if not isinstance(page, dict) or not isinstance(page.get("vulnerabilities"), list):
        raise FeedUnavailableError(f"{url}: answer is not an NVD CVE API 2.0 page")
    return page


class NvdFetcher:
    """NVD CVE API 2.0."""

    name = "nvd"
    label = "NVD CVE API 2.0"

    def fetch(self, ctx: SyncContext) -> FetchResult:
        """Download the CVEs modified since the cursor (everything on the first run)."""
        opts = ctx.options
        key = str(opts.get("api_key") or "")
        headers = {"apiKey": key} if key else {}
        limit = RATE_WITH_KEY if key else RATE_WITHOUT_KEY
        pager = _Pager(
            ctx=ctx,
            url=str(opts.get("url") or NVD_URL),
            headers=headers,
            limiter=RateLimiter(ctx, limit=int(opts.get("rate_limit") or limit), window=RATE_WINDOW),
            page_size=min(int(opts.get("results_per_page") or PAGE_SIZE), PAGE_SIZE),
        )
        end = ctx.now().astimezone(dt.UTC).replace(microsecond=0)
        since = ctx.cursor.get("last_modified") or str(opts.get("start_date") or "")
        full = not ctx.cursor.get("last_modified")
        if since:
            begin = parse_timestamp(since)
            spans = list(windows(begin, end))
            ctx.events.append(f"nvd: {len(spans)} window(s) of at most 120 days from {_nvd_time(begin)}")
            for number, (lo, hi) in enumerate(spans):
                dates = {"lastModStartDate": _nvd_time(lo), "lastModEndDate": _nvd_time(hi)}
                pager.fetch_all(f"w{number:03d}", dates)
        else:
            ctx.events.append("nvd: first run, full download")
            pager.fetch_all("all", {})
        ctx.events.append(
            f"nvd: {pager.records} CVE record(s) in {pager.pages} page(s); "
            f"rate-limit waits {pager.limiter.waited:.0f} s"
        )
        files = (FetchedFile(ctx.dest / "pages", "nvd", pager.url),) if pager.pages else ()
        return FetchResult(files=files, cursor={"last_modified": end.isoformat()}, full=full)
