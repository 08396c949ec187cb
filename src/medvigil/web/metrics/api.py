"""``GET /api/metrics``: the program metrics of docs/metrics.md (viewers and up)."""

from __future__ import annotations

from typing import Any, Literal

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from medvigil.core.metrics.periods import Granularity
from medvigil.web.accounts.auth import require_read
from medvigil.web.metrics.selectors import MAX_PERIODS, MetricsQuery, metrics_get

router = Router(tags=["metrics"])


class MetricsIn(Schema):
    """One product (slug) or the whole portfolio; bucket size and number of periods of the series."""

    product: str | None = Field(None, description="product slug; the portfolio when omitted")
    granularity: Literal["month", "week"] = "month"
    periods: int = Field(12, ge=1, le=MAX_PERIODS, description="periods of the time series, ending today")


class StatsOut(Schema):
    """Day counts of one group: count, median and 90th percentile (linear interpolation), range, mean."""

    n: int
    median: float | None
    p90: float | None
    min: int | None
    max: int | None
    mean: float | None


class ProductStatsOut(StatsOut):
    product: str
    name: str


class BinOut(Schema):
    bin: str
    low: int
    high: int | None
    count: int


class DurationOut(Schema):
    """Days from day 0 (deploy: from the fix) per case: the portfolio, each product, the histogram."""

    portfolio: StatsOut
    by_product: list[ProductStatsOut]
    histogram: list[BinOut]


class DurationsOut(Schema):
    assess: DurationOut
    communicate: DurationOut
    fix: DurationOut
    deploy: DurationOut


class ClockCounts(Schema):
    """Milestones met on time, late, overdue (not done, past due) and pending; share = met / decided."""

    met: int
    late: int
    overdue: int
    pending: int
    share: float | None


class ProductClockCounts(ClockCounts):
    product: str
    name: str


class ClockOut(Schema):
    portfolio: ClockCounts
    by_product: list[ProductClockCounts]


class ComplianceOut(Schema):
    communication: ClockOut
    fix: ClockOut
    routine_update: ClockOut


class RiskCounts(Schema):
    uncontrolled: int
    controlled: int
    unassessed: int
    total: int


class ProductRiskCounts(RiskCounts):
    product: str
    name: str


class OpenCasesOut(Schema):
    portfolio: RiskCounts
    by_product: list[ProductRiskCounts]


class InstalledCounts(Schema):
    """Cases with a distributed fix and a known installed base; units in the field, and on a version
    outside the case's active scope (patched)."""

    cases: int
    units: int
    patched: int
    share: float | None


class ProductInstalledCounts(InstalledCounts):
    product: str
    name: str


class InstalledOut(Schema):
    known: bool
    portfolio: InstalledCounts
    by_product: list[ProductInstalledCounts]


class HeatRow(Schema):
    product: str
    name: str
    counts: list[int]


class HeatmapOut(Schema):
    """Open findings per product and CVSS severity (``counts`` follow ``severities``)."""

    severities: list[str]
    rows: list[HeatRow]


class BurnOut(Schema):
    period: str
    start: str
    opened: int
    closed: int
    open: int


class TrendOut(Schema):
    period: str
    start: str
    cases_opened: int
    cases_closed: int
    cases_open: int
    fixes: int
    fix_median: float | None
    fix_p90: float | None


class MetricsOut(Schema):
    """Every program metric; definitions in docs/metrics.md."""

    as_of: str
    product: str | None
    granularity: str
    periods: int
    open_cases: OpenCasesOut
    durations: DurationsOut
    compliance: ComplianceOut
    installed_base: InstalledOut
    heatmap: HeatmapOut
    burndown: list[BurnOut]
    trend: list[TrendOut]


_NO_PRODUCT = {
    "description": "No product with that slug",
    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
}


@router.get(
    "/metrics",
    response=MetricsOut,
    summary="Program metrics (FDA postmarket numbers)",
    openapi_extra={"responses": {"404": _NO_PRODUCT}},
)
def metrics(request: HttpRequest, filters: Query[MetricsIn]) -> dict[str, Any]:
    require_read(request)
    query = MetricsQuery(
        product=filters.product, granularity=Granularity(filters.granularity), periods=filters.periods
    )
    return metrics_get(query=query)
