"""Webhook secrets are sealed at rest: the database holds no usable secret, deliveries still sign
with it, a changed key is named, fallback keys open old ones, and the migration seals (and
unseals) the secrets stored before in clear."""

from __future__ import annotations

from typing import Any

import pytest
from django.apps import apps
from django.db import connection
from django.utils import timezone

from medvigil.core.errors import DeliveryError
from medvigil.core.notify.signing import verify_webhook
from medvigil.web.notifications import sealing, services
from medvigil.web.notifications.models import Delivery, DeliveryState, Subscription
from tests.web.notifications.receiver import Receiver
from tests.web.notifications.test_delivery import _emit, _webhook

_MIGRATION = __import__("medvigil.web.notifications.migrations.0002_sealed_secrets", fromlist=["seal_stored"])


def _raw(sub: Subscription) -> tuple[str, str]:
    with connection.cursor() as cursor:
        table = Subscription._meta.db_table
        cursor.execute(f"SELECT secret, previous_secret FROM {table} WHERE id = %s", [sub.pk])  # noqa: S608
        secret, previous = cursor.fetchone()
    return secret, previous


def test_the_database_holds_sealed_secrets_and_deliveries_sign_with_them(
    admin: Any, receiver: Receiver, django_capture_on_commit_callbacks: Any
) -> None:
    sub, secret = _webhook(admin, receiver)
    stored, _ = _raw(sub)
    assert stored.startswith(sealing.PREFIX) and secret not in stored
    new = services.subscription_rotate_secret(user=admin, subscription=sub)
    stored, previous = _raw(sub)
    assert stored.startswith(sealing.PREFIX) and previous.startswith(sealing.PREFIX)
    assert new not in stored and secret not in previous
    _emit(django_capture_on_commit_callbacks)
    got = receiver.requests[-1]
    now = timezone.now().timestamp()
    assert verify_webhook(new, got.headers, got.body, now=now)
    assert verify_webhook(secret, got.headers, got.body, now=now)  # the rotation window


def test_a_changed_key_is_named_and_a_fallback_key_still_opens_the_secret(
    admin: Any, receiver: Receiver, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    sub, secret = _webhook(admin, receiver)
    old_key = settings.SECRET_KEY
    settings.SECRET_KEY = "another key " * 4
    _emit(django_capture_on_commit_callbacks)
    row = Delivery.objects.get(subscription=sub)
    assert row.state == DeliveryState.DEAD and "SECRET_KEY" in row.last_error and secret not in row.last_error
    assert receiver.requests == []  # never sent unsigned
    settings.SECRET_KEY_FALLBACKS = [old_key]
    assert sealing.unseal(sub.secret) == secret
    with pytest.raises(DeliveryError):
        settings.SECRET_KEY_FALLBACKS = []
        sealing.unseal(sub.secret)


def test_the_migration_seals_secrets_stored_in_clear_and_unseals_them_back(
    admin: Any, receiver: Receiver, django_capture_on_commit_callbacks: Any
) -> None:
    sub, secret = _webhook(admin, receiver)
    Subscription.objects.filter(pk=sub.pk).update(secret=secret, previous_secret="")  # as before sealing
    email = Subscription.objects.create(owner=admin, name="mail", channel="email", target="a@example.com")
    _emit(django_capture_on_commit_callbacks)  # a secret in clear still signs
    got = receiver.requests[-1]
    assert verify_webhook(secret, got.headers, got.body, now=timezone.now().timestamp())
    _MIGRATION.seal_stored(apps, None)
    stored, previous = _raw(sub)
    assert stored.startswith(sealing.PREFIX) and sealing.unseal(stored) == secret and previous == ""
    _MIGRATION.seal_stored(apps, None)  # idempotent: a sealed secret is not sealed twice
    assert sealing.unseal(_raw(sub)[0]) == secret
    assert _raw(email) == ("", "")
    _MIGRATION.unseal_stored(apps, None)
    assert _raw(sub) == (secret, "")
