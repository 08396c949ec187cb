"""Inventory app: device products, versions, SBOM documents and components."""

from __future__ import annotations

from django.apps import AppConfig


class InventoryConfig(AppConfig):
    """Django app config."""

    name = "medvigil.web.inventory"
    label = "inventory"
    verbose_name = "Inventory"
