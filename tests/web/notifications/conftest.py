"""Notification fixtures: loopback webhooks allowed, short retries, a local receiver."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from medvigil.core.notify.urls import parse_networks
from tests.web.notifications.receiver import Receiver, receiving
from tests.web.publishing.conftest import ready_case  # noqa: F401 - shared fixture
from tests.web.remediation.conftest import isao  # noqa: F401 - shared fixture
from tests.web.risk.conftest import case, hazards  # noqa: F401 - shared fixtures


@pytest.fixture(autouse=True)
def _notify_settings(settings: Any) -> None:
    settings.WEBHOOK_ALLOWED_NETWORKS = parse_networks(["127.0.0.0/8"])
    settings.NOTIFY_RETRY_BASE_SECONDS = 30
    settings.NOTIFY_MAX_ATTEMPTS = 3
    settings.NOTIFY_TIMEOUT = 5
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with receiving() as rx:
        yield rx
