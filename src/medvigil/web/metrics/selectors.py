"""Program metrics over the database (definitions: docs/metrics.md).

Every figure is an aggregate query (GROUP BY, window functions, ``percentile_cont``); Python only
folds the grouped rows (one per product, period or bin), never one per case or finding. The
case-level facts come from one subquery (:func:`_case_facts`): day 0, the first confirmation
(``Case.first_confirmed``), the current assessment, and the risk and the communication and fix
dates the remediation clock derived
(``remediation.CaseFile.determination["facts"]``, copied into the indexed ``CaseFile`` columns
``risk_status``, ``communication_sent`` and ``fix_distributed`` by the same service), so the metrics
agree with the clock page.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.db.models import Count
from django.utils import timezone

from medvigil.core.errors import InputError, NotFoundError
from medvigil.core.metrics.periods import (
    Granularity,
    burndown,
    period_after,
    period_label,
    period_start,
    periods,
)
from medvigil.core.metrics.stats import DURATION_BINS, compliance_share
from medvigil.core.remediation.clock import COMMUNICATION_DAYS, FIX_DAYS, controlled_targets_from_mapping
from medvigil.web.findings.models import Finding
from medvigil.web.inventory.models import InstalledBase, Product, ProductVersion
from medvigil.web.metrics.sql import EMPTY, Dialect, Stats, dialect, fetch, percentile_rows
from medvigil.web.remediation.models import CaseAction, CaseFile, RemediationSettings
from medvigil.web.risk.models import Assessment, Case, CaseVersion

__all__ = ["DEPLOY_SHARE", "MAX_PERIODS", "MetricsQuery", "metrics_get", "metrics_summary"]

DEPLOY_SHARE = 0.9
"""A fix is deployed in the field on the first installed-base snapshot with this share of units patched."""
MAX_PERIODS = 104
SEVERITIES = ("critical", "high", "medium", "low", "none", "")
RISKS = ("uncontrolled", "controlled", "unassessed")
DURATIONS = ("assess", "communicate", "fix", "deploy")


@dataclass(frozen=True, slots=True)
class MetricsQuery:
    """What to measure: one product (slug) or the portfolio, the bucket size and how many periods."""

    product: str | None = None
    granularity: Granularity = Granularity.MONTH
    periods: int = 12
    today: dt.date | None = None


def _t(model: Any) -> str:
    return str(model._meta.db_table)


def _clock_join(d: Dialect) -> str:
    """Cases with their product and the clock's columns (read from the covering ``casefile_metrics``)."""
    return (
        f"FROM {_t(Case)} c JOIN {_t(Product)} p ON p.id = c.product_id "
        f"LEFT JOIN {_t(CaseFile)} cf {d.indexed_by('casefile_metrics')} ON cf.case_id = c.id"
    )


_CLOCK_COLUMNS = (
    "c.id AS case_id, p.slug AS g, c.product_id AS product_id, c.day0 AS day0, "
    "cf.communication_sent AS communicated_on, cf.fix_distributed AS fixed_on, cf.risk_status AS clock_risk"
)


def _clock_facts(d: Dialect) -> str:
    """The part of :func:`_case_facts` the dashboard needs, without the assessments: ``case_id, g,
    product_id, day0, communicated_on, fixed_on, clock_risk, fix_days``; cheap enough to inline."""
    fix_days = d.nonnegative_days("cf.fix_distributed", "c.day0")
    return f"SELECT {_CLOCK_COLUMNS}, {fix_days} AS fix_days {_clock_join(d)}"


