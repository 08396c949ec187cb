"""Background jobs (huey): the daily re-evaluation of every open case's clock and obligations, so
a day-30 miss turns R6 into R7 on the day it happens even when nothing else changes.

huey does not run a periodic job whose time passed while no worker ran, so the job runs every
hour and evaluates only the cases not evaluated yet today: after 00:05 it finds none, and a
worker that was down at midnight catches up within the hour of its start."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from medvigil.web.remediation.services import obligations_refresh


@db_periodic_task(crontab(minute="5"))  # type: ignore[untyped-decorator]
def obligations_refresh_daily() -> int:
    """Re-evaluate the open cases not evaluated yet today (hh:05 every hour: at 00:05 all of them)."""
    return obligations_refresh(stale_only=True)
