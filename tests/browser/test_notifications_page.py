"""The notifications pages in a real browser: a viewer subscribes by e-mail and sends a test; an
admin adds a webhook (secret shown once), sends a test to a receiver on 127.0.0.1 and retries a
dead letter."""

from __future__ import annotations

from typing import Any

import pytest

from medvigil.core.notify.urls import parse_networks
from medvigil.web.accounts.services import user_create
from medvigil.web.inventory import services as inventory
from medvigil.web.notifications.models import Delivery, DeliveryState, Event, Subscription
from medvigil.web.notifications.sealing import unseal
from tests.browser.conftest import shot
from tests.web.notifications.receiver import receiving

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "browser-pass-123"


def _login(page: Any, base: str, username: str) -> None:
    page.goto(f"{base}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")


def test_viewer_subscribes_and_admin_manages_webhooks(page: Any, live_server: Any, settings: Any) -> None:
    settings.WEBHOOK_ALLOWED_NETWORKS = parse_networks(["127.0.0.0/8"])
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    user_create(username="ada", password=PASSWORD, role="admin", email="ada@example.org")
    user_create(username="vic", password=PASSWORD, role="viewer", email="vic@example.org")
    inventory.product_create(name="Infusion Pump X", slug="pump-x")
    inventory.product_create(name="Patient Monitor M", slug="monitor-m")
    base = live_server.url

    _login(page, base, "vic")
    page.goto(f"{base}/notifications/")
    page.fill("#subscription-form [name=name]", "Pump: uncontrolled and overdue")
    page.check("#subscription-form [value='case.uncontrolled']")
    page.check("#subscription-form [value='case.overdue']")
    page.select_option("#subscription-form [name=products]", ["pump-x"])
    page.check("#subscription-form [name=uncontrolled_only]")
    page.click("#subscription-form button[type=submit]")
    table = page.inner_text("#subscriptions")
    assert (
        "Pump: uncontrolled and overdue" in table
        and "vic@example.org" in table
        and "Infusion Pump X" in table
    )
    assert page.locator("#subscription-form [name=target]").count() == 0  # viewers: e-mail only
    page.click("#subscriptions .test-send")
    assert "Test sent to" in page.inner_text(".msg")
    page.click("header form button")  # log out

    with receiving() as rx:
        _login(page, base, "ada")
        page.goto(f"{base}/notifications/")
        page.fill("#subscription-form [name=name]", "PSIRT webhook")
        page.select_option("#subscription-form [name=channel]", "webhook")
        page.fill("#subscription-form [name=target]", rx.url)
        page.check("#subscription-form [value='intel.kev']")
        page.click("#subscription-form button[type=submit]")
        secret = page.inner_text("#secret")
        hook = Subscription.objects.get(name="PSIRT webhook")
        assert secret == unseal(hook.secret) and len(secret) >= 40  # shown once; sealed at rest
        assert secret not in hook.secret
        row = page.locator(f"#subscription-{hook.pk}")
        row.locator(".test-send").click()
        assert "Test sent to 'PSIRT webhook' (HTTP 200)" in page.inner_text(".msg")
        assert len(rx.requests) == 1 and rx.requests[0].headers["X-Medvigil-Event-Kind"] == "test"
        event = Event.objects.create(kind="intel.kev", title="CVE-2026-0001 entered KEV", dispatched=True)
        dead = Delivery.objects.create(
            event=event, subscription=hook, state=DeliveryState.DEAD, attempts=8,
            next_attempt_at=event.created_at, last_error="HTTP 503 from the receiver", last_status=503,
        )  # fmt: skip
        page.goto(f"{base}/notifications/")
        assert "1 dead" in page.inner_text("#dead-count")
        shot(page, "notifications-subscriptions")
        page.click("#deliveries-link")
        page.click("a[href='?state=dead']")
        assert "HTTP 503" in page.inner_text(f"#delivery-{dead.pk}")
        shot(page, "notifications-dead-letters")
        page.click(f"#delivery-{dead.pk} button")
        assert "1 delivery queued again" in page.inner_text(".msg")
        dead.refresh_from_db()
        assert dead.state == DeliveryState.DELIVERED and len(rx.requests) == 2