def _case_facts(d: Dialect, product_id: int | None) -> tuple[str, list[Any]]:
    """One row per case: ``case_id, g`` (product slug), ``product_id, day0, state, closed_on,
    assessed_on, communicated_on, fixed_on, clock_risk, assessment_id, controlled, vex_status,
    severity`` and the day counts ``assess_days, communicate_days`` (uncontrolled only), ``fix_days``."""
    where, params = ("WHERE c.product_id = %s", [product_id]) if product_id else ("", [])
    base = (
        f"SELECT {_CLOCK_COLUMNS}, c.state AS state, "
        f"{d.day('c.closed_at')} AS closed_on, c.first_confirmed AS assessed_on, ca.id AS assessment_id, "
        f"ca.controlled AS controlled, ca.vex_status AS vex_status, ca.severity AS severity "
        f"{_clock_join(d)} LEFT JOIN {_t(Assessment)} ca {d.indexed_by('assessment_metrics')} "
        f"ON ca.id = c.current_assessment_id {where}"
    )
    sql = (
        f"SELECT x.*, {d.nonnegative_days('assessed_on', 'day0')} AS assess_days, "
        f"CASE WHEN clock_risk = 'uncontrolled' THEN {d.nonnegative_days('communicated_on', 'day0')} END "
        f"AS communicate_days, {d.nonnegative_days('fixed_on', 'day0')} AS fix_days "
        f"FROM ({base} {d.fence()}) x"
    )
    return sql, params


FACTS_TABLE = "medvigil_metrics_facts"
DEPLOY_TABLE = "medvigil_metrics_deploy"


@contextmanager
def _facts_table(
    d: Dialect, product_id: int | None, *, deploy: bool = True
) -> Iterator[tuple[str, list[Any]]]:
    """The case facts computed once into a temporary table (of this connection only), read by every
    metric of the request, dropped afterwards."""
    tables = [(FACTS_TABLE, *_case_facts(d, product_id))]
    if deploy:
        tables.append((DEPLOY_TABLE, *_deploy_inner(d, product_id)))
    with connection.cursor() as cursor:
        for name, sql, params in tables:
            cursor.execute(f"DROP TABLE IF EXISTS {name}")
            cursor.execute(f"CREATE TEMPORARY TABLE {name} AS {sql}", params)
            if d.postgres:  # a temporary table has no statistics until analysed: the planner needs them
                cursor.execute(f"ANALYZE {name}")
    try:
        yield f"SELECT * FROM {FACTS_TABLE}", []
    finally:
        with connection.cursor() as cursor:
            for name, _, _ in tables:
                cursor.execute(f"DROP TABLE IF EXISTS {name}")


def _duration_inner(facts: str, which: str) -> str:
    """``(g, v)`` rows of one duration (``assess``, ``communicate`` or ``fix``): days from day 0."""
    return f"SELECT g, {which}_days AS v FROM ({facts}) f WHERE {which}_days IS NOT NULL"


def _histograms(inner: str, params: list[Any]) -> dict[tuple[int, int], int]:
    """Cases per duration (``t`` of ``inner``'s ``t, v`` rows) and bin of days (its index)."""
    cases = " ".join(
        f"WHEN v <= {b.high} THEN {i}" for i, b in enumerate(DURATION_BINS) if b.high is not None
    )
    last = len(DURATION_BINS) - 1
    sql = f"SELECT t, CASE {cases} ELSE {last} END AS bin, COUNT(*) FROM ({inner}) h GROUP BY t, bin"
    return {(int(t), int(b)): int(n) for t, b, n in fetch(sql, params)}


def _histogram(counts: dict[tuple[int, int], int], t: int) -> list[dict[str, Any]]:
    return [
        {"bin": b.label, "low": b.low, "high": b.high, "count": counts.get((t, i), 0)}
        for i, b in enumerate(DURATION_BINS)
    ]


def _stats_block(
    portfolio: Stats, rows: dict[str, Stats], histogram: list[dict[str, Any]], names: dict[str, str]
) -> dict[str, Any]:
    """One duration: its statistics for the portfolio and per product slug (``rows``), its histogram."""
    return {
        "portfolio": portfolio.to_dict(),
        "by_product": [
            {"product": slug, "name": names[slug], **rows[slug].to_dict()}
            for slug in sorted(names)
            if slug in rows
        ],
        "histogram": histogram,
    }


