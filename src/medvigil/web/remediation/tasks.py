"""Background jobs (huey): the daily re-evaluation of every open case's clock and obligations, so
a day-30 miss turns R6 into R7 on the day it happens even when nothing else changes."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from medvigil.web.remediation.services import obligations_refresh


@db_periodic_task(crontab(minute="5", hour="0"))  # type: ignore[untyped-decorator]
def obligations_refresh_daily() -> int:
    """Re-evaluate all open cases (00:05 every day)."""
    return obligations_refresh()
