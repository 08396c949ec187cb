"""Risk app: hazards, risk matrices, cases and their versioned assessments."""

from __future__ import annotations

from django.apps import AppConfig


class RiskConfig(AppConfig):
    """Django app config; connects the interface-change re-review hook."""

    name = "medvigil.web.risk"
    label = "risk"
    verbose_name = "Risk"

    def ready(self) -> None:
        from medvigil.web.risk import signals  # noqa: F401 - connects receivers