def _deploy_inner(d: Dialect, product_id: int | None) -> tuple[str, list[Any]]:
    """``(g, product_id, v)`` per fix release: days from its first distribution to the first snapshot in which
    DEPLOY_SHARE of the product's units run it or a later-released version."""
    where, params = ("AND c.product_id = %s", [product_id]) if product_id else ("", [])
    target = d.json_top("a.data", "target_version")
    fixes = (  # the first distribution per product and target version: a few rows for the joins
        f"SELECT c.product_id AS product_id, {target} AS version, MIN(a.{_q('on')}) AS fix_on "
        f"FROM {_t(CaseAction)} a JOIN {_t(Case)} c ON c.id = a.case_id "
        f"WHERE a.kind = 'fix_release' AND {d.json_true('a.data', 'distributed')} {where} "
        f"GROUP BY c.product_id, {target} {d.fence()}"
    )
    releases = (
        f"SELECT pv.id AS version_id, pv.product_id AS product_id, p.slug AS g, pv.release_date AS released, "
        f"MIN(fx.fix_on) AS fix_on FROM ({fixes}) fx "
        f"JOIN {_t(ProductVersion)} pv ON pv.product_id = fx.product_id AND pv.version = fx.version "
        f"JOIN {_t(Product)} p ON p.id = pv.product_id "
        f"GROUP BY pv.id, pv.product_id, p.slug, pv.release_date"
    )
    snap = (
        f"SELECT r.version_id, r.g, r.product_id, r.fix_on, ib.as_of, SUM(ib.units) AS total, "
        f"SUM(CASE WHEN ov.id = r.version_id OR ov.release_date > r.released THEN ib.units ELSE 0 END) "
        f"AS patched "
        f"FROM ({releases}) r JOIN {_t(ProductVersion)} ov ON ov.product_id = r.product_id "
        f"JOIN {_t(InstalledBase)} ib ON ib.product_version_id = ov.id AND ib.as_of >= r.fix_on "
        f"GROUP BY r.version_id, r.g, r.product_id, r.fix_on, ib.as_of"
    )
    sql = (
        f"SELECT g, product_id, {d.days('MIN(as_of)', 'fix_on')} AS v FROM ({snap}) s "
        f"WHERE total > 0 AND patched >= {DEPLOY_SHARE!r} * total GROUP BY version_id, g, product_id, fix_on"
    )
    return sql, params


def _q(name: str) -> str:
    return str(connection.ops.quote_name(name))


