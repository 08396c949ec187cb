"""Publishing app config."""

from __future__ import annotations

from django.apps import AppConfig


class PublishingConfig(AppConfig):
    """Advisories and VEX documents: draft, review, publish, export."""

    name = "medvigil.web.publishing"
    label = "publishing"
    verbose_name = "Publishing"
