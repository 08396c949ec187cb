"""Dashboard app: the portfolio at a glance (read-only aggregates of the other apps)."""

from __future__ import annotations

from django.apps import AppConfig


class DashboardConfig(AppConfig):
    """Django app config."""

    name = "medvigil.web.dashboard"
    label = "dashboard"
    verbose_name = "Dashboard"
