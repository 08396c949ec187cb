"""Delivering: claim a row, send it, record the outcome; the pump and the daily digest.

**Claims.** A worker takes a delivery that is ``pending`` and due, or ``sending`` with an expired
lease (its worker died), by setting ``sending``, a fresh lease and its own claim token. On
PostgreSQL the row is first locked with ``SELECT ... FOR UPDATE SKIP LOCKED`` (a second worker
skips it instead of waiting); on SQLite the conditional ``UPDATE ... WHERE state = 'pending' ...``
is itself the claim (one writer at a time). No transaction is held while sending.

**Outcome.** Success marks the row delivered. A failure schedules the next attempt with
exponential backoff (``RetryPolicy``) as a delayed huey job, or marks the row dead after the last
attempt (or when retrying cannot help). A worker killed mid-send leaves ``sending``; after the
lease the pump (every minute, and when a worker starts) hands it to a new attempt, so every event
is delivered at least once; the ``Idempotency-Key`` lets the receiver drop the repeat.
"""

from __future__ import annotations

import datetime as dt
import logging
import secrets
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import timezone

from medvigil.core.errors import DeliveryError
from medvigil.core.notify.retry import RetryPolicy
from medvigil.web.notifications import channels
from medvigil.web.notifications.models import Delivery, DeliveryState, Subscription
from medvigil.web.notifications.services import events_dispatch

__all__ = ["deliveries_pump", "delivery_attempt", "delivery_claim", "digests_send", "retry_policy"]

log = logging.getLogger(__name__)


def retry_policy() -> RetryPolicy:
    """The configured schedule."""
    return RetryPolicy(
        attempts=settings.NOTIFY_MAX_ATTEMPTS,
        base=settings.NOTIFY_RETRY_BASE_SECONDS,
        ceiling=settings.NOTIFY_RETRY_MAX_SECONDS,
    )


def _due(now: dt.datetime) -> Q:
    return Q(state=DeliveryState.PENDING, next_attempt_at__lte=now) | Q(
        state=DeliveryState.SENDING, lease_until__lt=now
    )


def delivery_claim(*, delivery_id: int, now: dt.datetime | None = None) -> Delivery | None:
    """Claim one due delivery for this worker (None: not due, or another worker has it)."""
    now = now or timezone.now()
    token = secrets.token_hex(16)
    lease = now + dt.timedelta(seconds=settings.NOTIFY_LEASE_SECONDS)
    with transaction.atomic():
        rows = Delivery.objects.filter(_due(now), pk=delivery_id)
        if connection.vendor == "postgresql":
            locked = rows.select_for_update(skip_locked=True).values_list("pk", flat=True).first()
            if locked is None:
                return None
            rows = Delivery.objects.filter(pk=locked)
        claimed = rows.update(
            state=DeliveryState.SENDING, lease_until=lease, claim=token, attempts=F("attempts") + 1
        )
    if not claimed:
        return None
    return Delivery.objects.select_related("event", "subscription").get(pk=delivery_id)


def _delivered(d: Delivery, status: int | None) -> None:
    Delivery.objects.filter(pk=d.pk).update(
        state=DeliveryState.DELIVERED, delivered_at=timezone.now(), last_status=status, last_error="",
        lease_until=None, claim="",
    )  # fmt: skip


def _failed(d: Delivery, exc: DeliveryError) -> int | None:
    """Record the failure; returns the delay of the next attempt (None: dead)."""
    delay = retry_policy().delay(d.attempts) if exc.retryable else None
    now = timezone.now()
    fields: dict[str, Any] = {"last_status": exc.status, "last_error": exc.diagnostics()[:2000]}
    if delay is None:
        fields |= {"state": DeliveryState.DEAD, "lease_until": None, "claim": ""}
        log.warning("delivery %s is dead after %s attempt(s): %s", d.pk, d.attempts, exc.diagnostics())
    else:
        fields |= {"state": DeliveryState.PENDING, "next_attempt_at": now + dt.timedelta(seconds=delay)}
        fields |= {"lease_until": None, "claim": ""}
    Delivery.objects.filter(pk=d.pk, claim=d.claim).update(**fields)
    return delay


def delivery_attempt(*, delivery_id: int, immediate: bool = False) -> str:
    """Claim, send and record one delivery; returns its state afterwards ('skipped' when not claimed).

    A failure with attempts left schedules the next try as a delayed huey job (``immediate``:
    the caller shows the outcome and leaves the retry to the pump).
    """
    d = delivery_claim(delivery_id=delivery_id)
    if d is None:
        return "skipped"
    if not d.subscription.active:
        _failed(d, DeliveryError("the subscription is paused", retryable=False))
        return DeliveryState.DEAD
    try:
        status = channels.send(d)
    except DeliveryError as exc:
        delay = _failed(d, exc)
        if delay is None:
            return DeliveryState.DEAD
        if not immediate:
            from medvigil.web.notifications import tasks

            tasks.delivery_task.schedule((d.pk,), delay=delay)
        return DeliveryState.PENDING
    _delivered(d, status)
    return DeliveryState.DELIVERED


def deliveries_pump(*, now: dt.datetime | None = None, limit: int = 1000) -> dict[str, int]:
    """Fan out new events and queue every due delivery (also those whose worker died)."""
    from medvigil.web.notifications import tasks

    now = now or timezone.now()
    dispatched = events_dispatch()
    # A digest whose sender died goes back to waiting for the next digest.
    Delivery.objects.filter(
        state=DeliveryState.SENDING, lease_until__lt=now, subscription__digest=True
    ).update(state=DeliveryState.HELD, lease_until=None, claim="")
    due = list(
        Delivery.objects.filter(_due(now), subscription__digest=False)
        .order_by("next_attempt_at", "id")
        .values_list("pk", flat=True)[:limit]
    )
    for pk in due:
        tasks.delivery_task(pk)
    return {"dispatched": dispatched, "queued": len(due)}


def digests_send(*, now: dt.datetime | None = None) -> int:
    """Send each digest subscription its held events in one e-mail; returns e-mails sent."""
    now = now or timezone.now()
    sent = 0
    for sub in Subscription.objects.filter(digest=True, active=True):
        token = secrets.token_hex(16)
        lease = now + dt.timedelta(seconds=settings.NOTIFY_LEASE_SECONDS)
        claimed = Delivery.objects.filter(subscription=sub, state=DeliveryState.HELD).update(
            state=DeliveryState.SENDING, claim=token, lease_until=lease, attempts=F("attempts") + 1
        )
        if not claimed:
            continue
        rows = list(Delivery.objects.filter(claim=token).select_related("event", "subscription"))
        try:
            channels.send_digest(sub, rows)
        except DeliveryError as exc:
            dead = Q(attempts__gte=settings.NOTIFY_MAX_ATTEMPTS)
            Delivery.objects.filter(dead, claim=token).update(
                state=DeliveryState.DEAD, last_error=exc.diagnostics()
            )
            Delivery.objects.filter(claim=token).update(
                state=DeliveryState.HELD, last_error=exc.diagnostics(), claim="", lease_until=None
            )
            continue
        Delivery.objects.filter(claim=token).update(
            state=DeliveryState.DELIVERED,
            delivered_at=timezone.now(),
            claim="",
            lease_until=None,
            last_error="",
        )
        sent += 1
    return sent
