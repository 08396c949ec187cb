"""Findings pages: the portfolio list with filters, sorted and paginated in the database."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from medvigil.core.errors import InputError
from medvigil.web.accounts.decorators import viewer_required
from medvigil.web.findings.models import Finding
from medvigil.web.findings.selectors import METHODS, SEVERITIES, SORTS, FindingFilters, finding_list
from medvigil.web.inventory.models import Product

PAGE_SIZE = 50


def _filters(request: HttpRequest) -> FindingFilters:
    get = request.GET
    epss = get.get("epss_min", "").strip()
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
        sort=get.get("sort", "severity") or "severity",
    )


@viewer_required
def finding_list_page(request: HttpRequest) -> HttpResponse:
    error = ""
    try:
        filters = _filters(request)
        rows = finding_list(filters=filters)
    except InputError as exc:
        error, filters = exc.diagnostics(), FindingFilters()
        rows = finding_list(filters=filters)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "page": page, "f": filters, "error": error, "query": query.urlencode(),
        "products": Product.objects.only("slug", "name"), "severities": SEVERITIES, "methods": METHODS,
        "states": [*Finding.State.values, "all"], "sorts": list(SORTS),
    }  # fmt: skip
    return render(request, "findings/list.html", context)