def _durations(facts: str, params: list[Any], names: dict[str, str], slugs: dict[int, str]) -> dict[str, Any]:
    """The four durations: their percentiles per product and for the portfolio in one query (the
    portfolio's from the per-product counts), their histograms in another.

    Rows are keyed by integers, cheap to group and sort: ``product_id * 4 + i`` for duration ``i``
    of a product, ``t = -1 - i`` for the portfolio's."""
    n = len(DURATIONS)
    parts = [
        f"SELECT product_id * {n} + {i} AS g, {-1 - i} AS t, {w}_days AS v FROM ({facts}) f "
        f"WHERE {w}_days IS NOT NULL"
        for i, w in enumerate(DURATIONS[:3])
    ]
    deploy = DURATIONS.index("deploy")
    parts.append(f"SELECT product_id * {n} + {deploy} AS g, {-1 - deploy} AS t, v FROM {DEPLOY_TABLE}")
    inner, args = " UNION ALL ".join(parts), params * 3
    rows = percentile_rows(inner, args, totals=True)
    histograms = _histograms(inner, args)
    out = {}
    for i, w in enumerate(DURATIONS):
        mine = {slugs[k // n]: v for k, v in rows.items() if k >= 0 and k % n == i}
        out[w] = _stats_block(rows.get(-1 - i, EMPTY), mine, _histogram(histograms, -1 - i), names)
    return out


def _milestone_sums(today: str) -> str:
    return (
        "SUM(CASE WHEN done IS NOT NULL AND done <= due THEN 1 ELSE 0 END), "
        "SUM(CASE WHEN done IS NOT NULL AND done > due THEN 1 ELSE 0 END), "
        f"SUM(CASE WHEN done IS NULL AND {today} > due THEN 1 ELSE 0 END), "
        f"SUM(CASE WHEN done IS NULL AND {today} <= due THEN 1 ELSE 0 END)"
    )


def _fold_compliance(rows: Sequence[Sequence[Any]], names: dict[str, str]) -> dict[str, Any]:
    keys = ("met", "late", "overdue", "pending")
    total = dict.fromkeys(keys, 0)
    by_product = []
    for row in rows:
        counts = {k: int(v or 0) for k, v in zip(keys, row[1:], strict=True)}
        for k in keys:
            total[k] += counts[k]
        by_product.append(
            {
                "product": row[0],
                "name": names[row[0]],
                **counts,
                "share": compliance_share(counts["met"], counts["late"], counts["overdue"]),
            }
        )
    share = compliance_share(total["met"], total["late"], total["overdue"])
    return {
        "portfolio": {**total, "share": share},
        "by_product": sorted(by_product, key=lambda r: r["product"]),
    }


def _compliance(
    d: Dialect, facts: str, params: list[Any], names: dict[str, str], today: dt.date, *, routine: bool = True
) -> dict[str, Any]:
    """The two FDA milestones and (``routine``; it needs the assessments' severity) the routine
    update, in one query; each case's due day is computed once (fenced), then compared four times."""
    milestones = [
        ("communication", "communicated_on", str(COMMUNICATION_DAYS), "uncontrolled"),
        ("fix", "fixed_on", str(FIX_DAYS), "uncontrolled"),
    ]
    if routine:
        row = RemediationSettings.objects.first()
        targets = controlled_targets_from_mapping(row.controlled_targets if row else {})
        target = "CASE severity " + " ".join(f"WHEN {s} THEN {n}" for s, n in sorted(targets.items()))
        milestones.append(("routine_update", "fixed_on", f"{target} ELSE {targets[3]} END", "controlled"))
    parts = " UNION ALL ".join(
        f"SELECT {i} AS m, g, {done} AS done, {d.add_days('day0', days)} AS due FROM ({facts}) f "
        f"WHERE clock_risk = '{risk}'"
        for i, (_, done, days, risk) in enumerate(milestones)
    )
    sql = f"SELECT m, g, {_milestone_sums(d.date_param())} FROM ({parts} {d.fence()}) x GROUP BY m, g"
    rows = fetch(sql, [*[today.isoformat()] * 2, *params * len(milestones)])
    return {
        name: _fold_compliance([r[1:] for r in rows if r[0] == i], names)
        for i, (name, *_) in enumerate(milestones)
    }


def _open_cases(d: Dialect, facts: str, params: list[Any], names: dict[str, str]) -> dict[str, Any]:
    risk = (
        "CASE WHEN assessment_id IS NULL THEN 'unassessed' "
        "WHEN NOT controlled AND vex_status <> 'not_affected' THEN 'uncontrolled' ELSE 'controlled' END"
    )
    sql = f"SELECT g, {risk} AS risk, COUNT(*) FROM ({facts}) f WHERE state <> 'closed' GROUP BY g, risk"
    table: dict[str, dict[str, int]] = {}
    for slug, r, n in fetch(sql, params):
        table.setdefault(slug, dict.fromkeys(RISKS, 0))[r] = int(n)
    by_risk = {r: sum(row[r] for row in table.values()) for r in RISKS}
    rows = [
        {"product": s, "name": names[s], **table[s], "total": sum(table[s].values())} for s in sorted(table)
    ]
    return {"portfolio": {**by_risk, "total": sum(by_risk.values())}, "by_product": rows}


def _installed(d: Dialect, facts: str, params: list[Any], names: dict[str, str]) -> dict[str, Any]:
    """Units on versions outside the active scope of each case with a fix, over the product's units.

    Per product: the fixed cases (n) times the product's units, minus the units in their active
    scopes (a product without a known count has no units in any scope); each part summed per
    product id before the parts meet, so no case-level row is grouped by its slug."""
    active = "true" if d.postgres else "1"
    totals = (
        f"SELECT product_id, SUM(installed_base) AS total FROM {_t(ProductVersion)} "
        f"WHERE installed_base IS NOT NULL GROUP BY product_id"
    )
    fixed = (
        f"SELECT product_id, COUNT(*) AS n FROM ({facts}) f WHERE fixed_on IS NOT NULL GROUP BY product_id"
    )
    scope = (
        f"{_t(CaseVersion)} cv JOIN {_t(ProductVersion)} pv ON pv.id = cv.product_version_id "
        f"AND pv.installed_base IS NOT NULL"
    )
    if d.postgres:  # hash joins over the scope rows
        scoped = (
            f"SELECT f.product_id AS product_id, SUM(pv.installed_base) AS units FROM ({facts}) f "
            f"JOIN {scope} ON cv.case_id = f.case_id AND cv.active = {active} "
            f"WHERE f.fixed_on IS NOT NULL GROUP BY f.product_id"
        )
    else:  # SQLite: one covering-index search per fixed case, and only those rows grouped
        scoped = (
            f"SELECT f.product_id AS product_id, SUM((SELECT SUM(pv.installed_base) FROM {scope} "
            f"WHERE cv.case_id = f.case_id AND cv.active = {active})) AS units FROM ({facts}) f "
            f"WHERE f.fixed_on IS NOT NULL GROUP BY f.product_id"
        )
    sql = (
        f"SELECT p.slug, x.n, x.n * t.total, x.n * t.total - COALESCE(s.units, 0) FROM ({fixed}) x "
        f"JOIN ({totals}) t ON t.product_id = x.product_id AND t.total > 0 "
        f"JOIN {_t(Product)} p ON p.id = x.product_id "
        f"LEFT JOIN ({scoped}) s ON s.product_id = x.product_id"
    )
    params = params * 2
    rows = [(g, int(n), int(t), int(p)) for g, n, t, p in fetch(sql, params)]
    cases, units, patched = (sum(r[i] for r in rows) for i in (1, 2, 3))
    return {
        "known": bool(rows),
        "portfolio": {
            "cases": cases,
            "units": units,
            "patched": patched,
            "share": patched / units if units else None,
        },
        "by_product": [
            {"product": g, "name": names[g], "cases": n, "units": t, "patched": p, "share": p / t}
            for g, n, t, p in sorted(rows)
        ],
    }


def _heatmap(product_id: int | None) -> dict[str, Any]:
    """Open findings per product and severity (one grouped read of the covering index)."""
    qs = Finding.objects.filter(state=Finding.State.OPEN)
    if product_id:
        qs = qs.filter(product_id=product_id)
    counts: dict[tuple[int, str], int] = {}
    for pid, sev, n in qs.values_list("product_id", "severity").annotate(n=Count("*")).order_by():
        counts[pid, sev or ""] = n
    products = Product.objects.filter(pk__in={pid for pid, _ in counts}).order_by("slug")
    rows = [
        {"product": p.slug, "name": p.name, "counts": [counts.get((p.pk, sev), 0) for sev in SEVERITIES]}
        for p in products.only("slug", "name")
    ]
    return {"severities": [s or "unscored" for s in SEVERITIES], "rows": rows}


def _bucketed(sql: str, params: list[Any], granularity: Granularity) -> dict[dt.date, int]:
    """Counts per day (``sql`` groups by a day) summed into the periods holding the days."""
    out: dict[dt.date, int] = {}
    for day, n in fetch(sql, params):
        if day is not None:
            start = period_start(_as_date(day), granularity)
            out[start] = out.get(start, 0) + int(n)
    return out


def _as_date(value: Any) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value)[:10])


