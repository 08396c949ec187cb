"""Coordinated vulnerability disclosure app config."""

from __future__ import annotations

from django.apps import AppConfig, apps


class DisclosureConfig(AppConfig):
    """The CVD portal: public policy, report form, security.txt; staff intake queue; reporter mail."""

    name = "medvigil.web.disclosure"
    label = "disclosure"
    verbose_name = "Coordinated disclosure"

    def ready(self) -> None:
        if apps.is_installed("huey.contrib.djhuey"):  # not for a read-only command (cli/_django.py)
            from medvigil.web.disclosure import tasks  # noqa: F401 - registers the mail job
