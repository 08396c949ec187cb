"""Intelligence pages: feeds (sources, runs, errors), vulnerability list and detail."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from medvigil.core.errors import Error, NotFoundError
from medvigil.web.accounts.decorators import viewer_required
from medvigil.web.advisories import selectors

PAGE_SIZE = 50


@viewer_required
def feeds(request: HttpRequest) -> HttpResponse:
    context = {
        "sources": selectors.source_list(),
        "runs": selectors.import_run_list(limit=50),
        "totals": selectors.totals(),
    }
    return render(request, "advisories/feeds.html", context)


def _kev(value: str) -> bool | None:
    return {"yes": True, "no": False}.get(value)


@viewer_required
def vulnerability_list(request: HttpRequest) -> HttpResponse:
    params = {k: request.GET.get(k, "").strip() for k in ("q", "kev", "severity", "order", "source")}
    order = params["order"] or "-cvss"
    try:
        qs = selectors.vulnerability_list(
            q=params["q"], kev=_kev(params["kev"]), severity=params["severity"], source=params["source"],
            order=order,
        )  # fmt: skip
    except Error as exc:
        return render(request, "inventory/not_found.html", {"message": exc.diagnostics()}, status=400)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    query = "&".join(f"{k}={v}" for k, v in params.items() if v)
    context = {
        "page": page,
        "params": params,
        "order": order,
        "orderings": list(selectors.ORDERINGS),
        "severities": selectors.SEVERITIES,
        "query": query,
    }
    return render(request, "advisories/vulnerability_list.html", context)


@viewer_required
def vulnerability_detail(request: HttpRequest, key: str) -> HttpResponse:
    try:
        detail = selectors.vulnerability_get(key=key)
    except NotFoundError as exc:
        return render(request, "inventory/not_found.html", {"message": exc.diagnostics()}, status=404)
    return render(request, "advisories/vulnerability_detail.html", {"d": detail, "v": detail.vulnerability})


@viewer_required
def record_raw(request: HttpRequest, source: str, record_id: str) -> HttpResponse:
    try:
        data = selectors.record_raw(source=source, record_id=record_id)
    except NotFoundError as exc:
        return render(request, "inventory/not_found.html", {"message": exc.diagnostics()}, status=404)
    return HttpResponse(data, content_type="application/json; charset=utf-8")