def _range_counts(
    d: Dialect, table: str, column: str, starts: list[dt.date], g: Granularity
) -> dict[dt.date, int]:
    """Rows of ``table`` per period of ``column``, one index range count per period (``column``
    leads an index): no per-row expression to group by and no sort, in one query."""
    p = d.date_param()
    bounds = [(a, period_after(a, g)) for a in starts]
    rows = " UNION ALL ".join(f"SELECT {p} AS a, {p} AS b" for _ in bounds)
    sql = (
        f"SELECT r.a, (SELECT COUNT(*) FROM {table} WHERE {column} >= r.a AND {column} < r.b) FROM ({rows}) r"
    )
    return {_as_date(a): int(n) for a, n in fetch(sql, [x.isoformat() for pair in bounds for x in pair])}


def _burndown(
    d: Dialect, q: MetricsQuery, product_id: int | None, starts: list[dt.date]
) -> list[dict[str, Any]]:
    """Open findings at the end of each period, from ``first_seen`` and the closing ``state_changed_at``."""
    where, params = ("AND product_id = %s", [product_id]) if product_id else ("", [])
    t, start = _t(Finding), [starts[0].isoformat()]
    p = d.date_param()
    if product_id:  # the range counts would read every product's index entries in each range
        opened = _bucketed(
            f"SELECT {d.day_key('first_seen')} AS b, COUNT(*) FROM {t} "
            f"WHERE first_seen >= {p} {where} GROUP BY b",
            start + params,
            q.granularity,
        )
    else:
        opened = _range_counts(d, t, "first_seen", starts, q.granularity)
    closed = _bucketed(
        f"SELECT {d.day_key('state_changed_at')} AS b, COUNT(*) FROM {t} "
        f"WHERE state <> 'open' AND state_changed_at >= {p} {where} GROUP BY b",
        start + params,
        q.granularity,
    )
    before_sql = (
        f"SELECT COALESCE(SUM(CASE WHEN state = 'open' OR state_changed_at >= {p} THEN 1 ELSE 0 END), 0) "
        f"FROM {t} WHERE first_seen < {p} {where}"
    )
    before = int(fetch(before_sql, start * 2 + params)[0][0])
    return [
        {
            "period": period_label(b.start, q.granularity),
            "start": b.start.isoformat(),
            "opened": b.opened,
            "closed": b.closed,
            "open": b.open,
        }
        for b in burndown(starts, opened, closed, before=before)
    ]


