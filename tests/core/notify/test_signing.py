"""The documented verification helper accepts what medvigil signs and rejects everything else."""

from __future__ import annotations

import hashlib
import hmac

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from medvigil.core.errors import WebhookVerificationError
from medvigil.core.notify.signing import (
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    sign,
    signature_header,
    verify_webhook,
)

NOW = 1_780_000_000
SECRET = "whsec-current"


def _headers(secrets: list[str], body: bytes, stamp: int = NOW) -> dict[str, str]:
    return {TIMESTAMP_HEADER: str(stamp), SIGNATURE_HEADER: signature_header(secrets, stamp, body)}


def test_the_signature_is_hmac_sha256_of_timestamp_dot_body() -> None:
    body = b'{"a":1}'
    expected = hmac.new(SECRET.encode(), f"{NOW}.".encode() + body, hashlib.sha256).hexdigest()
    assert sign(SECRET, NOW, body) == expected
    assert signature_header([SECRET], NOW, body) == f"v1={expected}"


def test_a_genuine_request_verifies_and_returns_its_timestamp() -> None:
    body = b'{"event":"x"}'
    assert verify_webhook(SECRET, _headers([SECRET], body), body, now=NOW + 10) == NOW


def test_header_names_are_case_insensitive() -> None:
    body = b"{}"
    headers = {k.lower(): v for k, v in _headers([SECRET], body).items()}
    assert verify_webhook([SECRET], headers, body, now=NOW) == NOW


def test_wrong_secret_is_rejected() -> None:
    body = b'{"event":"x"}'
    with pytest.raises(WebhookVerificationError, match="no signature matches"):
        verify_webhook("another-secret", _headers([SECRET], body), body, now=NOW)


def test_a_changed_body_is_rejected() -> None:
    body = b'{"amount":1}'
    with pytest.raises(WebhookVerificationError, match="no signature matches"):
        verify_webhook(SECRET, _headers([SECRET], body), b'{"amount":2}', now=NOW)


def test_a_tampered_signature_is_rejected() -> None:
    body = b"{}"
    headers = _headers([SECRET], body)
    digest = headers[SIGNATURE_HEADER].removeprefix("v1=")
    headers[SIGNATURE_HEADER] = "v1=" + ("0" if digest[0] != "0" else "1") + digest[1:]
    with pytest.raises(WebhookVerificationError):
        verify_webhook(SECRET, headers, body, now=NOW)


def test_a_changed_timestamp_breaks_the_signature() -> None:
    body = b"{}"
    headers = _headers([SECRET], body)
    headers[TIMESTAMP_HEADER] = str(NOW + 1)
    with pytest.raises(WebhookVerificationError, match="no signature matches"):
        verify_webhook(SECRET, headers, body, now=NOW)


@pytest.mark.parametrize("offset", [301, -301, 86_400])
def test_outside_the_replay_window_is_rejected(offset: int) -> None:
    body = b"{}"
    with pytest.raises(WebhookVerificationError, match="replay window"):
        verify_webhook(SECRET, _headers([SECRET], body), body, now=NOW + offset)


def test_the_edge_of_the_window_is_accepted_and_the_window_is_configurable() -> None:
    body = b"{}"
    assert verify_webhook(SECRET, _headers([SECRET], body), body, now=NOW + 300) == NOW
    with pytest.raises(WebhookVerificationError, match="60 s replay window"):
        verify_webhook(SECRET, _headers([SECRET], body), body, now=NOW + 61, window=60)


@pytest.mark.parametrize(
    ("headers", "reason"),
    [
        ({}, "missing header X-Medvigil-Timestamp"),
        ({TIMESTAMP_HEADER: str(NOW)}, "missing header X-Medvigil-Signature"),
        ({TIMESTAMP_HEADER: "yesterday", SIGNATURE_HEADER: "v1=00"}, "not a Unix time"),
        ({TIMESTAMP_HEADER: "-5", SIGNATURE_HEADER: "v1=00"}, "not a Unix time"),
        ({TIMESTAMP_HEADER: str(NOW), SIGNATURE_HEADER: "v0=abc"}, "no v1= signature"),
        ({TIMESTAMP_HEADER: str(NOW), SIGNATURE_HEADER: ""}, "no v1= signature"),
    ],
)
def test_missing_or_malformed_headers_are_rejected(headers: dict[str, str], reason: str) -> None:
    with pytest.raises(WebhookVerificationError, match=reason):
        verify_webhook(SECRET, headers, b"{}", now=NOW)


def test_during_rotation_either_secret_verifies() -> None:
    body = b'{"rotating":true}'
    both = _headers(["new-secret", "old-secret"], body)
    assert verify_webhook("old-secret", both, body, now=NOW) == NOW  # receiver not updated yet
    assert verify_webhook("new-secret", both, body, now=NOW) == NOW  # receiver updated
    only_new = _headers(["new-secret"], body)
    assert verify_webhook(["old-secret", "new-secret"], only_new, body, now=NOW) == NOW
    with pytest.raises(WebhookVerificationError):
        verify_webhook(["old-secret"], only_new, body, now=NOW)


def test_no_or_empty_secret_cannot_verify() -> None:
    body = b"{}"
    with pytest.raises(WebhookVerificationError, match="no secret"):
        verify_webhook([], _headers([SECRET], body), body, now=NOW)
    with pytest.raises(WebhookVerificationError, match="empty secret"):
        verify_webhook("", _headers([SECRET], body), body, now=NOW)
    with pytest.raises(WebhookVerificationError, match="no secret"):
        signature_header([], NOW, body)


@settings(max_examples=200, deadline=None)
@given(
    body=st.binary(max_size=4096) | st.text(max_size=2000).map(lambda t: t.encode("utf-8")),
    secret=st.text(min_size=1, max_size=64),
    stamp=st.integers(min_value=0, max_value=10**11),
    skew=st.integers(min_value=-300, max_value=300),
)
def test_generated_bodies_and_secrets_round_trip(body: bytes, secret: str, stamp: int, skew: int) -> None:
    headers = _headers([secret], body, stamp)
    assert verify_webhook(secret, headers, body, now=stamp + skew) == stamp


@settings(max_examples=100, deadline=None)
@given(body=st.binary(min_size=1, max_size=2048), flip=st.integers(min_value=0, max_value=2047))
def test_generated_one_byte_changes_are_rejected(body: bytes, flip: int) -> None:
    headers = _headers([SECRET], body)
    i = flip % len(body)
    changed = body[:i] + bytes([body[i] ^ 0x01]) + body[i + 1 :]
    with pytest.raises(WebhookVerificationError):
        verify_webhook(SECRET, headers, changed, now=NOW)


def test_a_large_unicode_payload_round_trips() -> None:
    body = ("Überwachung 监控 🩺 " * 200_000).encode("utf-8")  # about 5 MB
    assert len(body) > 4_000_000
    assert verify_webhook(SECRET, _headers([SECRET], body), body, now=NOW) == NOW
    with pytest.raises(WebhookVerificationError):
        verify_webhook(SECRET, _headers([SECRET], body), body[:-1], now=NOW)
