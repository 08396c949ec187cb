"""The admin app, with the run-time generics of the Django stubs.

``django_stubs_ext.monkeypatch()`` lets ``admin.ModelAdmin[Model]`` (the base class of every
``admin.py`` model admin) run; it imports the admin, forms, sitemaps and feeds modules to patch
them, a tenth of a fresh process's start-up, so it is applied here, before the admin imports the
admin modules, and not by a read-only command that leaves the admin out (``cli/_django.py``).
"""

from __future__ import annotations

import django_stubs_ext
from django.contrib.admin.apps import AdminConfig as DjangoAdminConfig


class AdminConfig(DjangoAdminConfig):
    """Django's admin app config (default site, autodiscovery), generics patched first."""

    def ready(self) -> None:
        django_stubs_ext.monkeypatch()
        super().ready()
