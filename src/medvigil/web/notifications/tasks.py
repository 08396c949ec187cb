"""Background jobs (huey): fan-out after commit, one job per delivery attempt, the minute pump
that requeues due and abandoned deliveries, and the daily e-mail digest.

When a worker starts (``medvigil worker``, the embedded consumer of ``medvigil serve``) the pump
runs at once, so deliveries a killed worker held are picked up without waiting for the minute.
"""

from __future__ import annotations

from django.conf import settings
from huey import crontab
from huey.contrib.djhuey import HUEY, db_periodic_task, db_task

from medvigil.web.notifications import delivery, services


@db_task()  # type: ignore[untyped-decorator]
def dispatch_task() -> int:
    """Fan new outbox events out to the matching subscriptions (queued after each commit)."""
    return services.events_dispatch()


@db_task()  # type: ignore[untyped-decorator]
def delivery_task(delivery_id: int) -> str:
    """One attempt of one delivery (a failure queues the next with backoff)."""
    return delivery.delivery_attempt(delivery_id=delivery_id)


@db_periodic_task(crontab(minute="*"))  # type: ignore[untyped-decorator]
def deliveries_pump_task() -> dict[str, int]:
    """Every minute: dispatch, then queue due deliveries and those whose lease expired."""
    return delivery.deliveries_pump()


@db_periodic_task(crontab(minute="0", hour=str(settings.NOTIFY_DIGEST_HOUR)))  # type: ignore[untyped-decorator]
def digests_send_task() -> int:
    """Daily (``MEDVIGIL_NOTIFY_DIGEST_HOUR``, UTC): one e-mail per digest subscription."""
    return delivery.digests_send()


@db_periodic_task(crontab(minute="20", hour="3"))  # type: ignore[untyped-decorator]
def events_prune_task() -> int:
    """Daily (03:20 UTC): delete delivered events older than ``MEDVIGIL_NOTIFY_RETENTION_DAYS``."""
    return services.events_prune(days=settings.NOTIFY_RETENTION_DAYS)


@HUEY.on_startup(name="medvigil-notifications-recover")  # type: ignore[untyped-decorator]
def _recover_on_start() -> None:
    """A starting worker queues the pump once (abandoned claims are redelivered promptly)."""
    deliveries_pump_task()
