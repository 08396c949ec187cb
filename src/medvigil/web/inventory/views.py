"""Inventory pages: product list, product, version, diff. Thin: selectors read, services write."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse

from medvigil.core.errors import Error, NotFoundError
from medvigil.web.accounts.decorators import analyst_required, viewer_required
from medvigil.web.inventory import selectors, services, uploads
from medvigil.web.inventory.forms import ProductForm, SbomUploadForm, VersionForm, product_initial
from medvigil.web.sorting import Sort

COMPONENT_PAGE_SIZE = 100
DIFF_PAGE_SIZE = 100


def _not_found(request: HttpRequest, exc: NotFoundError) -> HttpResponse:
    return render(request, "inventory/not_found.html", {"message": exc.diagnostics()}, status=404)


@viewer_required
def product_list(request: HttpRequest) -> HttpResponse:
    q = request.GET.get("q", "").strip()
    sort = Sort.from_query(request.GET, selectors.PRODUCT_SORTS, "name")
    context = {
        "products": selectors.product_list(q=q, order_by=sort.order_by("id")),
        "q": q,
        "totals": selectors.version_counts(),
        "headers": sort.headers(request.GET),
    }
    return render(request, "inventory/product_list.html", context)


@analyst_required
def product_create(request: HttpRequest) -> HttpResponse:
    form = ProductForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            product = services.product_create(**form.service_kwargs())
        except Error as exc:
            _form_error(form, exc)
        else:
            messages.success(request, f"Created {product.name}.")
            return HttpResponseRedirect(reverse("inventory:product-detail", args=[product.slug]))
    return render(request, "inventory/product_form.html", {"form": form})


def _form_error(form: ProductForm, exc: Error) -> None:
    field = getattr(exc, "field", "")
    if field in form.fields:
        form.add_error(field, getattr(exc, "message", exc.diagnostics()))
    else:
        form.add_error(None, exc.diagnostics())


@analyst_required
def product_edit(request: HttpRequest, slug: str) -> HttpResponse:
    try:
        product = selectors.product_get(slug=slug)
    except NotFoundError as exc:
        return _not_found(request, exc)
    form = ProductForm(request.POST or None, initial=product_initial(product))
    if request.method == "POST" and form.is_valid():
        try:
            services.product_update(product=product, **form.service_kwargs())
        except Error as exc:
            _form_error(form, exc)
        else:
            messages.success(request, f"Saved {product.name}.")
            return HttpResponseRedirect(reverse("inventory:product-detail", args=[product.slug]))
    return render(request, "inventory/product_form.html", {"form": form, "product": product})


@viewer_required
def product_detail(request: HttpRequest, slug: str) -> HttpResponse:
    try:
        product = selectors.product_get(slug=slug)
    except NotFoundError as exc:
        return _not_found(request, exc)
    form = VersionForm(request.POST or None)
    if request.method == "POST":
        return _version_create(request, product, form)
    versions = list(selectors.version_list(product=product))
    context = {"product": product, "versions": versions, "form": form}
    return render(request, "inventory/product_detail.html", context)


@analyst_required
def _version_create(request: HttpRequest, product: object, form: VersionForm) -> HttpResponse:
    if form.is_valid():
        try:
            pv = services.version_create(product=product, **form.cleaned_data)  # type: ignore[arg-type]
        except Error as exc:
            messages.error(request, exc.diagnostics())
        else:
            messages.success(request, f"Registered version {pv.version}.")
    else:
        messages.error(
            request, "; ".join(f"{k}: {' '.join(str(e) for e in v)}" for k, v in form.errors.items())
        )
    return HttpResponseRedirect(request.path)


@viewer_required
def version_detail(request: HttpRequest, slug: str, version: str) -> HttpResponse:
    try:
        pv = selectors.version_get(product_slug=slug, version=version)
    except NotFoundError as exc:
        return _not_found(request, exc)
    if request.method == "POST":
        return _sbom_upload(request, pv)
    q = request.GET.get("q", "").strip()
    page = Paginator(selectors.component_rows(product_version=pv, q=q), COMPONENT_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    context = {
        "pv": pv,
        "product": pv.product,
        "q": q,
        "page": page,
        "query": urlencode({"q": q}) if q else "",
        "tree": selectors.component_tree(components=list(selectors.component_list(product_version=pv)))
        if not q and request.GET.get("tree") == "1"
        else None,
        "horizon": selectors.support_horizon(product_version=pv),
        "documents": selectors.document_list(product_version=pv),
        "events": pv.events.all()[:20],
        "upload_form": SbomUploadForm(),
        "other_versions": pv.product.versions.exclude(pk=pv.pk),
    }
    return render(request, "inventory/version_detail.html", context)


@analyst_required
def _sbom_upload(request: HttpRequest, pv: object) -> HttpResponse:
    form = SbomUploadForm(request.POST, request.FILES)
    too_large = uploads.refused(request, request.FILES.get("file"))
    if too_large:
        messages.error(request, f"Import refused, nothing was stored: {too_large}")
    elif form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            result = services.sbom_import(
                product_version=pv,  # type: ignore[arg-type]
                data=upload.read(),
                filename=upload.name,
                format=form.cleaned_data["format"] or None,
                user=request.user,
            )
        except Error as exc:
            messages.error(request, f"Import refused, nothing was stored: {exc.diagnostics()}")
        else:
            if result.created:
                messages.success(request, f"Imported {result.component_count} components.")
            else:
                messages.info(request, "This document is already the current SBOM; nothing changed.")
    else:
        messages.error(request, "Choose a file to upload.")
    return HttpResponseRedirect(request.path)


@viewer_required
def document_download(request: HttpRequest, slug: str, version: str, document_id: int) -> HttpResponse:
    try:
        pv = selectors.version_get(product_slug=slug, version=version)
        doc = selectors.document_get(product_version=pv, document_id=document_id)
    except NotFoundError as exc:
        return _not_found(request, exc)
    response = HttpResponse(bytes(doc.content), content_type="application/octet-stream")
    response["Content-Disposition"] = f'attachment; filename="{doc.filename}"'
    return response


@viewer_required
def version_diff(request: HttpRequest, slug: str) -> HttpResponse:
    try:
        product = selectors.product_get(slug=slug)
        versions = list(product.versions.all())
        old_v = request.GET.get("old") or (versions[1].version if len(versions) > 1 else "")
        new_v = request.GET.get("new") or (versions[0].version if versions else "")
        old = selectors.version_get(product_slug=slug, version=old_v)
        new = selectors.version_get(product_slug=slug, version=new_v)
    except NotFoundError as exc:
        return _not_found(request, exc)
    diff = selectors.version_diff(old=old, new=new)
    context = {
        "product": product,
        "versions": versions,
        "old": old,
        "new": new,
        "diff": diff,
        "page": Paginator(selectors.diff_rows(diff), DIFF_PAGE_SIZE).get_page(request.GET.get("page")),
        "query": urlencode({"old": old.version, "new": new.version}),
    }
    return render(request, "inventory/diff.html", context)


_EXPORTS = {
    "cyclonedx": ("cdx.json", "application/vnd.cyclonedx+json"),
    "spdx": ("spdx.json", "application/spdx+json"),
}


@viewer_required
def version_export(request: HttpRequest, slug: str, version: str, fmt: str) -> HttpResponse:
    """The version's current component set as CycloneDX 1.6 or SPDX 2.3 JSON (a download)."""
    from medvigil.core.sbom.export import to_cyclonedx_json, to_spdx_json

    if fmt not in _EXPORTS:
        return _not_found(request, NotFoundError(f"no export format {fmt!r}: cyclonedx or spdx"))
    try:
        pv = selectors.version_get(product_slug=slug, version=version)
    except NotFoundError as exc:
        return _not_found(request, exc)
    parsed = selectors.version_sbom(product_version=pv)
    data = to_cyclonedx_json(parsed) if fmt == "cyclonedx" else to_spdx_json(parsed)
    suffix, content_type = _EXPORTS[fmt]
    response = HttpResponse(data, content_type=content_type)
    safe = "".join(ch if ch.isalnum() or ch in "._-" else "_" for ch in f"{slug}-{pv.version}")
    response["Content-Disposition"] = f'attachment; filename="{safe}.{suffix}"'
    return response
