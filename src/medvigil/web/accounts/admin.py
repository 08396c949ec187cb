"""Django admin for API tokens (only hashes are stored)."""

from __future__ import annotations

from django.contrib import admin

from medvigil.web.accounts.models import ApiToken


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin[ApiToken]):
    list_display = ("name", "user", "created_at", "last_used_at", "revoked")
    readonly_fields = ("token_hash",)
