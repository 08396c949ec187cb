"""The metrics page and its CSV exports (viewers and up)."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from medvigil.core.errors import Error
from medvigil.core.metrics.periods import Granularity
from medvigil.web.accounts.decorators import viewer_required
from medvigil.web.inventory.models import Product
from medvigil.web.metrics import presenters
from medvigil.web.metrics.selectors import MetricsQuery, metrics_get


def _query(request: HttpRequest) -> MetricsQuery:
    g = request.GET
    granularity = Granularity.WEEK if g.get("granularity") == "week" else Granularity.MONTH
    periods = g.get("periods", "")
    default = 26 if granularity is Granularity.WEEK else 12
    return MetricsQuery(
        product=g.get("product") or None,
        granularity=granularity,
        periods=int(periods) if periods.isdigit() else default,
    )


@viewer_required
def metrics_page(request: HttpRequest) -> HttpResponse:
    query = _query(request)
    try:
        data = metrics_get(query=query)
    except Error as exc:
        raise Http404(exc.diagnostics()) from None
    context = {
        "m": data,
        "query": query,
        "products": Product.objects.order_by("name").values_list("slug", "name"),
        "tables": {name: presenters.table(name, data) for name in presenters.TABLES},
        "qs": request.GET.urlencode(),
    }
    return render(request, "metrics/metrics.html", context)


@viewer_required
def metrics_csv(request: HttpRequest, name: str) -> HttpResponse:
    if name not in presenters.TABLES:
        raise Http404("no such metrics table")
    try:
        data = metrics_get(query=_query(request))
    except Error as exc:
        raise Http404(exc.diagnostics()) from None
    response = HttpResponse(presenters.table_csv(name, data), content_type="text/csv; charset=utf-8")
    suffix = f"-{data['product']}" if data["product"] else ""
    response["Content-Disposition"] = f'attachment; filename="metrics-{name}{suffix}-{data["as_of"]}.csv"'
    return response
