"""Advisories app: vulnerability intelligence (sources, import runs, records, identities)."""

from __future__ import annotations

from django.apps import AppConfig


class AdvisoriesConfig(AppConfig):
    """Django app config."""

    name = "medvigil.web.advisories"
    label = "advisories"
    verbose_name = "Vulnerability intelligence"
