"""Periodic anchor of the audit chain (hourly)."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from medvigil.web.audit.services import anchor_write


@db_periodic_task(crontab(minute="7"))  # type: ignore[untyped-decorator]
def audit_anchor_hourly() -> None:
    """Write an anchor with the chain's head, if it moved since the last one."""
    anchor_write()
