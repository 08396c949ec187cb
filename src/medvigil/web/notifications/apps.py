"""Notifications app config."""

from __future__ import annotations

from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    """Outbox events, subscriptions (e-mail, webhook, Slack, Teams) and their deliveries."""

    name = "medvigil.web.notifications"
    label = "notifications"
    verbose_name = "Notifications"
