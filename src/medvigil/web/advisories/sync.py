"""Online feed sync: fetch with the registered fetchers, import with ``feed_import``, keep state.

For each source :func:`feeds_sync` claims its :class:`FeedSync` row, lets the fetcher download
into ``<DATA_DIR>/feeds/<source>/<timestamp>/`` and imports each fetched input as one run. The
new cursor is saved only when every input imported without a whole-input failure, so a failed
sync is repeated in full next time; its downloads are kept for diagnosis, a successful sync's
are removed. One source failing (network, HTTP, a bad file, a bug) never stops the others.

The schedule is in :mod:`medvigil.web.advisories.schedule`, the jobs in ``tasks.py``.
"""

from __future__ import annotations

import datetime as dt
import logging
import shutil
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from django.conf import settings
from django.utils import timezone

import medvigil
from medvigil.core.errors import Error, InputError
from medvigil.core.feeds.sync.interface import FetchResult, SyncContext
from medvigil.core.feeds.sync.registry import FETCHERS
from medvigil.web.advisories.models import FeedSync
from medvigil.web.advisories.services import ImportRunResult, feed_import

log = logging.getLogger("medvigil.advisories.sync")

RUN_COUNTS = ("new", "updated", "unchanged", "withdrawn", "rejected")
STALE_RUNNING = dt.timedelta(hours=6)
"""A sync marked running for longer than this is taken as crashed and may be started again."""
MAX_EVENTS = 500


@dataclass
class SyncResult:
    """What one source's sync did."""

    source: str
    status: str
    """``succeeded``, ``failed`` or ``busy`` (another sync of the source is running)."""
    files: int = 0
    rejected: list[dict[str, str]] = field(default_factory=list)
    events: list[str] = field(default_factory=list)
    runs: list[ImportRunResult] = field(default_factory=list)
    message: str = ""
    download_dir: str = ""
    """Kept after a failure for diagnosis (empty after a success: removed)."""

    @property
    def failed(self) -> bool:
        """The sync did not complete (its cursor was not advanced)."""
        return self.status != FeedSync.Status.SUCCEEDED


def user_agent() -> str:
    """``medvigil/<version>``."""
    return f"medvigil/{medvigil.__version__}"


def sync_client(timeout: float | None = None) -> httpx.Client:
    """The HTTP client of a sync: timeouts, redirects followed, our User-Agent."""
    seconds = float(timeout or settings.FEEDS_SYNC_TIMEOUT)
    return httpx.Client(
        timeout=httpx.Timeout(seconds, connect=min(seconds, 30.0)),
        follow_redirects=True,
        headers={"User-Agent": user_agent()},
    )


def enabled_sources() -> list[str]:
    """Configured sources that have a fetcher, in configuration order."""
    return [s for s in settings.FEEDS_SYNC_SOURCES if s in FETCHERS]


def _options(source: str, extra: Mapping[str, Mapping[str, Any]] | None) -> dict[str, Any]:
    configured = dict(getattr(settings, "FEEDS_SYNC_OPTIONS", {}).get(source, {}))
    configured.update((extra or {}).get(source, {}))
    return {k: v for k, v in configured.items() if v not in ("", None, [])}


def _scrub(text: str, secrets: Iterable[str]) -> str:
    for secret in secrets:
        if secret:
            text = text.replace(secret, "***")
    return text


def _claim(source: str) -> FeedSync | None:
    """Mark the source's sync running; None when another sync of it is running."""
    state, _ = FeedSync.objects.get_or_create(source=source)
    now = timezone.now()
    claimed = (
        FeedSync.objects.filter(pk=state.pk)
        .exclude(status=FeedSync.Status.RUNNING, started_at__gt=now - STALE_RUNNING)
        .update(status=FeedSync.Status.RUNNING, started_at=now, finished_at=None, message="")
    )
    if not claimed:
        return None
    state.refresh_from_db()
    return state


