"""Program metrics over hand-built cases with known answers (SQLite and PostgreSQL)."""

from __future__ import annotations

import datetime as dt
import random
import statistics
from typing import Any

import pytest

from medvigil.core.errors import InputError, NotFoundError
from medvigil.core.metrics.periods import Granularity
from medvigil.web.findings.models import Finding
from medvigil.web.inventory.models import Product, ProductVersion
from medvigil.web.metrics.selectors import MetricsQuery, metrics_get, metrics_summary
from tests.web.metrics.conftest import TODAY, d, make_case, make_finding

pytestmark = pytest.mark.django_db


def _q(
    product: str | None = None, periods: int = 3, granularity: Granularity = Granularity.MONTH
) -> MetricsQuery:
    return MetricsQuery(product=product, granularity=granularity, periods=periods, today=TODAY)


def test_open_cases_by_risk_and_product(portfolio: Any) -> None:
    m = metrics_get(query=_q())
    assert m["open_cases"]["portfolio"] == {"uncontrolled": 2, "controlled": 1, "unassessed": 1, "total": 4}
    rows = {r["product"]: r for r in m["open_cases"]["by_product"]}
    assert rows["pump-x"]["uncontrolled"] == 2 and rows["pump-x"]["total"] == 2
    assert rows["monitor-y"] == {
        "product": "monitor-y",
        "name": "Monitor Y",
        "uncontrolled": 0,
        "controlled": 1,
        "unassessed": 1,
        "total": 2,
    }


def test_time_to_assess_with_ties_in_calendar_days(portfolio: Any) -> None:
    assess = metrics_get(query=_q())["durations"]["assess"]
    # days 3, 10, 1, 10 -> sorted 1, 3, 10, 10: median 6.5, p90 = 10 (tie), holidays counted as days
    assert assess["portfolio"] == {"n": 4, "median": 6.5, "p90": 10.0, "min": 1, "max": 10, "mean": 6.0}
    pump = next(r for r in assess["by_product"] if r["product"] == "pump-x")
    assert (pump["n"], pump["median"], pump["p90"]) == (3, 3.0, 8.6)


def test_time_to_communicate_counts_uncontrolled_cases_only(portfolio: Any) -> None:
    comm = metrics_get(query=_q())["durations"]["communicate"]["portfolio"]
    assert (comm["n"], comm["median"], comm["p90"]) == (2, 28.0, 35.2)


def test_time_to_fix_distribution(portfolio: Any) -> None:
    fix = metrics_get(query=_q())["durations"]["fix"]
    assert (fix["portfolio"]["median"], fix["portfolio"]["p90"]) == (47.5, 53.5)
    assert {b["bin"]: b["count"] for b in fix["histogram"]}["31-60"] == 2
    assert sum(b["count"] for b in fix["histogram"]) == 2


def test_fda_clock_and_routine_update_compliance(portfolio: Any) -> None:
    c = metrics_get(query=_q())["compliance"]
    assert c["communication"]["portfolio"] == {"met": 1, "late": 1, "overdue": 0, "pending": 1, "share": 0.5}
    assert c["fix"]["portfolio"] == {"met": 1, "late": 0, "overdue": 1, "pending": 1, "share": 0.5}
    # controlled, severity 5: the default target is 30 days; fixed on day 40
    assert c["routine_update"]["portfolio"] == {"met": 0, "late": 1, "overdue": 0, "pending": 0, "share": 0.0}


def test_installed_base_share_and_time_to_field(portfolio: Any) -> None:
    m = metrics_get(query=_q())
    assert m["installed_base"]["known"] is True
    assert m["installed_base"]["portfolio"] == {"cases": 1, "units": 1000, "patched": 700, "share": 0.7}
    # fix distributed 02-25; 70 % on 03-01 (< 90 %), 95 % on 04-01: 35 days
    deploy = m["durations"]["deploy"]["portfolio"]
    assert (deploy["n"], deploy["median"]) == (1, 35.0)


def test_burndown_and_heatmap(portfolio: Any) -> None:
    m = metrics_get(query=_q("pump-x"))
    assert [(b["period"], b["opened"], b["closed"], b["open"]) for b in m["burndown"]] == [
        ("2026-04", 1, 1, 2),
        ("2026-05", 1, 0, 3),
        ("2026-06", 0, 1, 2),
    ]
    assert m["heatmap"]["rows"] == [
        {"product": "pump-x", "name": "Infusion Pump X", "counts": [1, 1, 0, 0, 0, 0]}
    ]
    everyone = metrics_get(query=_q())["heatmap"]
    assert [r["product"] for r in everyone["rows"]] == ["monitor-y", "pump-x"]
    assert everyone["rows"][0]["counts"][everyone["severities"].index("medium")] == 1


