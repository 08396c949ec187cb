"""Webhook signing secrets sealed at rest.

A webhook's HMAC secret must be readable to sign each delivery, so it cannot be hashed like an API
token; it is encrypted instead (Fernet from ``cryptography``: AES-128-CBC with HMAC-SHA256) with a
key derived from the server's ``SECRET_KEY`` (HKDF-SHA256). A database dump or a PostgreSQL
backup then holds no usable webhook secret; the key lives with the server (``MEDVIGIL_SECRET_KEY``
or the ``secret_key`` file of the data folder), not in the database. ``SECRET_KEY_FALLBACKS``
still open secrets sealed under a previous key, so the key can be rotated as Django's own.

Stored form: ``sealed:v1:<Fernet token>``; ``""`` stays ``""`` (no secret). A value without the
prefix is a secret stored before sealing (the migration ``notifications.0002`` seals those) and
is read as it is.
"""

from __future__ import annotations

import base64
import functools

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings

from medvigil.core.errors import DeliveryError

__all__ = ["PREFIX", "seal", "unseal"]

PREFIX = "sealed:v1:"
_INFO = b"medvigil webhook signing secrets v1"


def _key(secret_key: str) -> bytes:
    derived = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_INFO).derive(secret_key.encode())
    return base64.urlsafe_b64encode(derived)


@functools.lru_cache(maxsize=4)
def _fernet(secret_key: str, fallbacks: tuple[str, ...]) -> MultiFernet:
    return MultiFernet([Fernet(_key(k)) for k in (secret_key, *fallbacks)])


def _current() -> MultiFernet:
    return _fernet(settings.SECRET_KEY, tuple(getattr(settings, "SECRET_KEY_FALLBACKS", ())))


def seal(plain: str) -> str:
    """The stored form of a webhook secret (sealed with the current key)."""
    if not plain:
        return ""
    return PREFIX + _current().encrypt(plain.encode()).decode()


def unseal(stored: str) -> str:
    """The webhook secret of a stored value; a DeliveryError that retrying cannot fix when no key of
    the server opens it."""
    if not stored.startswith(PREFIX):
        return stored  # stored before sealing (or empty)
    try:
        return _current().decrypt(stored[len(PREFIX) :].encode()).decode()
    except InvalidToken:
        raise DeliveryError(
            "the webhook secret cannot be opened with this server's SECRET_KEY or SECRET_KEY_FALLBACKS "
            "(was the key changed? put the old one in MEDVIGIL_SECRET_KEY_FALLBACKS, or rotate the secret)",
            retryable=False,
        ) from None
