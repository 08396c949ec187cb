"""Django admin for staff: browse and fix inventory rows."""

from __future__ import annotations

from django.contrib import admin

from medvigil.web.inventory.models import Component, InventoryEvent, Product, ProductVersion, SbomDocument


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin[Product]):
    list_display = ("name", "slug", "device_class", "pathway", "end_of_support")
    search_fields = ("name", "slug")


@admin.register(ProductVersion)
class ProductVersionAdmin(admin.ModelAdmin[ProductVersion]):
    list_display = ("product", "version", "lifecycle", "release_date", "end_of_support")
    list_filter = ("lifecycle",)


@admin.register(SbomDocument)
class SbomDocumentAdmin(admin.ModelAdmin[SbomDocument]):
    list_display = ("filename", "product_version", "format", "spec_version", "component_count", "is_current")
    exclude = ("content",)
    readonly_fields = ("sha256", "size", "format", "spec_version", "component_count", "warnings")


@admin.register(Component)
class ComponentAdmin(admin.ModelAdmin[Component]):
    list_display = ("name", "version", "type", "purl", "product_version", "support_level")
    search_fields = ("name", "purl")
    list_filter = ("type", "support_level")


@admin.register(InventoryEvent)
class InventoryEventAdmin(admin.ModelAdmin[InventoryEvent]):
    list_display = ("at", "product_version", "kind", "message", "actor")
