"""``medvigil notifications list|retry|test``: the dead letters from the command line."""

from __future__ import annotations

import json
from typing import Any

import pytest

from medvigil.cli.main import run
from medvigil.core.notify.urls import parse_networks
from medvigil.web.accounts.services import user_create
from medvigil.web.notifications import services
from medvigil.web.notifications.models import Delivery, DeliveryState, Event
from tests.web.notifications.receiver import receiving

pytestmark = pytest.mark.django_db


def test_list_retry_and_test_send(
    capsys: pytest.CaptureFixture[str], settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    settings.WEBHOOK_ALLOWED_NETWORKS = parse_networks(["127.0.0.0/8"])
    admin = user_create(username="root", password="correct-horse-battery", role="admin")
    with receiving() as rx:
        sub, _ = services.subscription_create(user=admin, name="hook", channel="webhook", target=rx.url)
        event = Event.objects.create(kind="cvd.received", title="report in", dispatched=True)
        dead = Delivery.objects.create(
            event=event,
            subscription=sub,
            state=DeliveryState.DEAD,
            attempts=8,
            next_attempt_at=event.created_at,
        )
        assert run(["notifications", "list", "--state", "dead", "-f", "json"]) == 0
        listed = json.loads(capsys.readouterr().out)
        assert listed["states"]["dead"] == 1 and [d["id"] for d in listed["items"]] == [dead.pk]
        with django_capture_on_commit_callbacks(execute=True):
            assert run(["notifications", "retry", "--dead", "-f", "json"]) == 0
        assert json.loads(capsys.readouterr().out) == {"queued": 1}
        dead.refresh_from_db()
        assert dead.state == DeliveryState.DELIVERED and len(rx.processed) == 1
        assert run(["notifications", "test", str(sub.pk), "-f", "json"]) == 0
        assert json.loads(capsys.readouterr().out)["state"] == "delivered"
        rx.statuses = [500]
        assert run(["notifications", "test", str(sub.pk)]) == 1
        assert "HTTP 500" in capsys.readouterr().out
        assert run(["notifications", "list"]) == 0 and "delivered 2" in capsys.readouterr().out
