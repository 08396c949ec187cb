"""The dashboard page."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from medvigil.web.accounts.decorators import viewer_required
from medvigil.web.dashboard import selectors
from medvigil.web.dashboard.charts import bar_chart
from medvigil.web.metrics.selectors import metrics_summary
from medvigil.web.remediation.selectors import at_risk_this_week


@viewer_required
def dashboard(request: HttpRequest) -> HttpResponse:
    severity = selectors.findings_by_severity()
    by_product = selectors.findings_by_product()
    context = {
        "totals": selectors.totals(),
        "cases": selectors.case_totals(),
        "severity_chart": bar_chart(severity, title="Open findings by severity"),
        "product_chart": bar_chart(by_product, title="Open findings by product"),
        "horizon": selectors.horizon_totals(),
        "feeds": selectors.feed_freshness(),
        "at_risk": at_risk_this_week(),
        "metrics": metrics_summary(),
    }
    return render(request, "dashboard/dashboard.html", context)
