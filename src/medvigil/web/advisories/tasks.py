"""Background jobs: feed imports and online syncs through huey (``medvigil worker`` runs them).

``feeds_sync_scheduled`` runs on ``FEEDS_SYNC_SCHEDULE`` (``MEDVIGIL_SYNC_SCHEDULE``, cron-like,
UTC; empty: never); ``feeds_sync_task`` is the on-demand sync behind the "Sync now" button.
``cpe_screens_fill_task`` fills the CPE screens an import left NULL (:mod:`.screens`), queued
once however many imports end while one is pending.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from django.conf import settings
from huey import crontab
from huey.contrib.djhuey import HUEY, db_periodic_task, db_task

from medvigil.web.advisories import screens
from medvigil.web.advisories.presenters import RUN_COUNTS
from medvigil.web.advisories.services import feed_import
from medvigil.web.advisories.sync import SyncResult, feeds_sync


@db_task()  # type: ignore[untyped-decorator]
def feed_import_task(path: str, source: str | None = None, force: bool = False) -> dict[str, Any]:
    """Import one feed input; returns the run's id, status and counts (huey keeps the result)."""
    result = feed_import(path=Path(path), source=source, force=force)
    run = result.run
    return {
        "run": run.pk if run else None,
        "status": "skipped" if result.skipped else (run.status if run else "failed"),
        "message": result.message,
        **{name: result.counts[name] for name in RUN_COUNTS},
    }


@db_task()  # type: ignore[untyped-decorator]
def feed_upload_task(upload_id: int) -> dict[str, Any]:
    """Import a feed file or bundle uploaded on the feeds page (``uploads.feed_upload_queue``)."""
    from medvigil.web.advisories.uploads import feed_upload_run

    row = feed_upload_run(upload_id=upload_id)
    return {"upload": upload_id, "state": row.state if row else "gone", "message": row.message if row else ""}


def sync_summary(result: SyncResult) -> dict[str, Any]:
    """A sync's outcome as plain data (the task result)."""
    return {
        "source": result.source,
        "status": result.status,
        "files": result.files,
        "message": result.message,
        "rejected": result.rejected,
        "runs": [r.run.pk for r in result.runs if r.run is not None],
    }


@db_task()  # type: ignore[untyped-decorator]
def feeds_sync_task(sources: list[str] | None = None) -> list[dict[str, Any]]:
    """Sync ``sources`` (default: the enabled ones) now."""
    return [sync_summary(r) for r in feeds_sync(sources)]


def _schedule() -> Any:
    spec = settings.FEEDS_SYNC_SCHEDULE.split()
    if not spec:
        return lambda moment: False
    minute, hour, day, month, day_of_week = spec
    return crontab(minute, hour, day, month, day_of_week, strict=True)


@db_periodic_task(_schedule())  # type: ignore[untyped-decorator]
def feeds_sync_scheduled() -> list[dict[str, Any]]:
    """The scheduled sync of the enabled sources."""
    return [sync_summary(r) for r in feeds_sync()]


_SCREENS_PENDING = "advisories:cpe-screens-fill-pending"
log = logging.getLogger(__name__)


def cpe_screens_enqueue() -> bool:
    """Queue a fill of the CPE screens unless one is pending already (``False`` then). A pending
    mark whose fill is no longer in the queue (lost with a Redis restart, a removed queue file)
    does not hold: the fill is queued again, so the mark cannot stick and leave every later
    import's rows unscreened."""
    if not HUEY.put_if_empty(_SCREENS_PENDING, "1"):
        from medvigil.web.jobs import queued

        if queued(cpe_screens_fill_task):
            return False
        log.warning("the queued fill of the CPE screens was lost: queued again")
    cpe_screens_fill_task()
    return True


def cpe_screens_unmark() -> None:
    """Forget the pending fill (it starts, or ``medvigil feeds screens`` runs one): an import
    ending from now on queues the next."""
    HUEY.get(_SCREENS_PENDING)


@db_task()  # type: ignore[untyped-decorator]
def cpe_screens_fill_task() -> int:
    """Fill the CPE screens of the index rows imports stored without one; rows updated."""
    cpe_screens_unmark()
    return screens.cpe_screens_fill()
