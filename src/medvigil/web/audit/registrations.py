"""Which models django-auditlog captures row by row (interactive writes), with their excluded fields.

Set-based writes (component sets, feed imports, re-matching and case sync) are not captured per row:
their services record one summarising event with ``audit_record`` / ``audit_set``.
"""

from __future__ import annotations

from typing import Any

from auditlog.registry import auditlog
from django.apps import apps
from django.contrib.auth import get_user_model

TRACKED: dict[str, dict[str, list[str]]] = {
    "inventory.Product": {},
    "inventory.ProductVersion": {},
    "risk.Hazard": {},
    "risk.RiskMatrix": {},
    "risk.ExploitabilityPolicy": {},
    "risk.Assessment": {},
    "risk.CaseEvent": {},
    "remediation.CaseAction": {},
    "remediation.EvidenceFile": {"exclude_fields": ["content"]},
    "remediation.IsaoMembership": {},
    "remediation.RemediationSettings": {},
    "findings.MatchSettings": {},
    "findings.SupplierVex": {"exclude_fields": ["content"]},
    "accounts.ApiToken": {"exclude_fields": ["token_hash", "last_used_at"]},
    "notifications.Subscription": {"exclude_fields": ["secret", "previous_secret"]},
}
"""``app_label.Model`` -> django-auditlog ``register`` options."""

OPTIONAL: set[str] = set()
"""Models registered when present. Finding triage is recorded by ``findings.services.finding_triage``
with ``audit_record`` (the decision lives on ``Finding``, which matching writes in bulk)."""


def _own_fields(model: Any, options: dict[str, list[str]]) -> list[str]:
    """The model's own columns (no reverse relations), less the excluded ones."""
    excluded = set(options.get("exclude_fields", []))
    return [f.name for f in model._meta.concrete_fields if f.name not in excluded]


def register_all() -> None:
    """Register the tracked models and the user (groups as the role, no password or login time)."""
    for label, options in TRACKED.items():
        model = apps.get_model(label)
        if not auditlog.contains(model):
            auditlog.register(model, include_fields=_own_fields(model, options), **options)
    for label in OPTIONAL:
        try:
            model = apps.get_model(label)
        except LookupError:
            continue
        if not auditlog.contains(model):
            auditlog.register(model, include_fields=_own_fields(model, {}))
    user = get_user_model()
    if not auditlog.contains(user):
        own = _own_fields(user, {"exclude_fields": ["password", "last_login"]})
        auditlog.register(user, include_fields=[*own, "groups"], m2m_fields={"groups"})
