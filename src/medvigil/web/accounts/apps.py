"""Accounts app: roles (admin, analyst, viewer) and API tokens."""

from __future__ import annotations

from django.apps import AppConfig


class AccountsConfig(AppConfig):
    """Django app config."""

    name = "medvigil.web.accounts"
    label = "accounts"
    verbose_name = "Accounts"
