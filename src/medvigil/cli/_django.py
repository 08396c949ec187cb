"""Lazy Django set-up for commands that need the database."""

from __future__ import annotations

import os

_READY = False
_SERVER_APPS = ("medvigil.web.config.admin_app.AdminConfig", "huey.contrib.djhuey", "ninja")
"""Apps only the web server and the task queue use: the admin (its set-up imports every app's
admin module and the Django stubs' run-time generics, see ``web/config/admin_app.py``), the task
queue (its storage modules import redis and psycopg, and it imports every app's tasks) and the
API docs' static files; no model of the store lives in them."""


def setup(*, read_only: bool = False) -> None:
    """Configure Django once (settings from MEDVIGIL_* variables).

    ``read_only``: for a command that only reads the store (``scan``), leave out the server apps
    (:data:`_SERVER_APPS`), a third of a fresh process's start-up; not when Django is already set
    up (e.g. in tests), where the apps stay as they are.
    """
    global _READY
    if _READY:
        return
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "medvigil.web.config.settings")
    import django
    from django.apps import apps

    if read_only and not apps.ready:
        from django.conf import settings

        settings.INSTALLED_APPS = [a for a in settings.INSTALLED_APPS if a not in _SERVER_APPS]
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
