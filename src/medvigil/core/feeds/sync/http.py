"""HTTP GET with retries: 429 and 5xx answers and transport errors are retried with backoff.

``Retry-After`` (seconds or an HTTP date) is honoured, capped at ``RetryPolicy.max_wait``. Each
retry is noted in ``SyncContext.events``; when the attempts run out the request fails with
:class:`~medvigil.core.errors.FeedUnavailableError` naming the URL and the last answer. Secrets
(API keys in headers) never appear in events or errors.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from pathlib import Path

import httpx

from medvigil.core.errors import FeedUnavailableError
from medvigil.core.feeds.sync.interface import SyncContext

__all__ = ["RateLimiter", "RetryPolicy", "conditional_download", "download", "get"]

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """How often and how long to retry."""

    attempts: int = 5
    """Total attempts, the first included."""
    backoff: float = 2.0
    """First wait in seconds; doubles on each retry."""
    max_wait: float = 120.0
    """Cap for any single wait, ``Retry-After`` included."""


DEFAULT_POLICY = RetryPolicy()


def _retry_after(response: httpx.Response, now: dt.datetime) -> float | None:
    value = response.headers.get("retry-after")
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    return max(0.0, (when - now).total_seconds())


def _retrying(
    ctx: SyncContext, url: str, policy: RetryPolicy, send: Callable[[], httpx.Response]
) -> httpx.Response:
    """Call ``send`` until it returns a non-retryable answer; retry 429/5xx and transport errors."""
    wait = policy.backoff
    last = ""
    for attempt in range(1, policy.attempts + 1):
        try:
            response = send()
        except httpx.TransportError as exc:
            last = f"{type(exc).__name__}: {exc}"
            delay = wait
        else:
            if response.status_code not in RETRY_STATUSES:
                return response
            last = f"HTTP {response.status_code}"
            after = _retry_after(response, ctx.now())
            delay = wait if after is None else after
        if attempt == policy.attempts:
            break
        delay = min(delay, policy.max_wait)
        ctx.events.append(f"{url}: {last}; retry {attempt} of {policy.attempts - 1} in {delay:g} s")
        ctx.sleep(delay)
        wait *= 2
    raise FeedUnavailableError(f"{url}: gave up after {policy.attempts} attempts (last: {last})")


def get(
    ctx: SyncContext,
    url: str,
    *,
    params: Mapping[str, str | int] | None = None,
    headers: Mapping[str, str] | None = None,
    policy: RetryPolicy = DEFAULT_POLICY,
) -> httpx.Response:
    """GET ``url``; retry 429/5xx/transport errors; return a 2xx/3xx/4xx (non-429) response.

    A non-retryable error status (404, 403...) is returned for the caller to judge.
    """
    return _retrying(ctx, url, policy, lambda: ctx.client.get(url, params=params, headers=headers))


def _fetch_to(
    ctx: SyncContext,
    url: str,
    path: Path,
    headers: Mapping[str, str] | None,
    max_bytes: int,
    policy: RetryPolicy,
) -> tuple[httpx.Response, str | None]:
    """Stream a 2xx body into ``path`` (via a ``.part`` file; retried like :func:`get`, a
    connection lost mid-body included). Returns the answer and the body's SHA-256, or None
    (nothing written) for a non-2xx answer."""
    digest: list[str] = []
    part = path.with_name(path.name + ".part")

    def send() -> httpx.Response:
        request = ctx.client.build_request("GET", url, headers=headers)
        response = ctx.client.send(request, stream=True)
        try:
            if not response.is_success:
                return response
            path.parent.mkdir(parents=True, exist_ok=True)
            sha = hashlib.sha256()
            size = 0
            with part.open("wb") as out:
                for block in response.iter_bytes(1 << 20):
                    size += len(block)
                    if size > max_bytes:
                        raise FeedUnavailableError(f"{url}: body is over the limit of {max_bytes} bytes")
                    sha.update(block)
                    out.write(block)
            part.replace(path)
            digest.append(sha.hexdigest())
            return response
        finally:
            response.close()
            part.unlink(missing_ok=True)

    response = _retrying(ctx, url, policy, send)
    return response, (digest[-1] if response.is_success and digest else None)


def download(
    ctx: SyncContext,
    url: str,
    path: Path,
    *,
    headers: Mapping[str, str] | None = None,
    max_bytes: int = 2 << 30,
    policy: RetryPolicy = DEFAULT_POLICY,
) -> str:
    """Stream ``url`` into ``path`` (with retries); return the SHA-256 of the bytes.

    Fails with :class:`FeedUnavailableError` on a non-2xx answer or a body over ``max_bytes``
    (nothing is left at ``path`` then).
    """
    response, digest = _fetch_to(ctx, url, path, headers, max_bytes, policy)
    if digest is None:
        raise FeedUnavailableError(f"{url}: HTTP {response.status_code}")
    return digest


def conditional_download(
    ctx: SyncContext,
    url: str,
    path: Path,
    *,
    max_bytes: int = 2 << 30,
    policy: RetryPolicy = DEFAULT_POLICY,
) -> tuple[bool, dict[str, str]]:
    """Fetch ``url`` into ``path`` unless it is unchanged since ``ctx.cursor``'s validators.

    The cursor's ``etag``/``last_modified`` (from the previous run's answer) are sent as
    ``If-None-Match``/``If-Modified-Since``. Returns ``(changed, cursor)``: on 304 nothing is
    written and the cursor is returned as it was; on 200 the file is written and the cursor
    holds the new answer's validators (none when the server gives none: the next run downloads
    again, and the import skips bytes it has seen).
    """
    headers: dict[str, str] = {}
    if ctx.cursor.get("etag"):
        headers["If-None-Match"] = ctx.cursor["etag"]
    if ctx.cursor.get("last_modified"):
        headers["If-Modified-Since"] = ctx.cursor["last_modified"]
    response, digest = _fetch_to(ctx, url, path, headers, max_bytes, policy)
    if response.status_code == 304:
        ctx.events.append(f"{url}: not modified since the last sync")
        return False, dict(ctx.cursor)
    if digest is None:
        raise FeedUnavailableError(f"{url}: HTTP {response.status_code}")
    cursor = {"sha256": digest}
    if etag := response.headers.get("etag"):
        cursor["etag"] = etag
    if modified := response.headers.get("last-modified"):
        cursor["last_modified"] = modified
    return True, cursor


class RateLimiter:
    """At most ``limit`` requests in any rolling ``window`` seconds, on ``ctx.now``/``ctx.sleep``.

    Call :meth:`wait` before each request: when ``limit`` requests were started within the last
    ``window`` seconds it sleeps (through ``ctx.sleep``, so tests observe it without waiting)
    until the oldest of them leaves the window, and notes the wait in ``ctx.events``.
    """

    def __init__(self, ctx: SyncContext, *, limit: int, window: float) -> None:
        """Limit ``ctx``'s requests to ``limit`` per ``window`` seconds."""
        if limit < 1 or window <= 0:
            raise ValueError("rate limit needs limit >= 1 and window > 0")
        self.ctx = ctx
        self.limit = limit
        self.window = window
        self.waited = 0.0
        """Total seconds slept so far."""
        self._starts: deque[dt.datetime] = deque()

    def wait(self) -> None:
        """Block until one more request fits the window, then count it."""
        now = self.ctx.now()
        self._expire(now)
        if len(self._starts) >= self.limit:
            delay = (self._starts[0] + dt.timedelta(seconds=self.window) - now).total_seconds()
            if delay > 0:
                self.ctx.events.append(
                    f"rate limit: {self.limit} requests per {self.window:g} s reached; waiting {delay:.1f} s"
                )
                self.ctx.sleep(delay)
                self.waited += delay
                now = self.ctx.now()
            self._expire(now)
            while len(self._starts) >= self.limit:  # a clock that did not move: drop the oldest
                self._starts.popleft()
        self._starts.append(now)

    def _expire(self, now: dt.datetime) -> None:
        edge = now - dt.timedelta(seconds=self.window)
        while self._starts and self._starts[0] <= edge:
            self._starts.popleft()
