"""Notifications, the pure part: event kinds and filters, payloads, HMAC signing and its
verification helper, the retry schedule and the webhook URL policy.

The web layer (``medvigil.web.notifications``) stores events in an outbox, fans them out to
subscriptions and delivers them; everything here is plain Python over values it is given.
"""

from __future__ import annotations

from medvigil.core.notify.events import Event, EventFilter, EventKind
from medvigil.core.notify.retry import RetryPolicy
from medvigil.core.notify.signing import (
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    sign,
    signature_header,
    verify_webhook,
)

__all__ = [
    "SIGNATURE_HEADER",
    "TIMESTAMP_HEADER",
    "Event",
    "EventFilter",
    "EventKind",
    "RetryPolicy",
    "sign",
    "signature_header",
    "verify_webhook",
]
