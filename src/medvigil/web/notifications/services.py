"""Writes of notifications: the outbox (:func:`outbox_emit`), fan-out, subscriptions, retries.

``outbox_emit`` is called by the services of other apps inside the transaction of the change it
reports, so the event commits or rolls back with it. After commit a huey job fans new events out
(:func:`events_dispatch`) into one ``Delivery`` per matching subscription; delivery itself is in
``delivery.py``.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from medvigil.core.errors import InputError, NotFoundError
from medvigil.core.notify.events import SUBSCRIBABLE, EventFilter, EventKind
from medvigil.core.notify.urls import check_webhook_url
from medvigil.web import bulk
from medvigil.web.accounts.roles import Role, role_of
from medvigil.web.inventory.models import Product
from medvigil.web.notifications import sealing
from medvigil.web.notifications.models import Channel, Delivery, DeliveryState, Event, Subscription
from medvigil.web.notifications.selectors import event_core, resolve_host, webhook_networks

__all__ = [
    "ROTATION_HOURS",
    "deliveries_retry",
    "events_dispatch",
    "events_prune",
    "outbox_emit",
    "subscription_create",
    "subscription_delete",
    "subscription_rotate_secret",
    "subscription_test",
]

ROTATION_HOURS = 24
"""After a secret rotation deliveries are signed with the old secret too for this long."""


def _enqueue_dispatch() -> None:
    from medvigil.web.notifications import tasks

    tasks.dispatch_task()


def outbox_emit(
    *,
    kind: EventKind,
    title: str,
    product: Product | None = None,
    risk: str = "",
    path: str = "",
    data: Mapping[str, Any] | None = None,
) -> Event:
    """Write one event to the outbox in the caller's transaction; fan-out runs after commit."""
    with transaction.atomic():
        event = Event.objects.create(
            kind=kind.value,
            title=title[:300],
            product=product,
            product_slug=product.slug if product else "",
            product_name=product.name[:200] if product else "",
            risk=risk,
            path=path[:300],
            data=dict(data or {}),
        )
        transaction.on_commit(_enqueue_dispatch, robust=True)  # the pump catches up if queueing fails
    return event


def subscription_filter(sub: Subscription, slugs: Iterable[str] | None = None) -> EventFilter:
    """The core filter of a subscription (``slugs``: its product slugs, when already loaded)."""
    chosen = slugs if slugs is not None else sub.products.values_list("slug", flat=True)
    return EventFilter(
        kinds=frozenset(EventKind(k) for k in sub.kinds),
        products=frozenset(chosen),
        uncontrolled_only=sub.uncontrolled_only,
    )


def _enqueue_deliveries(ids: Sequence[int]) -> None:
    from medvigil.web.notifications import tasks

    for pk in ids:
        tasks.delivery_task(pk)


_HELD, _PENDING = DeliveryState.HELD.value, DeliveryState.PENDING.value
_DELIVERY_FIELDS = (
    "event", "subscription", "state", "attempts", "next_attempt_at", "claim", "last_error", "created_at",
)  # fmt: skip


def events_dispatch(*, limit: int = 200) -> int:
    """Fan undispatched events out to the active subscriptions whose filters match; returns the
    number of events handled. Safe to run concurrently (a pair gets one delivery)."""
    handled = 0
    while True:
        with transaction.atomic():
            pending = Event.objects.filter(dispatched=False).order_by("id")
            if connection.vendor == "postgresql":
                pending = pending.select_for_update(skip_locked=True)
            batch = list(pending[:limit])
            if not batch:
                return handled
            subs = list(Subscription.objects.filter(active=True).prefetch_related("products"))
            filters = [(s, subscription_filter(s, [p.slug for p in s.products.all()])) for s in subs]
            when = bulk.when(timezone.now())  # set-based: bulk_create prepared every field of every row
            rows: list[tuple[Any, ...]] = []
            for e in batch:
                if e.kind == EventKind.TEST:
                    continue
                core = event_core(e)
                rows.extend(
                    (
                        e.pk,
                        s.pk,
                        _HELD if s.digest else _PENDING,
                        0,
                        when,
                        "",
                        "",
                        when,
                    )
                    for s, f in filters
                    if f.matches(core)
                )
            # a pair already delivered to (another dispatcher) is skipped: one delivery per pair
            bulk.insert_rows(Delivery, _DELIVERY_FIELDS, rows, skip_existing=True)
            Event.objects.filter(pk__in=[e.pk for e in batch]).update(dispatched=True)
            ids = list(
                Delivery.objects.filter(event__in=batch, state=DeliveryState.PENDING, attempts=0).values_list(
                    "pk", flat=True
                )
            )
            transaction.on_commit(lambda ids=ids: _enqueue_deliveries(ids), robust=True)  # type: ignore[misc]
        handled += len(batch)


# --- subscriptions ---------------------------------------------------------------------------


def _need_role(user: Any) -> Role:
    role = role_of(user)
    if role < Role.VIEWER:
        raise InputError("this account has no role", field="user")
    return role


def may_manage(user: Any, sub: Subscription) -> bool:
    """Admins manage every subscription; others only their own e-mail subscriptions."""
    role = role_of(user)
    if role >= Role.ADMIN:
        return True
    return role >= Role.VIEWER and sub.owner_id == user.pk and sub.channel == Channel.EMAIL


def _kinds(kinds: Iterable[str]) -> list[str]:
    allowed = {k.value for k in SUBSCRIBABLE}
    chosen = sorted({str(k) for k in kinds})
    unknown = [k for k in chosen if k not in allowed]
    if unknown:
        raise InputError(
            f"unknown event kind {unknown[0]!r}; use {', '.join(sorted(allowed))}", field="kinds"
        )
    return chosen


