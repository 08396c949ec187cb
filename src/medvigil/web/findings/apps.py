"""Findings app: matches of components and devices to vulnerabilities, with history."""

from __future__ import annotations

from django.apps import AppConfig


class FindingsConfig(AppConfig):
    """Django app config; connects the re-matching hooks."""

    name = "medvigil.web.findings"
    label = "findings"
    verbose_name = "Findings"

    def ready(self) -> None:
        """Connect receivers (feed imports, identity merges)."""
        from medvigil.web.findings import signals  # noqa: F401 - registers receivers
