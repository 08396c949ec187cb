"""Sending one delivery: e-mail through Django's mail framework, or an HTTP POST (httpx) of a
signed JSON, Slack or Teams body. Failures raise :class:`DeliveryError` (retryable or not)."""

from __future__ import annotations

import functools
import smtplib
import ssl
import time
from collections.abc import Callable

import httpx
from django.conf import settings
from django.core.mail import EmailMessage
from django.utils import timezone

from medvigil import __version__
from medvigil.core.errors import DeliveryError, InputError
from medvigil.core.notify import payload
from medvigil.core.notify.events import Event as CoreEvent
from medvigil.core.notify.signing import SIGNATURE_HEADER, TIMESTAMP_HEADER, signature_header
from medvigil.core.notify.urls import pin_webhook_url
from medvigil.web.notifications import sealing
from medvigil.web.notifications.models import Channel, Delivery, Subscription
from medvigil.web.notifications.selectors import event_core, resolve_host, webhook_networks

__all__ = ["send", "send_digest"]

BODIES: dict[str, Callable[[CoreEvent], bytes]] = {
    Channel.WEBHOOK: payload.webhook_body,
    Channel.SLACK: payload.slack_body,
    Channel.TEAMS: payload.teams_body,
}
GIVE_UP = frozenset({301, 302, 303, 307, 308, 410})
"""Statuses retrying cannot fix: redirects are not followed (SSRF), 410 Gone."""


def signing_secrets(sub: Subscription) -> list[str]:
    """Current secret, plus the previous one while a rotation is under way (unsealed)."""
    out = [sub.secret]
    if sub.previous_secret and sub.previous_until and sub.previous_until > timezone.now():
        out.append(sub.previous_secret)
    return [sealing.unseal(s) for s in out if s]


@functools.cache
def _tls() -> ssl.SSLContext:
    """The TLS context of webhook posts (httpx's default: certifi, or ``SSL_CERT_FILE``), made
    once per process: a new client loading the CA bundle was ~45 ms of each ~55 ms delivery."""
    return httpx.create_ssl_context()


def _mail(sub: Subscription, subject: str, body: str, message_id: str, event_id: str) -> int:
    headers = {"Message-ID": f"<{message_id}@medvigil>", "X-Medvigil-Event": event_id}
    message = EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, [sub.target], headers=headers)
    try:
        return int(message.send())
    except (smtplib.SMTPException, OSError) as exc:
        raise DeliveryError(f"mail not sent: {type(exc).__name__}: {exc}") from None


def _post(d: Delivery, event: CoreEvent) -> int:
    sub = d.subscription
    try:  # checked again now (a DNS answer can change), and posted to the address checked
        target = pin_webhook_url(sub.target, allowed=webhook_networks(), resolve=resolve_host)
    except InputError as exc:
        raise DeliveryError(exc.message, retryable=exc.message.startswith("cannot resolve")) from None
    body = BODIES[sub.channel](event)
    stamp = int(time.time())
    headers = {
        "Host": target.host,
        "Content-Type": "application/json",
        "User-Agent": f"medvigil/{__version__}",
        "Idempotency-Key": event.id,
        "X-Medvigil-Event": event.id,
        "X-Medvigil-Event-Kind": event.kind.value,
        "X-Medvigil-Delivery": str(d.pk),
        "X-Medvigil-Attempt": str(d.attempts),
        TIMESTAMP_HEADER: str(stamp),
    }
    keys = signing_secrets(sub)
    if keys:
        headers[SIGNATURE_HEADER] = signature_header(keys, stamp, body)
    try:
        with httpx.Client(timeout=settings.NOTIFY_TIMEOUT, follow_redirects=False, verify=_tls()) as client:
            extensions = {"sni_hostname": target.sni_hostname} if target.sni_hostname else None
            response = client.post(target.url, content=body, headers=headers, extensions=extensions)
    except httpx.HTTPError as exc:
        raise DeliveryError(f"{type(exc).__name__}: {exc}"[:500]) from None
    status = response.status_code
    if 200 <= status < 300:
        return status
    raise DeliveryError(f"HTTP {status} from the receiver", status=status, retryable=status not in GIVE_UP)


def send(d: Delivery) -> int | None:
    """Send one delivery; returns the HTTP status (None for e-mail)."""
    event = event_core(d.event)
    if d.subscription.channel == Channel.EMAIL:
        subject, body = payload.email_text(event)
        _mail(d.subscription, subject, body, f"{event.id}.{d.subscription_id}", event.id)
        return None
    return _post(d, event)


def send_digest(sub: Subscription, deliveries: list[Delivery]) -> None:
    """One e-mail with every held event of the subscription."""
    events = [event_core(d.event) for d in deliveries]
    subject, body = payload.digest_text(events)
    first = min(d.pk for d in deliveries)
    _mail(sub, subject, body, f"digest.{sub.pk}.{first}.{len(deliveries)}", events[0].id)
