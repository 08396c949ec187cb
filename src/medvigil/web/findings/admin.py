"""Admin registrations (read-mostly: findings change through matching runs)."""

from __future__ import annotations

from django.contrib import admin

from medvigil.web.findings.models import Finding, FindingEvent, MatchSettings


@admin.register(Finding)
class FindingAdmin(admin.ModelAdmin[Finding]):
    list_display = (
        "vulnerability_key",
        "component_name",
        "component_version",
        "product_version",
        "state",
        "method",
    )
    list_filter = ("state", "method", "kev")
    search_fields = ("vulnerability_key", "component_name")
    raw_id_fields = ("product", "product_version", "component", "vulnerability")


@admin.register(FindingEvent)
class FindingEventAdmin(admin.ModelAdmin[FindingEvent]):
    list_display = ("at", "kind", "finding", "new_state")
    raw_id_fields = ("finding",)


admin.site.register(MatchSettings)
