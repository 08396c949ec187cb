"""Lazy Django set-up for commands that need the database."""

from __future__ import annotations

import os

_READY = False


def setup() -> None:
    """Configure Django once (settings from MEDVIGIL_* variables)."""
    global _READY
    if _READY:
        return
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "medvigil.web.config.settings")
    import django

    django.setup()
    _READY = True


def migrate(verbosity: int = 0) -> None:
    """Create or upgrade the database schema and the role groups."""
    setup()
    from django.core.management import call_command

    from medvigil.web.accounts.services import roles_ensure
    from medvigil.web.config import store_snapshot

    if not store_snapshot.create_store():  # a new SQLite store: its migrated schema in one step
        call_command("migrate", interactive=False, verbosity=verbosity)
    roles_ensure()
