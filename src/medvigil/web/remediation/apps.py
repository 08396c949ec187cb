"""Remediation app config."""

from __future__ import annotations

from django.apps import AppConfig


class RemediationConfig(AppConfig):
    """Case lifecycle, clock, actions, obligations; registers the daily re-evaluation task."""

    name = "medvigil.web.remediation"
    label = "remediation"
    verbose_name = "Remediation"

    def ready(self) -> None:
        from medvigil.web.remediation import signals, tasks  # noqa: F401 - connects receivers, registers jobs
