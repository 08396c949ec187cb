"""The audit page (analysts and admins read; viewers do not) and its JSON export download."""

from __future__ import annotations

import datetime as dt
from typing import cast

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render

from medvigil.core.errors import InputError
from medvigil.web.accounts.decorators import analyst_required
from medvigil.web.audit import selectors
from medvigil.web.paging import RowsById

PAGE_SIZE = 50


def _date(request: HttpRequest, name: str) -> dt.date | None:
    text = request.GET.get(name, "").strip()
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise InputError(f"{name}: {text!r} is not a date (YYYY-MM-DD)", field=name) from None


def filter_from(request: HttpRequest) -> selectors.EventFilter:
    """The filter of the query string (actor, type, action, since, until, object)."""
    get = request.GET
    return selectors.EventFilter(
        actor=get.get("actor", "").strip()[:150],
        object_type=get.get("type", "").strip()[:100],
        action=get.get("action", "").strip()[:64],
        since=_date(request, "since"),
        until=_date(request, "until"),
        object_pk=get.get("object", "").strip()[:255],
    )


@analyst_required
def audit_list(request: HttpRequest) -> HttpResponse:
    """Filtered, server-side paged audit events, newest first."""
    error = ""
    try:
        flt = filter_from(request)
        rows = selectors.events(flt)
    except InputError as exc:
        error, flt = exc.diagnostics(), selectors.EventFilter()
        rows = selectors.events(flt)
    page = Paginator(RowsById(rows), PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "page": page,
        "flt": flt,
        "choices": selectors.choices(),
        "query": query.urlencode(),
        "error": error,
        "head": selectors.chain_head(),
    }
    return render(request, "audit/list.html", context, status=400 if error else 200)


@analyst_required
def audit_export(request: HttpRequest) -> HttpResponse:
    """The JSON export of the filtered events (complete when unfiltered), streamed."""
    try:
        flt = filter_from(request)
        selectors.events(flt)
    except InputError as exc:
        return HttpResponse(exc.diagnostics(), status=400, content_type="text/plain")
    response = StreamingHttpResponse(selectors.export_chunks(flt), content_type="application/json")
    response["Content-Disposition"] = 'attachment; filename="medvigil-audit.json"'
    return cast(HttpResponse, response)  # the role decorators are typed for HttpResponse
