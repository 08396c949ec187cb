"""Outbox to receiver: fan-out by filter, signed webhooks with the idempotency key, backoff,
the dead letter and its retry, leases, e-mail and the digest, Slack and Teams bodies."""

from __future__ import annotations

import datetime as dt
from typing import Any

import orjson
import pytest
from django.core import mail
from django.db import transaction
from django.utils import timezone

from medvigil.core.errors import InputError
from medvigil.core.notify.events import EventKind
from medvigil.core.notify.signing import verify_webhook
from medvigil.web.notifications import channels, delivery, services
from medvigil.web.notifications.models import Delivery, DeliveryState, Event
from tests.web.notifications.receiver import Receiver


def _emit(capture: Any, kind: EventKind = EventKind.CVD_RECEIVED, **kw: Any) -> Event:
    with capture(execute=True):
        return services.outbox_emit(kind=kind, title=kw.pop("title", f"{kind.value} happened"), **kw)


def _webhook(admin: Any, receiver: Receiver, **kw: Any) -> tuple[Any, str]:
    sub, secret = services.subscription_create(
        user=admin,
        name=kw.pop("name", "PSIRT hook"),
        channel=kw.pop("channel", "webhook"),
        target=receiver.url,
        **kw,
    )
    return sub, secret


def test_an_event_reaches_a_matching_webhook_once_signed_with_its_key(
    admin: Any, receiver: Receiver, product: Any, django_capture_on_commit_callbacks: Any
) -> None:
    sub, secret = _webhook(admin, receiver, kinds=["cvd.received"], products=["pump-x"])
    event = _emit(django_capture_on_commit_callbacks, product=product)
    _emit(
        django_capture_on_commit_callbacks, kind=EventKind.ADVISORY_PUBLISHED, product=product
    )  # not wanted
    _emit(django_capture_on_commit_callbacks)  # no product: filtered out
    assert len(receiver.requests) == 1
    got = receiver.requests[0]
    assert verify_webhook(secret, got.headers, got.body, now=timezone.now().timestamp())
    assert got.headers["Idempotency-Key"] == str(event.uuid) == got.headers["X-Medvigil-Event"]
    assert got.headers["X-Medvigil-Event-Kind"] == "cvd.received"
    body = orjson.loads(got.body)
    assert body["event"]["product"]["slug"] == "pump-x" and body["event"]["kind"] == "cvd.received"
    row = Delivery.objects.get(subscription=sub)
    assert (row.state, row.attempts, row.last_status) == (DeliveryState.DELIVERED, 1, 200)
    assert Event.objects.filter(dispatched=False).count() == 0


def test_a_rolled_back_change_notifies_nobody(
    admin: Any, receiver: Receiver, django_capture_on_commit_callbacks: Any
) -> None:
    _webhook(admin, receiver)
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError), transaction.atomic():
        services.outbox_emit(kind=EventKind.CVD_RECEIVED, title="never")
        raise RuntimeError("the change failed")
    assert not Event.objects.exists() and receiver.requests == []


def test_failures_back_off_exponentially_then_die_and_an_admin_retry_delivers(
    admin: Any, analyst: Any, receiver: Receiver, django_capture_on_commit_callbacks: Any
) -> None:
    receiver.statuses = [500, 503, 502]
    sub, _ = _webhook(admin, receiver)
    before = timezone.now()
    _emit(django_capture_on_commit_callbacks)
    row = Delivery.objects.get(subscription=sub)
    assert row.state == DeliveryState.PENDING and row.attempts == 1 and row.last_status == 500
    assert dt.timedelta(seconds=29) < row.next_attempt_at - before < dt.timedelta(seconds=35)
    assert delivery.delivery_attempt(delivery_id=row.pk) == "skipped"  # not due yet
    waits = []
    for _ in range(2):
        row.refresh_from_db()
        start = timezone.now()
        Delivery.objects.filter(pk=row.pk).update(next_attempt_at=start)
        delivery.delivery_attempt(delivery_id=row.pk)
        row.refresh_from_db()
        if row.state == DeliveryState.PENDING:
            waits.append(round((row.next_attempt_at - start).total_seconds()))
    assert waits == [60]
    assert (row.state, row.attempts, row.last_status) == (DeliveryState.DEAD, 3, 502)
    assert "HTTP 502" in row.last_error and len(receiver.requests) == 3
    with pytest.raises(InputError, match="only admins"):
        services.deliveries_retry(user=analyst, dead=True)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.deliveries_retry(user=admin, dead=True) == 1
    row.refresh_from_db()
    assert row.state == DeliveryState.DELIVERED and len(receiver.processed) == 1


