"""Authorization on every endpoint: your own e-mail subscriptions for everyone with a role,
webhooks and deliveries for admins, nothing for an account without a role; CSRF on pages."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from medvigil.web.notifications import services
from medvigil.web.notifications.models import Delivery, DeliveryState, Event, Subscription
from medvigil.web.notifications.sealing import unseal
from tests.web.conftest import login
from tests.web.notifications.receiver import Receiver


@pytest.fixture
def mailed_viewer(viewer: Any) -> Any:
    viewer.email = "carol@example.org"
    viewer.save()
    return viewer


def _dead(sub: Subscription) -> Delivery:
    event = Event.objects.create(kind="cvd.received", title="x", dispatched=True)
    return Delivery.objects.create(
        event=event, subscription=sub, state=DeliveryState.DEAD, attempts=3, next_attempt_at=event.created_at,
        last_error="HTTP 500 from the receiver",
    )  # fmt: skip


def test_outsider_and_anonymous_get_nothing(outsider: Any, token_for: Any) -> None:
    assert Client().get("/notifications/").status_code == 302  # to the login page
    assert login(outsider).get("/notifications/").status_code == 403
    assert Client().get("/api/notifications/subscriptions").status_code == 401
    headers = token_for(outsider)
    assert Client().get("/api/notifications/subscriptions", **headers).status_code == 403
    assert Client().get("/api/notifications/deliveries", **headers).status_code == 403


def test_a_viewer_manages_own_email_subscription_but_not_webhooks(
    mailed_viewer: Any, token_for: Any, product: Any
) -> None:
    client = login(mailed_viewer)
    response = client.post(
        "/notifications/new/",
        {"name": "pump alerts", "channel": "email", "kinds": ["case.uncontrolled"], "products": ["pump-x"]},
    )
    assert response.status_code == 302
    sub = Subscription.objects.get(name="pump alerts")
    assert sub.target == "carol@example.org" and sub.kinds == ["case.uncontrolled"]
    page = client.get("/notifications/").content.decode()
    assert "pump alerts" in page and "Infusion Pump X" in page and "Deliveries" not in page
    refused = client.post(
        "/notifications/new/", {"name": "hook", "channel": "webhook", "target": "https://x.example"}
    )
    assert refused.status_code == 400 and "only admins" in refused.content.decode()
    api = Client()
    headers = token_for(mailed_viewer)
    body = {"name": "hook", "channel": "webhook", "target": "https://hooks.example.com/x"}
    bad = api.post("/api/notifications/subscriptions", body, content_type="application/json", **headers)
    assert bad.status_code == 400 and "only admins" in bad.json()["error"]
    assert api.get("/api/notifications/deliveries", **headers).status_code == 403
    listed = api.get("/api/notifications/subscriptions", **headers).json()
    assert [s["name"] for s in listed] == ["pump alerts"] and "secret" not in listed[0]


def test_nobody_touches_another_users_subscription(mailed_viewer: Any, analyst: Any, token_for: Any) -> None:
    sub, _ = services.subscription_create(user=mailed_viewer, name="mine", channel="email")
    other = login(analyst)
    assert other.post(f"/notifications/{sub.pk}/delete/").status_code == 404
    assert other.post(f"/notifications/{sub.pk}/test/").status_code == 404
    api = Client()
    r = api.delete(f"/api/notifications/subscriptions/{sub.pk}", **token_for(analyst))
    assert r.status_code == 404
    assert Subscription.objects.filter(pk=sub.pk).exists()
    assert "mine" not in other.get("/notifications/").content.decode()


def test_pages_need_csrf(mailed_viewer: Any) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(mailed_viewer)
    assert client.post("/notifications/new/", {"name": "x", "channel": "email"}).status_code == 403


def test_admin_creates_a_webhook_sees_the_secret_once_and_tests_it(admin: Any, receiver: Receiver) -> None:
    client = login(admin)
    response = client.post(
        "/notifications/new/", {"name": "SIEM", "channel": "webhook", "target": receiver.url}
    )
    page = response.content.decode()
    sub = Subscription.objects.get(name="SIEM")
    assert response.status_code == 200 and unseal(sub.secret) in page
    assert unseal(sub.secret) not in client.get("/notifications/").content.decode()
    tested = client.post(f"/notifications/{sub.pk}/test/", follow=True).content.decode()
    assert "Test sent to &#x27;SIEM&#x27; (HTTP 200)" in tested and len(receiver.requests) == 1
    rotated = client.post(f"/notifications/{sub.pk}/rotate/").content.decode()
    sub.refresh_from_db()
    assert unseal(sub.secret) in rotated and sub.previous_secret


def test_admin_sees_and_retries_dead_letters_in_page_and_api(
    admin: Any, analyst: Any, receiver: Receiver, token_for: Any, django_capture_on_commit_callbacks: Any
) -> None:
    sub, _ = services.subscription_create(user=admin, name="SIEM", channel="webhook", target=receiver.url)
    dead = _dead(sub)
    assert login(analyst).get("/notifications/deliveries/").status_code == 403
    client = login(admin)
    page = client.get("/notifications/deliveries/?state=dead").content.decode()
    assert f'id="delivery-{dead.pk}"' in page and "HTTP 500 from the receiver" in page
    assert "1 dead" in client.get("/notifications/").content.decode()
    api = Client()
    listed = api.get("/api/notifications/deliveries?state=dead", **token_for(admin)).json()
    assert listed["states"]["dead"] == 1 and listed["items"][0]["id"] == dead.pk
    assert api.get("/api/notifications/deliveries?state=bogus", **token_for(admin)).status_code == 422
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/notifications/deliveries/retry/", {"ids": [str(dead.pk)]})
    dead.refresh_from_db()
    assert dead.state == DeliveryState.DELIVERED and len(receiver.requests) == 1
    again = _dead(sub)
    r = api.post(
        "/api/notifications/deliveries/retry", {"ids": [again.pk]}, content_type="application/json",
        **token_for(analyst),
    )  # fmt: skip
    assert r.status_code == 403
    r = api.post(
        "/api/notifications/deliveries/retry", {"ids": [999999]}, content_type="application/json",
        **token_for(admin),
    )  # fmt: skip
    assert r.status_code == 400 and "no dead or pending delivery 999999" in r.json()["error"]


def test_api_create_returns_the_secret_once_and_test_send(
    admin: Any, receiver: Receiver, token_for: Any
) -> None:
    api = Client()
    headers = token_for(admin)
    body = {"name": "hook", "channel": "webhook", "target": receiver.url, "kinds": ["intel.kev"]}
    created = api.post(
        "/api/notifications/subscriptions", body, content_type="application/json", **headers
    ).json()
    assert created["secret"] and created["subscription"]["kinds"] == ["intel.kev"]
    sid = created["subscription"]["id"]
    result = api.post(f"/api/notifications/subscriptions/{sid}/test", **headers).json()
    assert result["state"] == "delivered" and result["event"]["kind"] == "test"
    bad = {"name": "x", "channel": "email", "kinds": ["nope"]}
    r = api.post("/api/notifications/subscriptions", bad, content_type="application/json", **headers)
    assert r.status_code == 400 and "unknown event kind" in r.json()["error"]
    assert api.delete(f"/api/notifications/subscriptions/{sid}", **headers).status_code == 204


def test_subscription_changes_are_audited_without_the_secret(admin: Any, receiver: Receiver) -> None:
    from medvigil.web.audit.models import AuditEvent

    sub, secret = services.subscription_create(
        user=admin, name="SIEM", channel="webhook", target=receiver.url
    )
    new = services.subscription_rotate_secret(user=admin, subscription=sub)
    rows = list(AuditEvent.objects.filter(object_type__icontains="subscription").order_by("seq"))
    assert len(rows) >= 2
    text = " ".join(str(r.changes) + str(r.additional_data) for r in rows)
    assert "SIEM" in text and secret not in text and new not in text
