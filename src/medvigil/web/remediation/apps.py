"""Remediation app config."""

from __future__ import annotations

from django.apps import AppConfig, apps


class RemediationConfig(AppConfig):
    """Case lifecycle, clock, actions, obligations; registers the daily re-evaluation task."""

    name = "medvigil.web.remediation"
    label = "remediation"
    verbose_name = "Remediation"

    def ready(self) -> None:
        from medvigil.web.remediation import signals  # noqa: F401 - connects receivers

        if apps.is_installed("huey.contrib.djhuey"):  # not for a read-only command (cli/_django.py)
            from medvigil.web.remediation import tasks  # noqa: F401 - registers jobs
