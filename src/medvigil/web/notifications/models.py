"""The outbox (``Event``), who wants what (``Subscription``) and each attempt to tell them (``Delivery``).

An event row is written in the same transaction as the change that caused it, so a change that
rolls back notifies nobody and a committed one is never lost. A dispatcher fans each event out to
one ``Delivery`` per matching subscription (unique per pair, so fanning out twice is harmless); a
delivery is claimed by one worker at a time with a lease and retried with backoff until it is
delivered or dead.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models

from medvigil.core.notify.events import SUBSCRIBABLE, EventKind
from medvigil.web.inventory.models import Product

KIND_CHOICES = [(k.value, k.label) for k in EventKind]


class Event(models.Model):
    """One outbox row: something happened that people may want to hear about."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    """The idempotency key of every delivery of this event."""
    kind = models.CharField(max_length=40, choices=KIND_CHOICES)
    title = models.CharField(max_length=300)
    product = models.ForeignKey(Product, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    product_slug = models.CharField(max_length=100, blank=True)
    product_name = models.CharField(max_length=200, blank=True)
    risk = models.CharField(max_length=20, blank=True)
    """``uncontrolled``, ``controlled`` or ''."""
    path = models.CharField(max_length=300, blank=True)
    """The page in medvigil (joined to the public URL in messages)."""
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    dispatched = models.BooleanField(default=False)
    """True once its deliveries exist."""

    class Meta:
        ordering = ["-id"]
        indexes = [models.Index(fields=["dispatched", "id"], name="notify_event_dispatch")]

    def __str__(self) -> str:
        return f"{self.kind}: {self.title}"


class Channel(models.TextChoices):
    """How a subscription is told."""

    EMAIL = "email", "E-mail"
    WEBHOOK = "webhook", "Webhook (signed JSON)"
    SLACK = "slack", "Slack-compatible"
    TEAMS = "teams", "Microsoft Teams"


class Subscription(models.Model):
    """Who wants which events, and where: an e-mail to its owner, or a URL (admins only)."""

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(max_length=100)
    channel = models.CharField(max_length=10, choices=Channel.choices)
    target = models.CharField(max_length=1000)
    """The e-mail address (the owner's own) or the webhook URL."""
    secret = models.CharField(max_length=512, blank=True)
    """Current HMAC secret of a webhook, sealed (:mod:`~medvigil.web.notifications.sealing`; never
    logged or shown again after creation)."""
    previous_secret = models.CharField(max_length=512, blank=True)
    """The secret before the last rotation (sealed), still signed with until ``previous_until``."""
    previous_until = models.DateTimeField(null=True, blank=True)
    kinds = models.JSONField(default=list, blank=True)
    """Event kinds wanted (empty: all)."""
    products = models.ManyToManyField(Product, blank=True, related_name="+")
    """Products wanted (none: all)."""
    uncontrolled_only = models.BooleanField(default=False)
    digest = models.BooleanField(default=False)
    """E-mail only: collect events into one message a day instead of one per event."""
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["owner_id", "name", "id"]

    def __str__(self) -> str:
        return f"{self.name} ({self.channel})"

    @property
    def kind_labels(self) -> list[str]:
        """Labels of the chosen kinds ('all' when none)."""
        wanted = [k for k in SUBSCRIBABLE if k.value in self.kinds]
        return [k.label for k in wanted] or ["all events"]


class DeliveryState(models.TextChoices):
    """Where one delivery stands."""

    PENDING = "pending"
    """Waiting for its next attempt (``next_attempt_at``)."""
    SENDING = "sending"
    """Claimed by a worker until ``lease_until``; an expired lease means the worker died."""
    HELD = "held"
    """Waiting for the subscription's daily digest."""
    DELIVERED = "delivered"
    DEAD = "dead"
    """Every attempt failed (or retrying cannot help): the dead letter an admin may retry."""


class Delivery(models.Model):
    """One event to one subscription."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="deliveries")
    subscription = models.ForeignKey(Subscription, on_delete=models.CASCADE, related_name="deliveries")
    state = models.CharField(max_length=10, choices=DeliveryState.choices, default=DeliveryState.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField()
    lease_until = models.DateTimeField(null=True, blank=True)
    claim = models.CharField(max_length=64, blank=True)
    """Token of the worker holding the lease."""
    last_status = models.PositiveIntegerField(null=True, blank=True)
    """HTTP status of the last attempt (None: no response or not HTTP)."""
    last_error = models.TextField(blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(fields=["event", "subscription"], name="uniq_delivery_event_subscription")
        ]
        indexes = [models.Index(fields=["state", "next_attempt_at"], name="notify_delivery_due")]

    def __str__(self) -> str:
        return f"delivery {self.pk} ({self.state})"