def test_gone_and_redirects_are_dead_at_once(
    admin: Any, receiver: Receiver, django_capture_on_commit_callbacks: Any
) -> None:
    receiver.statuses = [410]
    sub, _ = _webhook(admin, receiver)
    _emit(django_capture_on_commit_callbacks)
    assert Delivery.objects.get(subscription=sub).state == DeliveryState.DEAD


def test_a_live_claim_excludes_others_and_an_expired_one_is_taken_over(
    admin: Any, receiver: Receiver, django_capture_on_commit_callbacks: Any
) -> None:
    sub, _ = _webhook(admin, receiver)
    with django_capture_on_commit_callbacks(execute=False):  # fan out, but do not run the delivery jobs
        services.outbox_emit(kind=EventKind.CVD_RECEIVED, title="x")
    services.events_dispatch()
    row = Delivery.objects.get(subscription=sub)
    first = delivery.delivery_claim(delivery_id=row.pk)
    assert first is not None and first.state == DeliveryState.SENDING and first.attempts == 1
    assert delivery.delivery_claim(delivery_id=row.pk) is None  # another worker: leased
    later = timezone.now() + dt.timedelta(seconds=121)  # the default lease ran out: the worker died
    second = delivery.delivery_claim(delivery_id=row.pk, now=later)
    assert second is not None and second.claim != first.claim and second.attempts == 2


def test_the_pump_fans_out_and_requeues_abandoned_deliveries(
    admin: Any, receiver: Receiver, django_capture_on_commit_callbacks: Any
) -> None:
    sub, _ = _webhook(admin, receiver)
    Event.objects.create(kind="cvd.received", title="left in the outbox by a crash")
    with django_capture_on_commit_callbacks(execute=False):
        services.events_dispatch()
    row = Delivery.objects.get(subscription=sub)
    Delivery.objects.filter(pk=row.pk).update(
        state=DeliveryState.SENDING, lease_until=timezone.now() - dt.timedelta(seconds=1), attempts=1
    )
    result = delivery.deliveries_pump()
    assert result == {"dispatched": 0, "queued": 1}
    row.refresh_from_db()
    assert row.state == DeliveryState.DELIVERED and row.attempts == 2 and len(receiver.requests) == 1


def test_email_goes_to_the_owner_and_a_digest_collects_events(
    viewer: Any, django_capture_on_commit_callbacks: Any
) -> None:
    viewer.email = "carol@example.org"
    viewer.save()
    services.subscription_create(user=viewer, name="me", channel="email", target="someone@else.example")
    digest, _ = services.subscription_create(user=viewer, name="daily", channel="email", digest=True)
    first = _emit(django_capture_on_commit_callbacks, title="first thing")
    _emit(django_capture_on_commit_callbacks, title="second thing")
    assert [m.to for m in mail.outbox] == [["carol@example.org"], ["carol@example.org"]]
    assert mail.outbox[0].subject == "[medvigil] first thing"
    assert mail.outbox[0].extra_headers["X-Medvigil-Event"] == str(first.uuid)
    assert Delivery.objects.filter(subscription=digest, state=DeliveryState.HELD).count() == 2
    assert delivery.digests_send() == 1
    assert mail.outbox[2].subject == "[medvigil] digest: 2 notifications"
    assert "first thing" in mail.outbox[2].body and "second thing" in mail.outbox[2].body
    assert Delivery.objects.filter(subscription=digest, state=DeliveryState.DELIVERED).count() == 2
    assert delivery.digests_send() == 0


def test_slack_and_teams_get_their_own_json(
    admin: Any, receiver: Receiver, django_capture_on_commit_callbacks: Any
) -> None:
    _webhook(admin, receiver, name="slack", channel="slack")
    _webhook(admin, receiver, name="teams", channel="teams")
    _emit(django_capture_on_commit_callbacks, title="KEV!")
    bodies = sorted((orjson.loads(r.body) for r in receiver.requests), key=lambda b: "type" in b)
    assert bodies[0]["text"] == "KEV!" and bodies[0]["blocks"][0]["type"] == "section"
    assert bodies[1]["type"] == "message" and bodies[1]["attachments"][0]["content"]["type"] == "AdaptiveCard"


def test_secret_rotation_signs_with_both_until_the_window_ends(
    admin: Any, receiver: Receiver, django_capture_on_commit_callbacks: Any
) -> None:
    sub, old = _webhook(admin, receiver)
    new = services.subscription_rotate_secret(user=admin, subscription=sub)
    _emit(django_capture_on_commit_callbacks)
    got = receiver.requests[-1]
    now = timezone.now().timestamp()
    assert verify_webhook(old, got.headers, got.body, now=now) and verify_webhook(
        new, got.headers, got.body, now=now
    )
    sub.refresh_from_db()
    sub.previous_until = timezone.now() - dt.timedelta(seconds=1)
    sub.save()
    _emit(django_capture_on_commit_callbacks)
    got = receiver.requests[-1]
    assert verify_webhook(new, got.headers, got.body, now=now)
    with pytest.raises(Exception, match="no signature matches"):
        verify_webhook(old, got.headers, got.body, now=now)


