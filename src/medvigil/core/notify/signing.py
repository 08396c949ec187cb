"""HMAC-SHA256 webhook signatures and the verification helper receivers use.

A delivery carries ``X-Medvigil-Timestamp: <unix seconds>`` and
``X-Medvigil-Signature: v1=<hex>[,v1=<hex>]``, where each ``<hex>`` is
``HMAC-SHA256(secret, f"{timestamp}.".encode() + body)`` for one valid secret (two during a
secret rotation). :func:`verify_webhook` is the documented check: constant-time comparison,
any of the receiver's secrets, and a replay window around the receiver's clock.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable, Mapping

from medvigil.core.errors import WebhookVerificationError

__all__ = [
    "DEFAULT_WINDOW",
    "SIGNATURE_HEADER",
    "TIMESTAMP_HEADER",
    "sign",
    "signature_header",
    "verify_webhook",
]

TIMESTAMP_HEADER = "X-Medvigil-Timestamp"
SIGNATURE_HEADER = "X-Medvigil-Signature"
SCHEME = "v1"
DEFAULT_WINDOW = 300
"""Seconds a signed request stays acceptable either side of the receiver's clock."""

Secret = str | bytes


def _key(secret: Secret) -> bytes:
    key = secret.encode("utf-8") if isinstance(secret, str) else secret
    if not key:
        raise WebhookVerificationError("an empty secret cannot sign or verify")
    return key


def sign(secret: Secret, timestamp: int, body: bytes) -> str:
    """The hex HMAC-SHA256 of ``f"{timestamp}."`` + ``body`` under ``secret``."""
    message = f"{int(timestamp)}.".encode("ascii") + body
    return hmac.new(_key(secret), message, hashlib.sha256).hexdigest()


def signature_header(secrets: Iterable[Secret], timestamp: int, body: bytes) -> str:
    """``v1=<hex>`` for each secret, comma-separated (the first is the current secret)."""
    parts = [f"{SCHEME}={sign(s, timestamp, body)}" for s in secrets]
    if not parts:
        raise WebhookVerificationError("no secret to sign with")
    return ",".join(parts)


def _header(headers: Mapping[str, str], name: str) -> str:
    wanted = name.lower()
    for key, value in headers.items():
        if key.lower() == wanted:
            return value
    raise WebhookVerificationError(f"missing header {name}")


def _signatures(value: str) -> list[str]:
    found = []
    for part in value.split(","):
        scheme, sep, digest = part.strip().partition("=")
        if sep and scheme == SCHEME and digest:
            found.append(digest.strip().lower())
    if not found:
        raise WebhookVerificationError(f"{SIGNATURE_HEADER} has no {SCHEME}= signature")
    return found


def verify_webhook(
    secrets: Secret | Iterable[Secret],
    headers: Mapping[str, str],
    body: bytes,
    *,
    now: float,
    window: int = DEFAULT_WINDOW,
) -> int:
    """Check a received webhook; return its timestamp, or raise :class:`WebhookVerificationError`.

    ``secrets`` is the receiver's secret, or several (old and new during a rotation): the request
    is genuine when any ``v1`` signature in the header matches any of them. ``headers`` are the
    request headers (names in any case), ``body`` the raw bytes as received (before any JSON
    parsing), ``now`` the receiver's clock in Unix seconds. A timestamp more than ``window``
    seconds from ``now`` (either way) is refused, so a captured request cannot be replayed later;
    drop repeated ``Idempotency-Key`` values to refuse replays inside the window too.
    """
    keys = [_key(s) for s in ([secrets] if isinstance(secrets, str | bytes) else list(secrets))]
    if not keys:
        raise WebhookVerificationError("no secret to verify with")
    raw = _header(headers, TIMESTAMP_HEADER).strip()
    if not raw.isdigit() or len(raw) > 12:
        raise WebhookVerificationError(f"{TIMESTAMP_HEADER} is not a Unix time in seconds")
    timestamp = int(raw)
    if abs(now - timestamp) > window:
        raise WebhookVerificationError(
            f"{TIMESTAMP_HEADER} is {int(now - timestamp)} s from now, outside the {window} s replay window"
        )
    offered = _signatures(_header(headers, SIGNATURE_HEADER))
    message = f"{timestamp}.".encode("ascii") + body
    for key in keys:
        expected = hmac.new(key, message, hashlib.sha256).hexdigest()
        if any(hmac.compare_digest(expected, digest) for digest in offered):
            return timestamp
    raise WebhookVerificationError("no signature matches the body under any of the secrets")
