"""Findings pages: the portfolio list with filters, sorted and paginated in the database; the
supplier VEX upload, removal and download behind the product page's VEX section."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_POST

from medvigil.core.errors import Error, InputError, NotFoundError
from medvigil.web.accounts.decorators import analyst_required, viewer_required
from medvigil.web.findings import services
from medvigil.web.findings.models import Finding
from medvigil.web.findings.presenters import match_explained
from medvigil.web.findings.selectors import (
    METHODS,
    SEVERITIES,
    SORTS,
    FindingFilters,
    finding_case_id,
    finding_get,
    finding_history,
    finding_rows,
    supplier_vex_get,
)
from medvigil.web.inventory.models import Product
from medvigil.web.inventory.selectors import product_get, version_get
from medvigil.web.sorting import Sort

PAGE_SIZE = 50


def _filters(request: HttpRequest) -> FindingFilters:
    get = request.GET
    epss = get.get("epss_min", "").strip()
    sort = Sort.from_query(get, SORTS, "severity", desc=True)
    try:
        epss_min = float(epss) if epss else None
    except ValueError:
        raise InputError("EPSS must be a number between 0 and 1", field="epss_min") from None
    return FindingFilters(
        product=get.get("product", ""),
        severity=get.get("severity", ""),
        kev=True if get.get("kev") else None,
        epss_min=epss_min,
        method=get.get("method", ""),
        state=get.get("state", "open") or "open",
        sort=sort.key,
        desc=sort.desc,
    )


@viewer_required
def finding_list_page(request: HttpRequest) -> HttpResponse:
    error = ""
    try:
        filters = _filters(request)
        rows = finding_rows(filters=filters)
    except InputError as exc:
        error, filters = exc.diagnostics(), FindingFilters()
        rows = finding_rows(filters=filters)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "page": page, "f": filters, "error": error, "query": query.urlencode(),
        "products": Product.objects.only("slug", "name"), "severities": SEVERITIES, "methods": METHODS,
        "states": [*Finding.State.values, "all"], "sorts": list(SORTS),
        "headers": Sort(SORTS, filters.sort, filters.desc).headers(request.GET),
    }  # fmt: skip
    return render(request, "findings/list.html", context)


class SupplierVexForm(forms.Form):
    """Upload a supplier VEX document for a product (optionally one version)."""

    file = forms.FileField(label="VEX document")
    version = forms.CharField(
        required=False, max_length=100, help_text="leave empty when the statements apply to every version"
    )


def _product_page(slug: str) -> HttpResponseRedirect:
    return HttpResponseRedirect(reverse("inventory:product-detail", args=[slug]) + "#supplier-vex")


@require_POST
@analyst_required
def vex_upload(request: HttpRequest, slug: str) -> HttpResponse:
    form = SupplierVexForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, "Choose a VEX document to upload.")
        return _product_page(slug)
    upload = form.cleaned_data["file"]
    try:
        product = product_get(slug=slug)
        wanted = form.cleaned_data["version"].strip()
        pv = version_get(product_slug=slug, version=wanted) if wanted else None
        result = services.supplier_vex_import(
            product=product, version=pv, filename=upload.name, content=upload.read(), user=request.user
        )
    except Error as exc:
        messages.error(request, f"VEX refused, nothing was stored: {exc.diagnostics()}")
    else:
        doc = result.document
        if result.created:
            messages.success(
                request,
                f"Stored {doc.filename} ({doc.get_format_display()}, {doc.statement_count} "
                f"statement{'' if doc.statement_count == 1 else 's'}); "
                "findings are being re-matched.",
            )
        else:
            messages.info(request, f"{doc.filename} is already stored for this product; nothing changed.")
    return _product_page(slug)


@require_POST
@analyst_required
def vex_remove(request: HttpRequest, slug: str, vex_id: int) -> HttpResponse:
    try:
        doc = supplier_vex_get(product=product_get(slug=slug), vex_id=vex_id)
    except NotFoundError as exc:
        messages.error(request, exc.diagnostics())
    else:
        services.supplier_vex_remove(document=doc, user=request.user)
        messages.success(request, f"Removed {doc.filename}; findings it covered are being re-matched.")
    return _product_page(slug)


@viewer_required
def vex_download(request: HttpRequest, slug: str, vex_id: int) -> HttpResponse:
    try:
        doc = supplier_vex_get(product=product_get(slug=slug), vex_id=vex_id)
    except NotFoundError as exc:
        return render(request, "inventory/not_found.html", {"message": exc.diagnostics()}, status=404)
    response = HttpResponse(bytes(doc.content), content_type="application/json")
    response["Content-Disposition"] = f'attachment; filename="{doc.filename}"'
    return response


class TriageForm(forms.Form):
    """An analyst's decision on one finding."""

    action = forms.ChoiceField(
        choices=[
            ("false_positive", "False positive"),
            ("suppress", "Suppress until a date"),
            ("accept", "Accept the risk"),
            ("clear", "Reverse the decision (open again)"),
            ("comment", "Comment only"),
        ]
    )
    until = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    reason = forms.CharField(max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))


@viewer_required
def finding_detail(request: HttpRequest, finding_id: int) -> HttpResponse:
    try:
        f = finding_get(finding_id=finding_id)
    except NotFoundError as exc:
        return render(request, "inventory/not_found.html", {"message": exc.diagnostics()}, status=404)
    context = {
        "f": f,
        "pv": f.product_version,
        "product": f.product_version.product,
        "events": list(finding_history(finding=f)),
        "case_id": finding_case_id(finding=f),
        "explained": match_explained(f.method, f.confidence),
        "form": TriageForm(initial={"action": "false_positive"}),
    }
    return render(request, "findings/detail.html", context)


@require_POST
@analyst_required
def finding_triage(request: HttpRequest, finding_id: int) -> HttpResponse:
    target = reverse("findings:detail", args=[finding_id])
    form = TriageForm(request.POST)
    if not form.is_valid():
        messages.error(
            request, "; ".join(f"{k}: {' '.join(str(e) for e in v)}" for k, v in form.errors.items())
        )
        return HttpResponseRedirect(target)
    try:
        f = services.finding_triage(
            finding=finding_get(finding_id=finding_id), action=form.cleaned_data["action"],
            reason=form.cleaned_data["reason"], until=form.cleaned_data["until"], user=request.user,
        )  # fmt: skip
    except Error as exc:
        messages.error(request, f"Nothing changed: {exc.diagnostics()}")
    else:
        messages.success(request, f"Recorded: the finding is now {f.get_state_display()}.")
    return HttpResponseRedirect(target)
