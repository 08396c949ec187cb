"""Inventory endpoints: products, versions, SBOM upload, components, horizon and diff.

Each endpoint parses input, checks the role, calls one service or selector and serialises.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import File, Form, Router, Status
from ninja.files import UploadedFile
from ninja.pagination import paginate

from medvigil.web.accounts.auth import require_read, require_write
from medvigil.web.inventory import selectors, services, uploads
from medvigil.web.inventory.models import Product, ProductVersion
from medvigil.web.inventory.presenters import diff_dict, horizon_dicts, product_dict
from medvigil.web.inventory.schemas import (
    ComponentOut,
    DiffOut,
    DocumentOut,
    ErrorOut,
    HorizonOut,
    ImportOut,
    ProductIn,
    ProductOut,
    ProductPatch,
    VersionIn,
    VersionOut,
)
from medvigil.web.paging import Paging

router = Router(tags=["inventory"])


@router.get("/products", response=list[ProductOut], summary="List products")
def product_list(request: HttpRequest, q: str = "") -> list[dict[str, Any]]:
    require_read(request)
    return [product_dict(p) for p in selectors.product_list(q=q)]


@router.post("/products", response={201: ProductOut}, summary="Create a product")
def product_create(request: HttpRequest, payload: ProductIn) -> Status[dict[str, Any]]:
    require_write(request)
    product = services.product_create(**payload.dict())
    return Status(201, product_dict(product))


@router.get("/products/{slug}", response=ProductOut, summary="Get a product")
def product_get(request: HttpRequest, slug: str) -> dict[str, Any]:
    require_read(request)
    return product_dict(selectors.product_get(slug=slug))


@router.patch("/products/{slug}", response=ProductOut, summary="Change a product")
def product_update(request: HttpRequest, slug: str, payload: ProductPatch) -> dict[str, Any]:
    require_write(request)
    product = selectors.product_get(slug=slug)
    fields = payload.dict(exclude_unset=True)
    return product_dict(services.product_update(product=product, **fields))


@router.get("/products/{slug}/versions", response=list[VersionOut], summary="List a product's versions")
def version_list(request: HttpRequest, slug: str) -> list[ProductVersion]:
    require_read(request)
    return list(selectors.version_list(product=selectors.product_get(slug=slug)))


@router.post("/products/{slug}/versions", response={201: VersionOut}, summary="Register a version")
def version_create(request: HttpRequest, slug: str, payload: VersionIn) -> Status[ProductVersion]:
    require_write(request)
    product: Product = selectors.product_get(slug=slug)
    return Status(201, services.version_create(product=product, **payload.dict()))


@router.post(
    "/products/{slug}/versions/{version}/sbom",
    response={200: ImportOut, 201: ImportOut, 400: ErrorOut, 413: ErrorOut},
    summary="Upload an SBOM or lockfile (multipart field 'file'; optional 'format')",
)
def sbom_upload(
    request: HttpRequest,
    slug: str,
    version: str,
    file: File[UploadedFile | None] = None,
    format: Form[str] = "",
) -> Status[dict[str, Any]]:
    require_write(request)
    too_large = uploads.refused(request, file)
    if too_large:
        return Status(413, {"error": f"import refused, nothing was stored: {too_large}"})
    if file is None:
        return Status(400, {"error": "the multipart field 'file' is required"})
    pv = selectors.version_get(product_slug=slug, version=version)
    result = services.sbom_import(
        product_version=pv,
        data=file.read(),
        filename=file.name or "upload",
        format=format or None,
        user=request.user,
    )
    body = {
        "created": result.created,
        "document": result.document,
        "component_count": result.component_count,
        "replaced": result.replaced,
    }
    return Status(201 if result.created else 200, body)


@router.get(
    "/products/{slug}/versions/{version}/components",
    response=list[ComponentOut],
    summary="List a version's components (paginated; q filters name, purl, supplier, version)",
)
@paginate(Paging)
def component_list(request: HttpRequest, slug: str, version: str, q: str = "") -> Any:
    require_read(request)
    pv = selectors.version_get(product_slug=slug, version=version)
    return selectors.component_list(product_version=pv, q=q)


@router.get(
    "/products/{slug}/versions/{version}/documents",
    response=list[DocumentOut],
    summary="List every SBOM document imported for a version",
)
def document_list(request: HttpRequest, slug: str, version: str) -> Any:
    require_read(request)
    pv = selectors.version_get(product_slug=slug, version=version)
    return list(selectors.document_list(product_version=pv))


@router.get(
    "/products/{slug}/versions/{version}/documents/{document_id}/content",
    summary="Download an SBOM document's original bytes",
)
def document_download(request: HttpRequest, slug: str, version: str, document_id: int) -> HttpResponse:
    require_read(request)
    pv = selectors.version_get(product_slug=slug, version=version)
    doc = selectors.document_get(product_version=pv, document_id=document_id)
    response = HttpResponse(bytes(doc.content), content_type="application/octet-stream")
    response["Content-Disposition"] = f'attachment; filename="{doc.filename}"'
    return response


@router.get(
    "/products/{slug}/versions/{version}/horizon",
    response=list[HorizonOut],
    summary="Components whose support ends before the product's",
)
def horizon(request: HttpRequest, slug: str, version: str) -> list[dict[str, Any]]:
    require_read(request)
    pv = selectors.version_get(product_slug=slug, version=version)
    return horizon_dicts(selectors.support_horizon(product_version=pv))


@router.get("/products/{slug}/diff", response=DiffOut, summary="Component diff between two versions")
def version_diff(request: HttpRequest, slug: str, old: str, new: str) -> dict[str, Any]:
    require_read(request)
    a = selectors.version_get(product_slug=slug, version=old)
    b = selectors.version_get(product_slug=slug, version=new)
    return diff_dict(selectors.version_diff(old=a, new=b))
