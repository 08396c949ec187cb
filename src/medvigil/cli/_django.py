"""Lazy Django set-up for commands that need the database."""

from __future__ import annotations

import os

_READY = False
_READ_ONLY_APPS = ("medvigil.web.advisories",)
"""The apps a read-only scan of the intelligence store needs: the advisory tables and what their
models refer to (an upload's user). Leaving out the rest (admin, task queue, API, the inventory,
risk and case apps with their receivers) halves a fresh process's Django set-up."""


def setup(*, read_only: bool = False) -> None:
    """Configure Django once (settings from MEDVIGIL_* variables).

    ``read_only``: for a command that only reads the intelligence store (``scan``): install only
    :data:`_READ_ONLY_APPS` (so no receiver of any write is connected: such a process must not
    write) and skip what only a server needs (see :func:`_setup_without_urls`); not when Django
    is already set up (e.g. in tests), where the apps stay as they are.
    """
    global _READY
    if _READY:
        return
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "medvigil.web.config.settings")
    import django
    from django.apps import apps

    if read_only and not apps.ready:
        from django.conf import settings

        settings.INSTALLED_APPS = [a for a in settings.INSTALLED_APPS if a in _READ_ONLY_APPS]
        _setup_without_urls()
    else:
        django.setup()
    _READY = True


def _setup_without_urls() -> None:
    """:func:`django.setup` (Django 5.2) for a command that serves no request: no URL script prefix
    (importing ``django.urls`` for it pulls in ``django.http``, ~65 ms of a fresh process) and
    only the project's ``LOGGING`` (Django's default configuration first builds its mail-admins
    handler, which imports the debug views, another ~85 ms; the project's configuration replaces
    its ``django`` handlers anyway). ``tests/cli/test_scan_fresh.py`` checks neither is loaded."""
    from django.apps import apps
    from django.conf import settings
    from django.utils.module_loading import import_string

    if settings.LOGGING_CONFIG and settings.LOGGING:
        import_string(settings.LOGGING_CONFIG)(settings.LOGGING)
    apps.populate(settings.INSTALLED_APPS)


def migrate(verbosity: int = 0) -> None:
    """Create or upgrade the database schema and the role groups."""
    setup()
    from django.core.management import call_command

    from medvigil.web.accounts.services import roles_ensure
    from medvigil.web.config import store_snapshot

    if not store_snapshot.create_store():  # a new SQLite store: its migrated schema in one step
        call_command("migrate", interactive=False, verbosity=verbosity)
    roles_ensure()