def _products(slugs: Iterable[str]) -> list[Product]:
    wanted = sorted({s for s in slugs if s})
    found = list(Product.objects.filter(slug__in=wanted))
    missing = sorted(set(wanted) - {p.slug for p in found})
    if missing:
        raise InputError(f"no product {missing[0]!r}", field="products")
    return found


def _target(user: Any, channel: Channel, target: str) -> str:
    if channel == Channel.EMAIL:
        if not user.email:
            raise InputError("your account has no e-mail address; ask an admin to add one", field="target")
        return str(user.email)
    if role_of(user) < Role.ADMIN:
        raise InputError("only admins manage webhook, Slack and Teams subscriptions", field="channel")
    return check_webhook_url(target, allowed=webhook_networks(), resolve=resolve_host)


def subscription_create(
    *,
    user: Any,
    name: str,
    channel: str,
    target: str = "",
    kinds: Iterable[str] = (),
    products: Iterable[str] = (),
    uncontrolled_only: bool = False,
    digest: bool = False,
) -> tuple[Subscription, str]:
    """Create a subscription; returns it with its webhook secret (shown once; '' for e-mail).

    E-mail goes to the user's own address (any role); URL channels are for admins.
    """
    _need_role(user)
    if channel not in Channel.values:
        raise InputError(f"channel must be one of {', '.join(Channel.values)}", field="channel")
    kind = Channel(channel)
    if not name.strip():
        raise InputError("is required", field="name")
    if digest and kind != Channel.EMAIL:
        raise InputError("a digest is only for e-mail subscriptions", field="digest")
    chosen_kinds, chosen_products = _kinds(kinds), _products(products)
    address = _target(user, kind, target)
    secret = "" if kind == Channel.EMAIL else secrets.token_urlsafe(32)
    with transaction.atomic():
        sub = Subscription.objects.create(
            owner=user,
            name=name.strip()[:100],
            channel=kind.value,
            target=address[:1000],
            secret=sealing.seal(secret),
            kinds=chosen_kinds,
            uncontrolled_only=uncontrolled_only,
            digest=digest,
        )
        sub.products.set(chosen_products)
    return sub, secret


def _managed(user: Any, sub: Subscription) -> None:
    """``user`` None is the server operator (the CLI, which holds the database credentials)."""
    if user is not None and not may_manage(user, sub):
        raise NotFoundError(f"no subscription {sub.pk}")


def subscription_delete(*, user: Any, subscription: Subscription) -> None:
    """Delete a subscription (and its deliveries)."""
    _managed(user, subscription)
    subscription.delete()


def subscription_rotate_secret(*, user: Any, subscription: Subscription) -> str:
    """New webhook secret (returned once); the old one keeps signing for ``ROTATION_HOURS``."""
    _managed(user, subscription)
    if subscription.channel == Channel.EMAIL:
        raise InputError("e-mail subscriptions have no secret", field="channel")
    new = secrets.token_urlsafe(32)
    subscription.previous_secret = subscription.secret  # sealed as it is
    subscription.previous_until = timezone.now() + dt.timedelta(hours=ROTATION_HOURS)
    subscription.secret = sealing.seal(new)
    subscription.save(update_fields=["secret", "previous_secret", "previous_until"])
    return new


def subscription_test(*, user: Any, subscription: Subscription) -> Delivery:
    """Send a test event to this one subscription now; returns the delivery after the attempt."""
    from medvigil.web.notifications.delivery import delivery_attempt

    _managed(user, subscription)
    with transaction.atomic():
        event = Event.objects.create(
            kind=EventKind.TEST.value,
            title=f"Test notification for {subscription.name}",
            data={"requested_by": "cli" if user is None else user.get_username()},
            dispatched=True,
        )
        delivery = Delivery.objects.create(
            event=event, subscription=subscription, next_attempt_at=timezone.now()
        )
    delivery_attempt(delivery_id=delivery.pk, immediate=True)
    delivery.refresh_from_db()
    return delivery


def deliveries_retry(*, user: Any, ids: Sequence[int] = (), dead: bool = False) -> int:
    """Admins (or the CLI, ``user`` None): queue dead or pending deliveries again now; returns how many."""
    if user is not None and role_of(user) < Role.ADMIN:
        raise InputError("only admins retry deliveries", field="user")
    rows = Delivery.objects.filter(state__in=[DeliveryState.DEAD, DeliveryState.PENDING])
    if ids:
        rows = rows.filter(pk__in=list(ids))
        if rows.count() != len(set(ids)):
            known = set(rows.values_list("pk", flat=True))
            raise InputError(f"no dead or pending delivery {min(set(ids) - known)}", field="ids")
    elif not dead:
        raise InputError("name deliveries or choose every dead one", field="ids")
    else:
        rows = rows.filter(state=DeliveryState.DEAD)
    with transaction.atomic():
        pks = list(rows.values_list("pk", flat=True))
        Delivery.objects.filter(pk__in=pks).update(
            state=DeliveryState.PENDING, attempts=0, next_attempt_at=timezone.now(), last_error=""
        )
        transaction.on_commit(lambda: _enqueue_deliveries(pks))
    return len(pks)


def events_prune(*, now: dt.datetime | None = None, days: int) -> int:
    """Delete dispatched events older than ``days`` whose every delivery was delivered (with those
    deliveries); events with a pending, held or dead delivery stay. Returns events deleted."""
    cutoff = (now or timezone.now()) - dt.timedelta(days=days)
    unfinished = Delivery.objects.exclude(state=DeliveryState.DELIVERED).values("event_id")
    old = Event.objects.filter(dispatched=True, created_at__lt=cutoff).exclude(pk__in=unfinished)
    _, per_model = old.delete()
    return per_model.get(Event._meta.label, 0)
