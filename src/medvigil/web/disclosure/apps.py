"""Coordinated vulnerability disclosure app config."""

from __future__ import annotations

from django.apps import AppConfig


class DisclosureConfig(AppConfig):
    """The CVD portal: public policy, report form, security.txt; staff intake queue; reporter mail."""

    name = "medvigil.web.disclosure"
    label = "disclosure"
    verbose_name = "Coordinated disclosure"

    def ready(self) -> None:
        from medvigil.web.disclosure import tasks  # noqa: F401 - registers the mail job
