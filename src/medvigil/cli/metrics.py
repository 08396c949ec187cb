"""``medvigil metrics [PRODUCT]``: the program metrics of docs/metrics.md (the same numbers as
``GET /api/metrics`` and the metrics page)."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from medvigil.cli import _django
from medvigil.cli.output import FormatOpt, OutputFormat, ProductFilterArg, console, print_json, print_table

__all__ = ["register"]


def _pct(share: float | None) -> str:
    return "-" if share is None else f"{share * 100:.1f} %"


def _tables(m: dict[str, Any]) -> None:
    o = m["open_cases"]["portfolio"]
    scope = m["product"] or "portfolio"
    console.print(
        f"{scope} as of {m['as_of']}: {o['total']} open cases ({o['uncontrolled']} uncontrolled, "
        f"{o['controlled']} controlled, {o['unassessed']} unassessed)",
        markup=False,
        highlight=False,
    )
    print_table(
        "Days from day 0 (deploy: from the fix)",
        ["duration", "n", "median", "p90", "min", "max"],
        (
            [w, *(b["portfolio"][k] for k in ("n", "median", "p90", "min", "max"))]
            for w, b in m["durations"].items()
        ),
    )
    print_table(
        "Clock compliance",
        ["milestone", "met", "late", "overdue", "pending", "share"],
        (
            [
                w,
                *(b["portfolio"][k] for k in ("met", "late", "overdue", "pending")),
                _pct(b["portfolio"]["share"]),
            ]
            for w, b in m["compliance"].items()
        ),
    )
    i = m["installed_base"]["portfolio"]
    known = (
        f"{i['patched']} of {i['units']} units ({_pct(i['share'])})"
        if m["installed_base"]["known"]
        else "unknown"
    )
    console.print(f"installed base on a fixed release: {known}", markup=False, highlight=False)


def metrics(
    product: ProductFilterArg = None,
    granularity: Annotated[str, typer.Option(help="bucket of the time series: month or week")] = "month",
    periods: Annotated[int, typer.Option(help="periods of the time series, ending today (1-104)")] = 12,
    format: FormatOpt = OutputFormat.TABLE,
) -> None:
    """Program metrics: open cases, time to assess/communicate/fix/deploy, clock compliance, burn-down."""
    if granularity not in ("month", "week"):
        raise typer.BadParameter("month or week", param_hint="'--granularity'")
    _django.setup()
    from medvigil.core.metrics.periods import Granularity
    from medvigil.web.metrics.selectors import MetricsQuery, metrics_get

    data = metrics_get(
        query=MetricsQuery(product=product, granularity=Granularity(granularity), periods=periods)
    )
    if format is OutputFormat.JSON:
        print_json(data)
        return
    _tables(data)


def register(app: typer.Typer) -> None:
    """Add the ``metrics`` command to ``app``."""
    app.command(name="metrics")(metrics)
