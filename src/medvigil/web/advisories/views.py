"""Intelligence pages: feeds (sources, online sync, runs, errors), vulnerability list and detail."""

from __future__ import annotations

from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from medvigil.core.errors import Error, NotFoundError
from medvigil.web.accounts.decorators import viewer_required
from medvigil.web.accounts.roles import Role, role_of
from medvigil.web.advisories import selectors
from medvigil.web.sorting import Sort

PAGE_SIZE = 50


@viewer_required
def feeds(request: HttpRequest) -> HttpResponse:
    uploads = list(selectors.feed_upload_list(limit=10))
    context = {
        "sources": selectors.source_list(),
        "runs": selectors.import_run_list(limit=50),
        "uploads": uploads,
        "uploads_pending": any(u.pending for u in uploads),
        "totals": selectors.totals(),
        "syncs": selectors.feed_sync_list(),
        "schedule": settings.FEEDS_SYNC_SCHEDULE,
        "can_sync": role_of(request.user) >= Role.ADMIN,
    }
    return render(request, "advisories/feeds.html", context)


@require_POST
@login_required
def feeds_sync_now(request: HttpRequest) -> HttpResponse:
    """Queue a sync of the enabled sources (admins only; CSRF-protected form)."""
    if role_of(request.user) < Role.ADMIN:
        raise PermissionDenied("the admin role is needed to start a feed sync")
    from medvigil.web.advisories.tasks import feeds_sync_task

    feeds_sync_task(None)
    messages.success(request, "Feed sync queued; the worker runs it and this page shows its outcome.")
    return redirect("advisories:feeds")


@require_POST
@login_required
def feeds_import_upload(request: HttpRequest) -> HttpResponse:
    """Import an uploaded feed file or air-gap bundle (admins only; CSRF-protected form)."""
    if role_of(request.user) < Role.ADMIN:
        raise PermissionDenied("the admin role is needed to import feeds")
    from medvigil.web.advisories.uploads import feed_upload_queue
    from medvigil.web.inventory.uploads import refused

    upload = request.FILES.get("file")
    too_large = refused(request, upload)
    if too_large:
        messages.error(
            request, f"Import refused, nothing was stored: {too_large}; use medvigil feeds import."
        )
    elif upload is None:
        messages.error(request, "Choose a feed file or bundle to import.")
    else:
        try:
            row = feed_upload_queue(upload=upload, kind=request.POST.get("kind", "feed"), user=request.user)
        except Error as exc:
            messages.error(request, exc.diagnostics())
        else:
            messages.success(
                request, f"{row.name}: import queued; its outcome is shown under Uploaded files."
            )
    return redirect("advisories:feeds")


def _kev(value: str) -> bool | None:
    return {"yes": True, "no": False}.get(value)


@viewer_required
def vulnerability_list(request: HttpRequest) -> HttpResponse:
    params = {k: request.GET.get(k, "").strip() for k in ("q", "kev", "severity", "source")}
    sort = Sort.from_query(request.GET, selectors.SORTS, "cvss", desc=True)
    try:
        qs = selectors.vulnerability_rows(
            q=params["q"], kev=_kev(params["kev"]), severity=params["severity"], source=params["source"],
            ordering=sort.order_by(),
        )  # fmt: skip
    except Error as exc:
        return render(request, "inventory/not_found.html", {"message": exc.diagnostics()}, status=400)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    kept = {**params, "sort": sort.key, "dir": "desc" if sort.desc else "asc"}
    context = {
        "page": page,
        "params": params,
        "sort": sort,
        "headers": sort.headers(request.GET),
        "severities": selectors.SEVERITIES,
        "query": urlencode({k: v for k, v in kept.items() if v}),
    }
    return render(request, "advisories/vulnerability_list.html", context)


@viewer_required
def vulnerability_detail(request: HttpRequest, key: str) -> HttpResponse:
    try:
        detail = selectors.vulnerability_get(key=key)
    except NotFoundError as exc:
        return render(request, "inventory/not_found.html", {"message": exc.diagnostics()}, status=404)
    v = detail.vulnerability
    impact = selectors.vulnerability_impact(vulnerability=v)
    return render(request, "advisories/vulnerability_detail.html", {"d": detail, "v": v, "impact": impact})


@viewer_required
def record_raw(request: HttpRequest, source: str, record_id: str) -> HttpResponse:
    try:
        data = selectors.record_raw(source=source, record_id=record_id)
    except NotFoundError as exc:
        return render(request, "inventory/not_found.html", {"message": exc.diagnostics()}, status=404)
    return HttpResponse(data, content_type="application/json; charset=utf-8")
