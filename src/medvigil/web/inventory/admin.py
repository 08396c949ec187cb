"""Django admin for staff: browse and fix inventory rows."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse

from medvigil.core.errors import Error
from medvigil.web.inventory.installed_base import installed_base_import_csv, installed_base_record
from medvigil.web.inventory.models import (
    Component,
    InstalledBase,
    InventoryEvent,
    Product,
    ProductVersion,
    SbomDocument,
)


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


class InstalledBaseCsvForm(forms.Form):
    """Upload of ``product,version,as_of,units[,source]`` rows."""

    file = forms.FileField(help_text="CSV, UTF-8, header product,version,as_of,units[,source]")


@admin.register(InstalledBase)
class InstalledBaseAdmin(admin.ModelAdmin[InstalledBase]):
    """Dated installed-base counts: typed one by one, or imported from CSV ("Import CSV")."""

    list_display = ("product_version", "as_of", "units", "source", "recorded_by")
    list_filter = ("product_version__product",)
    date_hierarchy = "as_of"
    fields = ("product_version", "as_of", "units", "source")
    change_list_template = "admin/inventory/installedbase/change_list.html"

    def save_model(self, request: HttpRequest, obj: InstalledBase, form: Any, change: bool) -> None:
        saved = installed_base_record(
            product_version=obj.product_version,
            as_of=obj.as_of,
            units=obj.units,
            source=obj.source,
            user=request.user,
        )
        obj.pk = saved.pk

    def get_urls(self) -> list[URLPattern]:
        view = self.admin_site.admin_view(self.import_csv)
        return [path("import/", view, name="inventory_installedbase_import"), *super().get_urls()]

    def import_csv(self, request: HttpRequest) -> HttpResponse:
        form = InstalledBaseCsvForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid() and self.has_add_permission(request):
            upload = form.cleaned_data["file"]
            try:
                result = installed_base_import_csv(
                    data=upload.read(), user=request.user, filename=upload.name
                )
            except Error as exc:
                form.add_error("file", exc.diagnostics())
            else:
                messages.success(request, f"{result.rows} counts of {result.versions} versions imported.")
                return HttpResponseRedirect(reverse("admin:inventory_installedbase_changelist"))
        context = {
            **self.admin_site.each_context(request),
            "form": form,
            "opts": self.model._meta,
            "title": "Import installed base (CSV)",
        }
        return TemplateResponse(request, "admin/inventory/installedbase/import.html", context)