def _download_dir(source: str, now: dt.datetime) -> Path:
    base = Path(settings.DATA_DIR) / "feeds" / source
    stamp = now.strftime("%Y%m%dT%H%M%S%fZ")
    path = base / stamp
    path.mkdir(parents=True, exist_ok=False)
    return path


def _import(fetched: FetchResult, result: SyncResult) -> None:
    for file in fetched.files:
        outcome = feed_import(path=file.path, source=file.source, source_name=file.source)
        result.runs.append(outcome)
        if outcome.failed:
            result.status = FeedSync.Status.FAILED
            result.message = f"import of {file.url} failed: {outcome.message}"
            return


def _sync_one(
    source: str,
    *,
    client: httpx.Client,
    options: dict[str, Any],
    sleep: Callable[[float], None],
    now: Callable[[], dt.datetime],
) -> SyncResult:
    state = _claim(source)
    if state is None:
        return SyncResult(source, "busy", message="another sync of this source is running")
    secrets = [str(options["api_key"])] if options.get("api_key") else []
    result = SyncResult(source, FeedSync.Status.SUCCEEDED)
    events: list[str] = []
    fetched: FetchResult | None = None
    try:
        dest = _download_dir(source, timezone.now())
        result.download_dir = str(dest)
        ctx = SyncContext(
            client=client, dest=dest, cursor=dict(state.cursor), options=options, sleep=sleep, now=now,
            events=events,
        )  # fmt: skip
        fetched = FETCHERS[source].fetch(ctx)
        result.files = len(fetched.files)
        result.rejected = [{"url": r.url, "reason": r.reason} for r in fetched.rejected]
        _import(fetched, result)
    except Error as exc:
        result.status, result.message = FeedSync.Status.FAILED, exc.diagnostics()
    except Exception as exc:  # noqa: BLE001 - one source's bug must not stop the others
        log.exception("sync of %s failed", source)
        result.status, result.message = FeedSync.Status.FAILED, f"{type(exc).__name__}: {exc}"
    result.message = _scrub(result.message, secrets)
    result.events = [_scrub(e, secrets) for e in events][:MAX_EVENTS]
    _record(state, result, fetched)
    if result.failed:
        log.warning(
            "sync of %s failed: %s (downloads kept in %s)", source, result.message, result.download_dir
        )
    elif result.download_dir:
        shutil.rmtree(result.download_dir, ignore_errors=True)
        result.download_dir = ""
    return result


def _record(state: FeedSync, result: SyncResult, fetched: FetchResult | None) -> None:
    now = timezone.now()
    runs = [r.run for r in result.runs if r.run is not None]
    state.status = result.status
    state.finished_at = now
    state.message = result.message
    state.events = result.events
    state.rejected = result.rejected
    state.files = result.files
    state.counts = {n: sum(r.counts[n] for r in result.runs) for n in RUN_COUNTS}
    if not result.failed and fetched is not None:
        state.cursor = dict(fetched.cursor)
        state.last_success_at = now
    state.save()
    state.runs.set(runs)


def feeds_sync(
    sources: list[str] | None = None,
    *,
    client: httpx.Client | None = None,
    options: Mapping[str, Mapping[str, Any]] | None = None,
    sleep: Callable[[float], None] = time.sleep,
    now: Callable[[], dt.datetime] | None = None,
) -> list[SyncResult]:
    """Sync ``sources`` (default: the enabled ones) one after the other; see the module docstring.

    ``options`` override the configured fetcher options per source (tests point URLs at a local
    server). Raises :class:`InputError` for an unknown source name.
    """
    names = list(dict.fromkeys(sources)) if sources else enabled_sources()
    unknown = [n for n in names if n not in FETCHERS]
    if unknown:
        raise InputError(
            f"unknown feed source(s) {', '.join(unknown)}; known: {', '.join(sorted(FETCHERS))}",
            field="sources",
        )
    own = client is None
    http = client or sync_client()
    clock = now or (lambda: dt.datetime.now(dt.UTC))
    try:
        return [
            _sync_one(name, client=http, options=_options(name, options), sleep=sleep, now=clock)
            for name in names
        ]
    finally:
        if own:
            http.close()