def test_webhook_urls_are_checked(admin: Any, settings: Any, receiver: Receiver) -> None:
    with pytest.raises(InputError, match="only http and https"):
        services.subscription_create(user=admin, name="x", channel="webhook", target="file:///etc/passwd")
    settings.WEBHOOK_ALLOWED_NETWORKS = ()
    with pytest.raises(InputError, match="loopback"):
        services.subscription_create(user=admin, name="x", channel="webhook", target=receiver.url)


def test_a_test_send_reports_the_outcome(admin: Any, receiver: Receiver) -> None:
    sub, _ = _webhook(admin, receiver, kinds=["cvd.received"], uncontrolled_only=True)
    done = services.subscription_test(user=admin, subscription=sub)
    assert done.state == DeliveryState.DELIVERED and done.last_status == 200
    assert orjson.loads(receiver.requests[0].body)["event"]["kind"] == "test"
    receiver.statuses = [500]
    failed = services.subscription_test(user=admin, subscription=sub)
    assert failed.state == DeliveryState.PENDING and "HTTP 500" in failed.last_error


def test_a_target_that_turns_private_is_dead_at_once(
    admin: Any, receiver: Receiver, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    sub, _ = _webhook(admin, receiver)
    settings.WEBHOOK_ALLOWED_NETWORKS = ()  # checked again before each delivery
    _emit(django_capture_on_commit_callbacks)
    row = Delivery.objects.get(subscription=sub)
    assert row.state == DeliveryState.DEAD and "127.0.0.1" in row.last_error and receiver.requests == []


def test_old_delivered_events_are_pruned_but_dead_letters_stay(
    admin: Any, receiver: Receiver, django_capture_on_commit_callbacks: Any
) -> None:
    sub, _ = _webhook(admin, receiver)
    done = _emit(django_capture_on_commit_callbacks, title="delivered")
    receiver.statuses = [410]
    dead = _emit(django_capture_on_commit_callbacks, title="dead")
    recent = _emit(django_capture_on_commit_callbacks, title="recent")
    Event.objects.filter(pk__in=[done.pk, dead.pk]).update(created_at=timezone.now() - dt.timedelta(days=91))
    assert services.events_prune(days=90) == 1
    assert set(Event.objects.values_list("title", flat=True)) == {"dead", "recent"}
    assert not Delivery.objects.filter(event_id=done.pk).exists()
    assert Delivery.objects.get(event=recent, subscription=sub).state == DeliveryState.DELIVERED


def test_a_delivery_goes_to_the_address_checked_not_to_a_second_dns_answer(
    admin: Any, receiver: Receiver, monkeypatch: pytest.MonkeyPatch, django_capture_on_commit_callbacks: Any
) -> None:
    # DNS rebinding: the name is checked against one answer and the client would connect to the
    # next one. The delivery is posted to the address that was checked, with the name as Host.
    port = receiver.url.split(":")[2].split("/")[0]
    checked: list[str] = []

    def first_answer(host: str, port: int) -> list[str]:
        checked.append(host)
        return ["127.0.0.1"]  # the receiver; a second lookup of this name would find nothing

    monkeypatch.setattr(channels, "resolve_host", first_answer)
    monkeypatch.setattr(services, "resolve_host", first_answer)
    sub, _ = services.subscription_create(
        user=admin, name="rebound", channel="webhook", target=f"http://hooks.rebind.invalid:{port}/in"
    )
    _emit(django_capture_on_commit_callbacks)
    row = Delivery.objects.get(subscription=sub)
    assert (row.state, row.last_status) == (DeliveryState.DELIVERED, 200), row.last_error
    assert receiver.requests[0].headers["Host"] == f"hooks.rebind.invalid:{port}"
    assert checked == ["hooks.rebind.invalid", "hooks.rebind.invalid"]  # saved, then sent


def test_deliveries_share_one_tls_context(
    admin: Any, receiver: Receiver, monkeypatch: pytest.MonkeyPatch, django_capture_on_commit_callbacks: Any
) -> None:
    # A new client loaded the CA bundle for every delivery (~45 ms of ~55 ms each).
    import ssl

    import httpx

    made: list[int] = []
    real = httpx.create_ssl_context

    def counted() -> ssl.SSLContext:
        made.append(1)
        return real()

    monkeypatch.setattr(httpx, "create_ssl_context", counted)
    channels._tls.cache_clear()
    _webhook(admin, receiver)
    for _ in range(3):
        _emit(django_capture_on_commit_callbacks)
    assert len(receiver.requests) == 3 and made == [1]
    channels._tls.cache_clear()
