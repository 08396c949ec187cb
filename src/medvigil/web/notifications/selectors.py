"""Reads of notifications: the core value of an event, subscriptions and deliveries people may see."""

from __future__ import annotations

import datetime as dt
import socket
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.db.models import Count, QuerySet

from medvigil.core.notify.events import Event as CoreEvent
from medvigil.core.notify.events import EventKind
from medvigil.core.notify.urls import IpNetwork
from medvigil.web.accounts.roles import Role, role_of
from medvigil.web.notifications.models import Delivery, DeliveryState, Event, Subscription

__all__ = [
    "deliveries_list",
    "delivery_counts",
    "delivery_dict",
    "event_core",
    "resolve_host",
    "subscription_dict",
    "subscriptions_list",
    "webhook_networks",
]


def webhook_networks() -> tuple[IpNetwork, ...]:
    """Networks webhooks may reach although not public (``MEDVIGIL_WEBHOOK_ALLOWED_NETWORKS``)."""
    return tuple(settings.WEBHOOK_ALLOWED_NETWORKS)


def resolve_host(host: str, port: int) -> Iterable[str]:
    """Every address of ``host`` (DNS)."""
    return sorted({str(info[4][0]) for info in socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)})


def event_core(row: Event) -> CoreEvent:
    """The core value of an outbox row (what channels render)."""
    base = settings.NOTIFY_PUBLIC_URL
    return CoreEvent(
        id=str(row.uuid),
        kind=EventKind(row.kind),
        occurred_at=row.created_at.astimezone(dt.UTC),
        title=row.title,
        product=row.product_slug,
        product_name=row.product_name,
        risk=row.risk,
        url=f"{base}{row.path}" if base and row.path else "",
        data=row.data,
    )


def subscriptions_list(*, user: Any) -> QuerySet[Subscription]:
    """Admins see every subscription; others their own."""
    rows = Subscription.objects.select_related("owner").prefetch_related("products")
    if role_of(user) >= Role.ADMIN:
        return rows.order_by("channel", "name", "id")
    return rows.filter(owner=user).order_by("name", "id")


def deliveries_list(*, state: str = "", subscription: int | None = None) -> QuerySet[Delivery]:
    """Deliveries newest first (admins), by state and subscription."""
    rows = Delivery.objects.select_related("event", "subscription")
    if state:
        rows = rows.filter(state=state)
    if subscription is not None:
        rows = rows.filter(subscription_id=subscription)
    return rows.order_by("-id")


def delivery_counts() -> dict[str, int]:
    """Deliveries per state (every state named)."""
    counts = {s.value: 0 for s in DeliveryState}
    for row in Delivery.objects.values("state").annotate(n=Count("id")):
        counts[row["state"]] = row["n"]
    return counts


def subscription_dict(sub: Subscription) -> dict[str, Any]:
    """JSON form (never the secrets)."""
    return {
        "id": sub.pk,
        "name": sub.name,
        "owner": sub.owner.get_username(),
        "channel": sub.channel,
        "target": sub.target,
        "kinds": list(sub.kinds),
        "products": sorted(p.slug for p in sub.products.all()),
        "uncontrolled_only": sub.uncontrolled_only,
        "digest": sub.digest,
        "active": sub.active,
        "rotating": bool(sub.previous_secret),
        "created_at": sub.created_at,
    }


def delivery_dict(d: Delivery) -> dict[str, Any]:
    """JSON form of a delivery with its event."""
    return {
        "id": d.pk,
        "state": d.state,
        "attempts": d.attempts,
        "next_attempt_at": d.next_attempt_at,
        "delivered_at": d.delivered_at,
        "last_status": d.last_status,
        "last_error": d.last_error,
        "subscription": {
            "id": d.subscription_id,
            "name": d.subscription.name,
            "channel": d.subscription.channel,
        },
        "event": {"id": str(d.event.uuid), "kind": d.event.kind, "title": d.event.title},
    }
