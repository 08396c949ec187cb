"""Findings endpoints: the portfolio list, a version's findings, one finding's history, and a
product's supplier VEX documents (viewers read; analysts and admins upload and remove)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import File, Form, Router, Status
from ninja.files import UploadedFile
from ninja.pagination import paginate

from medvigil.web.accounts.auth import require_read, require_write
from medvigil.web.findings import services
from medvigil.web.findings.presenters import finding_dict, supplier_vex_dict
from medvigil.web.findings.schemas import (
    FindingEventOut,
    FindingOut,
    SupplierVexImportOut,
    SupplierVexOut,
    TriageIn,
)
from medvigil.web.findings.selectors import (
    FindingFilters,
    finding_get,
    finding_history,
    finding_rows,
    supplier_vex_get,
    supplier_vex_list,
)
from medvigil.web.inventory.selectors import product_get, version_get
from medvigil.web.paging import Paging

router = Router(tags=["findings"])

_DOC = (
    "filters: product, severity, kev, epss_min, method, state (open by default, or all); "
    "sort: severity, epss, kev"
)


class _Page(Paging):
    """LimitOffset pagination over presented rows (ids of the slice from an index, then the rows)."""

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
    return finding_rows(filters=f)


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
    return finding_rows(filters=f, product_version=pv)


@router.get("/findings/{finding_id}", response=FindingOut, summary="One finding, with its triage decision")
def finding_one(request: HttpRequest, finding_id: int) -> Any:
    require_read(request)
    return finding_dict(finding_get(finding_id=finding_id))


@router.get("/findings/{finding_id}/events", response=list[FindingEventOut], summary="A finding's history")
def finding_events(request: HttpRequest, finding_id: int) -> Any:
    require_read(request)
    finding = finding_get(finding_id=finding_id)
    return [
        {"at": e.at, "kind": e.kind, "old_state": e.old_state, "new_state": e.new_state, "reason": e.reason,
         "actor": e.actor.get_username() if e.actor else None}
        for e in finding_history(finding=finding)
    ]  # fmt: skip


@router.post(
    "/findings/{finding_id}/triage",
    response=FindingOut,
    summary="Triage one finding (analysts): false_positive, suppress (with 'until'), accept, clear "
    "(reverse the decision) or comment; each with a reason, recorded in the finding's history and kept "
    "by re-matching",
)
def finding_triage(request: HttpRequest, finding_id: int, body: TriageIn) -> Any:
    require_write(request)
    finding = services.finding_triage(
        finding=finding_get(finding_id=finding_id), action=body.action, reason=body.reason, until=body.until,
        user=request.user,
    )  # fmt: skip
    return finding_dict(finding_get(finding_id=finding.pk))


@router.get(
    "/products/{slug}/vex",
    response=list[SupplierVexOut],
    summary="A product's supplier VEX documents (include_removed=true for removed ones too)",
)
def vex_list(request: HttpRequest, slug: str, include_removed: bool = False) -> list[dict[str, Any]]:
    require_read(request)
    product = product_get(slug=slug)
    docs = supplier_vex_list(product=product, include_removed=include_removed)
    return [supplier_vex_dict(d) for d in docs]


@router.post(
    "/products/{slug}/vex",
    response={200: SupplierVexImportOut, 201: SupplierVexImportOut},
    summary="Upload a supplier VEX document: CycloneDX VEX, OpenVEX or CSAF (multipart field 'file'; "
    "optional 'version' limits it to one product version). Findings are re-matched in the background.",
)
def vex_upload(
    request: HttpRequest, slug: str, file: File[UploadedFile], version: Form[str] = ""
) -> Status[dict[str, Any]]:
    require_write(request)
    product = product_get(slug=slug)
    pv = version_get(product_slug=slug, version=version) if version else None
    result = services.supplier_vex_import(
        product=product, version=pv, filename=file.name or "upload", content=file.read(), user=request.user
    )
    body = {"created": result.created, "document": supplier_vex_dict(result.document)}
    return Status(201 if result.created else 200, body)


@router.get("/products/{slug}/vex/{vex_id}/content", summary="Download a supplier VEX document's bytes")
def vex_download(request: HttpRequest, slug: str, vex_id: int) -> HttpResponse:
    require_read(request)
    doc = supplier_vex_get(product=product_get(slug=slug), vex_id=vex_id)
    response = HttpResponse(bytes(doc.content), content_type="application/json")
    response["Content-Disposition"] = f'attachment; filename="{doc.filename}"'
    return response


@router.delete(
    "/products/{slug}/vex/{vex_id}",
    response=SupplierVexOut,
    summary="Stop applying a supplier VEX document (kept for the record); findings are re-matched",
)
def vex_remove(request: HttpRequest, slug: str, vex_id: int) -> dict[str, Any]:
    require_write(request)
    doc = supplier_vex_get(product=product_get(slug=slug), vex_id=vex_id)
    return supplier_vex_dict(services.supplier_vex_remove(document=doc, user=request.user))
