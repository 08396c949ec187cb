"""Settings of notifications: delivery, retries, webhooks and digests (star-imported by ``settings``)."""

from __future__ import annotations

from django.core.exceptions import ImproperlyConfigured

from medvigil.core.errors import InputError
from medvigil.core.notify.urls import IpNetwork, parse_networks
from medvigil.web.config.env import env_int, env_list, env_str

NOTIFY_TIMEOUT = env_int("MEDVIGIL_NOTIFY_TIMEOUT", 10, minimum=1)
"""Seconds for connecting to and hearing back from a webhook (httpx timeout)."""
NOTIFY_LEASE_SECONDS = env_int("MEDVIGIL_NOTIFY_LEASE_SECONDS", 120, minimum=1)
"""How long a worker's claim on a delivery lasts; a killed worker's claim expires after it."""
NOTIFY_MAX_ATTEMPTS = env_int("MEDVIGIL_NOTIFY_MAX_ATTEMPTS", 8, minimum=1)
NOTIFY_RETRY_BASE_SECONDS = env_int("MEDVIGIL_NOTIFY_RETRY_BASE_SECONDS", 30, minimum=1)
NOTIFY_RETRY_MAX_SECONDS = env_int("MEDVIGIL_NOTIFY_RETRY_MAX_SECONDS", 3600, minimum=1)
NOTIFY_EPSS_JUMP = env_int("MEDVIGIL_NOTIFY_EPSS_JUMP", 10, minimum=1) / 100
"""An EPSS rise of at least this many percentage points (of probability) is an ``intel.epss`` event."""
NOTIFY_DIGEST_HOUR = env_int("MEDVIGIL_NOTIFY_DIGEST_HOUR", 7, minimum=0)
if NOTIFY_DIGEST_HOUR > 23:
    raise ImproperlyConfigured(f"MEDVIGIL_NOTIFY_DIGEST_HOUR={NOTIFY_DIGEST_HOUR}: use an hour 0-23 (UTC)")
NOTIFY_RETENTION_DAYS = env_int("MEDVIGIL_NOTIFY_RETENTION_DAYS", 90, minimum=1)
"""Events whose deliveries all arrived are deleted this many days after they happened (dead letters stay)."""
NOTIFY_PUBLIC_URL = env_str("MEDVIGIL_PUBLIC_URL", "").rstrip("/")
"""Origin for links in notifications (the same variable as the CVD portal's)."""


def _networks() -> tuple[IpNetwork, ...]:
    try:
        return parse_networks(env_list("MEDVIGIL_WEBHOOK_ALLOWED_NETWORKS", []))
    except InputError as exc:
        raise ImproperlyConfigured(f"MEDVIGIL_WEBHOOK_ALLOWED_NETWORKS: {exc.message}") from None


WEBHOOK_ALLOWED_NETWORKS = _networks()
"""Networks webhooks may reach although they are loopback/private (empty: public addresses only)."""
