"""Portfolio aggregates for the dashboard. Each figure is one grouped query."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Count, Max, Q
from django.utils import timezone

from medvigil.core.sbom.horizon import support_conflicts
from medvigil.web.advisories.models import ImportRun, Source
from medvigil.web.dashboard.charts import Bar
from medvigil.web.findings.models import Finding
from medvigil.web.inventory.models import Component, Product, ProductVersion
from medvigil.web.inventory.selectors import to_core
from medvigil.web.risk.models import Assessment, Case, CaseState
from medvigil.web.risk.selectors import UNCONTROLLED

SEVERITY_ORDER = ("critical", "high", "medium", "low", "none", "")


def findings_by_severity() -> list[Bar]:
    """Open findings per severity label, worst first."""
    counts = dict(
        Finding.objects.filter(state="open").values_list("severity").annotate(n=Count("id")).order_by()
    )
    return [Bar(s or "unscored", counts.get(s, 0), f"sev-{s or 'none'}") for s in SEVERITY_ORDER]


def findings_by_product() -> list[Bar]:
    """Open findings per product, most first."""
    rows = (
        Finding.objects.filter(state="open")
        .values("product__name", "product__slug")
        .annotate(n=Count("id"))
        .order_by("-n", "product__name")
    )
    return [Bar(r["product__name"], r["n"]) for r in rows]


def case_totals() -> dict[str, int]:
    """Open cases by the state of their current assessment."""
    open_cases = Case.objects.exclude(state=CaseState.CLOSED)
    current = Assessment.objects.filter(pk__in=open_cases.values("current_assessment"))
    agg = current.aggregate(
        uncontrolled=Count("id", filter=UNCONTROLLED),
        controlled=Count("id", filter=Q(controlled=True)),
        suggested=Count("id", filter=Q(status="suggested")),
    )
    return {
        "open": open_cases.count(),
        "unassessed": open_cases.filter(current_assessment__isnull=True).count(),
        "review": open_cases.filter(review_needed=True).count(),
        "closed": Case.objects.filter(state=CaseState.CLOSED).count(),
        **{k: v or 0 for k, v in agg.items()},
    }


def horizon_totals(today: dt.date | None = None) -> list[dict[str, Any]]:
    """Support-horizon conflicts per version, looking only at components that carry support data."""
    today = today or timezone.now().date()
    flagged = Component.objects.filter(
        Q(end_of_support__isnull=False) | Q(support_level__in=["no-longer-maintained", "abandoned"])
    ).select_related("product_version__product")
    by_version: dict[int, list[Component]] = {}
    for c in flagged:
        by_version.setdefault(c.product_version_id, []).append(c)
    out = []
    for rows in by_version.values():
        pv = rows[0].product_version
        conflicts = support_conflicts([to_core(r) for r in rows], pv.effective_end_of_support, today)
        if conflicts:
            out.append({"version": pv, "count": len(conflicts)})
    return sorted(out, key=lambda r: -r["count"])


def feed_freshness(now: dt.datetime | None = None) -> list[dict[str, Any]]:
    """Each source's last successful import and its age in days."""
    now = now or timezone.now()
    last = dict(
        ImportRun.objects.filter(status="succeeded").values_list("source_id").annotate(at=Max("finished_at"))
    )
    rows = []
    for source in Source.objects.order_by("name"):
        at = last.get(source.pk)
        rows.append({"source": source, "last": at, "age_days": (now - at).days if at else None})
    return rows


def totals() -> dict[str, int]:
    """Inventory and findings totals."""
    open_findings = Finding.objects.filter(state="open")
    return {
        "products": Product.objects.count(),
        "versions": ProductVersion.objects.count(),
        "components": Component.objects.count(),
        "findings": open_findings.count(),
        "kev": open_findings.filter(kev=True).count(),
        "epss_high": open_findings.filter(epss__gte=0.1).count(),
    }
