"""Findings endpoints: the portfolio list, a version's findings, one finding's history."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router
from ninja.pagination import LimitOffsetPagination, paginate

from medvigil.core.errors import NotFoundError
from medvigil.web.accounts.auth import require_read
from medvigil.web.findings.models import Finding
from medvigil.web.findings.presenters import finding_dict
from medvigil.web.findings.schemas import FindingEventOut, FindingOut
from medvigil.web.findings.selectors import FindingFilters, finding_list
from medvigil.web.inventory.selectors import version_get

router = Router(tags=["findings"])

_DOC = (
    "filters: product, severity, kev, epss_min, method, state (open by default, or all); "
    "sort: severity, epss, kev"
)


class _Page(LimitOffsetPagination):
    """LimitOffset pagination over presented rows (the slice is taken in the database)."""

    def paginate_queryset(self, queryset: Any, pagination: Any, request: HttpRequest, **params: Any) -> Any:
        page = super().paginate_queryset(queryset, pagination, request, **params)
        page["items"] = [finding_dict(f) for f in page["items"]]
        return page


@router.get("/findings", response=list[FindingOut], summary=f"List findings across products ({_DOC})")
@paginate(_Page)
def findings(
    request: HttpRequest, product: str = "", severity: str = "", kev: bool | None = None,
    epss_min: float | None = None, method: str = "", state: str = "open", sort: str = "severity",
) -> Any:  # fmt: skip
    require_read(request)
    f = FindingFilters(
        product=product, severity=severity, kev=kev, epss_min=epss_min, method=method, state=state, sort=sort
    )
    return finding_list(filters=f)


@router.get(
    "/products/{slug}/versions/{version}/findings",
    response=list[FindingOut],
    summary=f"A version's findings ({_DOC})",
)
@paginate(_Page)
def version_findings(
    request: HttpRequest, slug: str, version: str, severity: str = "", kev: bool | None = None,
    epss_min: float | None = None, method: str = "", state: str = "open", sort: str = "severity",
) -> Any:  # fmt: skip
    require_read(request)
    pv = version_get(product_slug=slug, version=version)
    f = FindingFilters(severity=severity, kev=kev, epss_min=epss_min, method=method, state=state, sort=sort)
    return finding_list(filters=f, product_version=pv)


@router.get("/findings/{finding_id}/events", response=list[FindingEventOut], summary="A finding's history")
def finding_events(request: HttpRequest, finding_id: int) -> Any:
    require_read(request)
    finding = Finding.objects.filter(pk=finding_id).first()
    if finding is None:
        raise NotFoundError(f"no finding {finding_id}")
    return list(finding.events.all())
