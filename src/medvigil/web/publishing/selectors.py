"""Reads of the publishing app; viewers see published advisories only."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from medvigil.core.errors import NotFoundError
from medvigil.web.accounts.roles import Role, role_of
from medvigil.web.publishing.models import Advisory, AdvisoryState

__all__ = ["advisory_get", "advisory_list", "public_advisories"]


def _visible(user: Any) -> QuerySet[Advisory]:
    rows = Advisory.objects.select_related(
        "case__product", "case__vulnerability", "approved_by", "created_by"
    )
    if role_of(user) < Role.ANALYST:
        rows = rows.filter(state=AdvisoryState.PUBLISHED)
    return rows


def advisory_list(*, user: Any, case_id: int | None = None) -> QuerySet[Advisory]:
    """Advisories the user may read, newest first."""
    rows = _visible(user)
    return rows.filter(case_id=case_id) if case_id is not None else rows


def advisory_get(*, advisory_id: int, user: Any = None, any_state: bool = False) -> Advisory:
    """One advisory (``any_state``: the CLI, which runs as the operator)."""
    rows = Advisory.objects.all() if any_state else _visible(user)
    found = rows.filter(pk=advisory_id).first()
    if found is None:
        raise NotFoundError(f"no advisory {advisory_id}")
    return found


def public_advisories() -> QuerySet[Advisory]:
    """Published TLP:CLEAR advisories (the public page and the CSAF provider)."""
    return Advisory.objects.filter(state=AdvisoryState.PUBLISHED, tlp="CLEAR").prefetch_related("documents")
