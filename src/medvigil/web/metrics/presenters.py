"""The metrics as tables: the page's table views and the CSV exports show the same rows."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from typing import Any

__all__ = ["TABLES", "table", "table_csv"]

Table = tuple[list[str], list[list[Any]]]


def _trend(m: dict[str, Any]) -> Table:
    cols = ["period", "cases_opened", "cases_closed", "cases_open", "fixes", "fix_median", "fix_p90"]
    return cols, [[r[c] for c in cols] for r in m["trend"]]


def _histogram(m: dict[str, Any]) -> Table:
    d = m["durations"]
    rows = [
        [b["bin"], *(d[w]["histogram"][i]["count"] for w in ("assess", "communicate", "fix", "deploy"))]
        for i, b in enumerate(d["fix"]["histogram"])
    ]
    return ["days", "assess", "communicate", "fix", "deploy"], rows


def _burndown(m: dict[str, Any]) -> Table:
    cols = ["period", "opened", "closed", "open"]
    return cols, [[r[c] for c in cols] for r in m["burndown"]]


def _heatmap(m: dict[str, Any]) -> Table:
    h = m["heatmap"]
    return ["product", *h["severities"]], [[r["name"], *r["counts"]] for r in h["rows"]]


def _durations(m: dict[str, Any]) -> Table:
    cols = ["n", "median", "p90", "min", "max", "mean"]
    rows = []
    for w, block in m["durations"].items():
        rows.append([w, "portfolio", *(block["portfolio"][c] for c in cols)])
        rows.extend([w, r["name"], *(r[c] for c in cols)] for r in block["by_product"])
    return ["duration", "product", *cols], rows


def _compliance(m: dict[str, Any]) -> Table:
    cols = ["met", "late", "overdue", "pending", "share"]
    rows = []
    for w, block in m["compliance"].items():
        rows.append([w, "portfolio", *(block["portfolio"][c] for c in cols)])
        rows.extend([w, r["name"], *(r[c] for c in cols)] for r in block["by_product"])
    return ["milestone", "product", *cols], rows


def _open_cases(m: dict[str, Any]) -> Table:
    cols = ["uncontrolled", "controlled", "unassessed", "total"]
    o = m["open_cases"]
    return ["product", *cols], [
        ["portfolio", *(o["portfolio"][c] for c in cols)],
        *([r["name"], *(r[c] for c in cols)] for r in o["by_product"]),
    ]


def _installed(m: dict[str, Any]) -> Table:
    cols = ["cases", "units", "patched", "share"]
    i = m["installed_base"]
    return ["product", *cols], [
        ["portfolio", *(i["portfolio"][c] for c in cols)],
        *([r["name"], *(r[c] for c in cols)] for r in i["by_product"]),
    ]


TABLES: dict[str, tuple[str, Callable[[dict[str, Any]], Table]]] = {
    "trend": ("Cases over time and time to fix", _trend),
    "histogram": ("Time to assess, communicate, fix and deploy (cases per bin of days)", _histogram),
    "burndown": ("Open findings (burn-down)", _burndown),
    "heatmap": ("Open findings by product and severity", _heatmap),
    "durations": ("Durations in days: median and 90th percentile", _durations),
    "compliance": ("FDA clock and routine-update compliance", _compliance),
    "open_cases": ("Open cases by risk and product", _open_cases),
    "installed_base": ("Installed base on a fixed release", _installed),
}
"""Table name -> (title, builder). The page shows each; ``/metrics/<name>.csv`` exports it."""


def _cell(value: Any) -> Any:
    if isinstance(value, float):
        return round(value, 4)
    return "" if value is None else value


def table(name: str, metrics: dict[str, Any]) -> dict[str, Any]:
    """``{"name", "title", "columns", "rows"}`` of one table (cells: None shown empty)."""
    title, build = TABLES[name]
    cols, rows = build(metrics)
    return {"name": name, "title": title, "columns": cols, "rows": [[_cell(c) for c in r] for r in rows]}


def table_csv(name: str, metrics: dict[str, Any]) -> str:
    """The table as CSV text (header row first)."""
    t = table(name, metrics)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(t["columns"])
    writer.writerows(t["rows"])
    return out.getvalue()
