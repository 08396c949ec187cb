"""Admin views of the intelligence store (read mostly; imports go through ``medvigil feeds import``)."""

from __future__ import annotations

from django.contrib import admin

from medvigil.web.advisories.models import ImportRun, Source, Vulnerability


@admin.register(Source)
class SourceAdmin(admin.ModelAdmin[Source]):
    list_display = ("name", "kind", "enabled", "url")


@admin.register(ImportRun)
class ImportRunAdmin(admin.ModelAdmin[ImportRun]):
    list_display = ("started_at", "source", "path", "status", "new", "updated", "unchanged", "error_count")
    list_filter = ("status", "source")
    readonly_fields = ("errors",)


@admin.register(Vulnerability)
class VulnerabilityAdmin(admin.ModelAdmin[Vulnerability]):
    list_display = ("key", "severity", "cvss_score", "kev", "epss", "modified")
    list_filter = ("kev", "severity")
    search_fields = ("key", "aliases__alias")
