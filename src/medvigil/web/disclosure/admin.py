"""Django admin: the disclosure policy (one row; ISO/IEC 29147 defaults, safe harbour, SLA,
security.txt fields). Saving runs the same checks as ``services.policy_update``."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest

from medvigil.core.disclosure.securitytxt import contacts_checked
from medvigil.core.errors import InputError
from medvigil.web.accounts.roles import Role, role_of
from medvigil.web.disclosure.models import DisclosurePolicy


class PolicyForm(forms.ModelForm[DisclosurePolicy]):
    class Meta:
        model = DisclosurePolicy
        fields = [
            "policy_text",
            "safe_harbour",
            "ack_days",
            "contacts",
            "preferred_languages",
            "expires_days",
        ]

    def clean_contacts(self) -> Any:
        value = self.cleaned_data["contacts"] or []
        try:
            return list(contacts_checked([str(c) for c in value]))
        except InputError as exc:
            raise forms.ValidationError(exc.message) from None

    def clean_expires_days(self) -> int:
        days = int(self.cleaned_data["expires_days"])
        if not 1 <= days < 365:
            raise forms.ValidationError("security.txt Expires must be less than a year ahead")
        return days


@admin.register(DisclosurePolicy)
class DisclosurePolicyAdmin(admin.ModelAdmin[DisclosurePolicy]):
    form = PolicyForm
    list_display = ("__str__", "ack_days", "expires_days", "updated_at")

    def _admin(self, request: HttpRequest) -> bool:
        return role_of(request.user) >= Role.ADMIN

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self._admin(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._admin(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._admin(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return self._admin(request) and not DisclosurePolicy.objects.exists()

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
