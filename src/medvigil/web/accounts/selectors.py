"""Reads for the admin pages: users with their role, and API tokens."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Count, Q, QuerySet

from medvigil.web.accounts.models import ApiToken
from medvigil.web.accounts.roles import ROLE_GROUPS, Role


def user_rows() -> list[dict[str, Any]]:
    """Every user with their role and number of live tokens, in two queries."""
    users = (
        get_user_model()
        .objects.order_by("username")
        .prefetch_related("groups")
        .annotate(live_tokens=Count("api_tokens", filter=Q(api_tokens__revoked=False)))
    )
    by_group = {g: r for r, g in ROLE_GROUPS.items()}
    rows = []
    for user in users:
        held = [by_group[g.name] for g in user.groups.all() if g.name in by_group]
        role = Role.ADMIN if user.is_superuser else max(held, default=Role.NONE)
        rows.append({"user": user, "role": role.label, "live_tokens": user.live_tokens})
    return rows


def token_rows() -> QuerySet[ApiToken]:
    """Every token with its user, newest first (the hash is never shown)."""
    return ApiToken.objects.select_related("user").order_by("user__username", "-created_at")