def _trend(
    d: Dialect, q: MetricsQuery, facts: str, params: list[Any], starts: list[dt.date]
) -> list[dict[str, Any]]:
    """Per period: cases opened (day 0), closed, open at the end, and the time to fix of the fixes in it."""
    p, first = d.date_param(), starts[0].isoformat()
    opened = _bucketed(
        f"SELECT {d.day_key('day0')} AS b, COUNT(*) FROM ({facts}) f WHERE day0 >= {p} GROUP BY b",
        [*params, first],
        q.granularity,
    )
    closed = _bucketed(
        f"SELECT {d.day_key('closed_on')} AS b, COUNT(*) FROM ({facts}) f "
        f"WHERE state = 'closed' AND closed_on >= {p} GROUP BY b",
        [*params, first],
        q.granularity,
    )
    before_sql = (
        f"SELECT COALESCE(SUM(CASE WHEN state <> 'closed' OR closed_on >= {p} THEN 1 ELSE 0 END), 0) "
        f"FROM ({facts}) f WHERE day0 < {p}"
    )
    before = int(fetch(before_sql, [first, *params, first])[0][0])
    fixes = percentile_rows(
        f"SELECT {d.period('fixed_on', q.granularity)} AS g, fix_days AS v FROM ({facts}) f "
        f"WHERE fixed_on >= {p}",
        [*params, first],
    )
    fix_by = {_as_date(k): v for k, v in fixes.items()}
    out = []
    for b in burndown(starts, opened, closed, before=before):
        fix = fix_by.get(b.start, EMPTY)
        out.append(
            {
                "period": period_label(b.start, q.granularity),
                "start": b.start.isoformat(),
                "cases_opened": b.opened,
                "cases_closed": b.closed,
                "cases_open": b.open,
                "fixes": fix.n,
                "fix_median": fix.to_dict()["median"],
                "fix_p90": fix.to_dict()["p90"],
            }
        )
    return out