def test_portfolio_burndown_counts_each_period_to_its_last_second(portfolio: Any) -> None:
    other = ProductVersion.objects.get(product__slug="monitor-y")
    for when in ("2026-04-30T23:59:59", "2026-06-07T23:59:59", "2026-06-08T00:00:00"):
        finding = make_finding(other, when[:10], "high")
        Finding.objects.filter(pk=finding.pk).update(first_seen=dt.datetime.fromisoformat(f"{when}+00:00"))
    months = metrics_get(query=_q())["burndown"]
    assert [(b["period"], b["opened"], b["closed"], b["open"]) for b in months] == [
        ("2026-04", 2, 1, 3),
        ("2026-05", 2, 0, 5),
        ("2026-06", 2, 1, 6),
    ]
    weeks = metrics_get(query=_q(granularity=Granularity.WEEK))["burndown"]
    assert [(b["period"], b["opened"], b["closed"], b["open"]) for b in weeks] == [
        ("2026-W23", 1, 1, 5),  # Monday 1 June to Sunday 7 June, its last second included
        ("2026-W24", 1, 0, 6),
        ("2026-W25", 0, 0, 6),
    ]


def test_trend_of_cases(portfolio: Any) -> None:
    trend = metrics_get(query=_q())["trend"]
    assert [(t["period"], t["cases_opened"], t["cases_closed"], t["cases_open"]) for t in trend] == [
        ("2026-04", 0, 0, 2),
        ("2026-05", 1, 0, 3),
        ("2026-06", 1, 0, 4),
    ]
    assert (trend[0]["fixes"], trend[0]["fix_median"]) == (1, 40.0)
    weeks = metrics_get(query=_q(granularity=Granularity.WEEK, periods=3))["trend"]
    assert [w["period"] for w in weeks] == ["2026-W23", "2026-W24", "2026-W25"]
    assert [w["cases_opened"] for w in weeks] == [1, 0, 0]  # 2026-06-01 is the Monday of W23


def test_product_filter_and_unknown_product(portfolio: Any) -> None:
    m = metrics_get(query=_q("monitor-y"))
    assert m["open_cases"]["portfolio"]["total"] == 2
    assert m["durations"]["assess"]["portfolio"]["n"] == 1
    assert m["installed_base"]["known"] is False
    with pytest.raises(NotFoundError):
        metrics_get(query=_q("nope"))
    with pytest.raises(InputError):
        metrics_get(query=_q(periods=0))


def test_empty_portfolio() -> None:
    m = metrics_get(query=_q())
    assert m["open_cases"]["portfolio"] == {"uncontrolled": 0, "controlled": 0, "unassessed": 0, "total": 0}
    for block in m["durations"].values():
        assert block["portfolio"] == {
            "n": 0,
            "median": None,
            "p90": None,
            "min": None,
            "max": None,
            "mean": None,
        }
        assert all(b["count"] == 0 for b in block["histogram"])
    assert m["compliance"]["fix"]["portfolio"]["share"] is None
    assert m["installed_base"] == {
        "known": False,
        "portfolio": {"cases": 0, "units": 0, "patched": 0, "share": None},
        "by_product": [],
    }
    assert [b["open"] for b in m["burndown"]] == [0, 0, 0]
    assert metrics_summary(today=TODAY)["fix"]["n"] == 0


def test_one_case(product: Product) -> None:
    make_case(product, "2026-05-01", assessed="2026-05-03", communicated="2026-05-31", fixed="2026-06-30")
    m = metrics_get(query=_q())
    for name, days in (("assess", 2), ("communicate", 30), ("fix", 60)):
        p = m["durations"][name]["portfolio"]
        assert (p["n"], p["median"], p["p90"], p["min"], p["max"]) == (1, days, days, days, days)
    # day 30 and day 60 exactly are on time
    assert m["compliance"]["communication"]["portfolio"]["met"] == 1
    assert m["compliance"]["fix"]["portfolio"]["met"] == 1


def test_percentiles_agree_with_statistics_quantiles(product: Product) -> None:
    rng = random.Random(7)
    days = [rng.choice([0, 1, 5, 5, 30, 60, 61, 200]) + rng.randrange(40) for _ in range(157)]
    start = d("2025-01-01")
    for n in days:
        fixed = start + dt.timedelta(days=n)
        make_case(product, start.isoformat(), assessed=start.isoformat(), fixed=fixed.isoformat())
    fix = metrics_get(query=_q())["durations"]["fix"]["portfolio"]
    deciles = statistics.quantiles(days, n=10, method="inclusive")
    assert fix["n"] == len(days)
    assert fix["median"] == pytest.approx(statistics.median(days), abs=0.005)
    assert fix["p90"] == pytest.approx(deciles[8], abs=0.005)
    assert (fix["min"], fix["max"]) == (min(days), max(days))


def test_summary_matches_the_full_metrics(portfolio: Any) -> None:
    full, summary = metrics_get(query=_q()), metrics_summary(today=TODAY)
    assert summary["fix"] == full["durations"]["fix"]["portfolio"]
    assert summary["communication"] == full["compliance"]["communication"]["portfolio"]
    assert summary["fix_clock"] == full["compliance"]["fix"]["portfolio"]
    assert set(summary) == {"as_of", "fix", "communication", "fix_clock"}
