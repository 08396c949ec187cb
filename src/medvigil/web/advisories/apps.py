"""Advisories app: vulnerability intelligence (sources, import runs, records, identities)."""

from __future__ import annotations

from django.apps import AppConfig


class AdvisoriesConfig(AppConfig):
    """Django app config."""

    name = "medvigil.web.advisories"
    label = "advisories"
    verbose_name = "Vulnerability intelligence"

    def ready(self) -> None:
        """Hand the decompression limits of the settings to the feed readers; register the
        receiver that queues the CPE screens fill after an import."""
        from django.conf import settings

        from medvigil.core.feeds._io import ArchiveLimits, set_archive_limits
        from medvigil.web.advisories import screens  # noqa: F401 - registers the receiver

        set_archive_limits(ArchiveLimits(settings.ARCHIVE_MAX_MEMBER_BYTES, settings.ARCHIVE_MAX_TOTAL_BYTES))