def _product(slug: str | None) -> Product | None:
    if not slug:
        return None
    product = Product.objects.filter(slug=slug).first()
    if product is None:
        raise NotFoundError(f"no product {slug!r}")
    return product


def _starts(q: MetricsQuery, today: dt.date) -> list[dt.date]:
    if not 1 <= q.periods <= MAX_PERIODS:
        raise InputError(f"must be 1-{MAX_PERIODS}", field="periods")
    last = period_start(today, q.granularity)
    step = dt.timedelta(days=7 * (q.periods - 1)) if q.granularity is Granularity.WEEK else None
    if step is not None:
        first = last - step
    else:
        month = last.year * 12 + last.month - 1 - (q.periods - 1)
        first = dt.date(month // 12, month % 12 + 1, 1)
    return list(periods(first, last, q.granularity))


def metrics_get(*, query: MetricsQuery) -> dict[str, Any]:
    """Every metric of docs/metrics.md for one product or the portfolio."""
    today = query.today or timezone.localdate()
    _starts(query, today)  # refuse a bad number of periods before any query
    product = _product(query.product)
    pid = product.pk if product else None
    d = dialect()
    products = list(Product.objects.filter(**({"pk": pid} if pid else {})).values_list("pk", "slug", "name"))
    names = {slug: name for _, slug, name in products}
    slugs = {pk: slug for pk, slug, _ in products}
    with _facts_table(d, pid) as (facts, params):
        return _all(query, d, facts, params, names, slugs, pid, today)


def _all(
    query: MetricsQuery,
    d: Dialect,
    facts: str,
    params: list[Any],
    names: dict[str, str],
    slugs: dict[int, str],
    pid: int | None,
    today: dt.date,
) -> dict[str, Any]:
    starts = _starts(query, today)
    return {
        "as_of": today.isoformat(),
        "product": query.product or None,
        "granularity": query.granularity.value,
        "periods": query.periods,
        "open_cases": _open_cases(d, facts, params, names),
        "durations": _durations(facts, params, names, slugs),
        "compliance": _compliance(d, facts, params, names, today),
        "installed_base": _installed(d, facts, params, names),
        "heatmap": _heatmap(pid),
        "burndown": _burndown(d, query, pid, starts),
        "trend": _trend(d, query, facts, params, starts),
    }


def metrics_summary(*, today: dt.date | None = None) -> dict[str, Any]:
    """The portfolio headline numbers for the dashboard panel (a subset of :func:`metrics_get`, from
    the clock columns alone: no temporary table, no assessments, portfolio figures only). The
    installed-base share is left to the metrics page: it reads the active scope of every fixed case."""
    today = today or timezone.localdate()
    d = dialect()
    names = dict(Product.objects.values_list("slug", "name"))
    facts, params = _clock_facts(d), list[Any]()
    fixes = f"SELECT '*' AS g, v FROM ({_duration_inner(facts, 'fix')}) a"
    fix = percentile_rows(fixes, params).get("*", EMPTY)
    compliance = _compliance(d, facts, params, names, today, routine=False)
    return {
        "as_of": today.isoformat(),
        "fix": fix.to_dict(),
        "communication": compliance["communication"]["portfolio"],
        "fix_clock": compliance["fix"]["portfolio"],
    }
