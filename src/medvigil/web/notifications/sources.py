"""The events other apps' services emit, each inside the transaction of its change.

One small call per place: ``findings.services.match_product_versions`` (new findings),
``findings.services.refresh_sort_fields`` (KEV listing, EPSS jump), the risk assessment services
(new uncontrolled case), ``remediation.services.case_evaluate`` (obligations created or changed,
clock due soon or overdue; the daily huey job re-evaluates every open case),
``disclosure.services.report_submit`` and ``publishing.services.advisory_publish``.
Set-based reads only: one query per run, grouped by product, never a query per finding.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from django.conf import settings
from django.db.models import Count, F, Q
from django.urls import reverse

from medvigil.core.notify.events import UNCONTROLLED, EventKind
from medvigil.web.findings.models import Finding
from medvigil.web.inventory.models import Product, ProductVersion
from medvigil.web.notifications.services import outbox_emit

__all__ = [
    "advisory_published",
    "case_assessed",
    "case_clock",
    "cvd_received",
    "findings_new",
    "intel_jumps",
    "obligations_changed",
]

ITEMS = 50
"""Detail items kept in one event (the count says how many there were)."""


def _case_path(case: Any) -> str:
    return reverse("risk:case-detail", args=[case.pk])


def _case_risk(case: Any) -> str:
    current = getattr(case, "current_assessment", None)
    return "" if current is None else str(current.risk)


def _grouped(rows: Iterable[Mapping[str, Any]]) -> dict[int, list[Mapping[str, Any]]]:
    out: dict[int, list[Mapping[str, Any]]] = defaultdict(list)
    for row in rows:
        out[row["product_id"]].append(row)
    return out


def findings_new(versions: Sequence[ProductVersion], *, since: dt.datetime) -> int:
    """One ``finding.new`` event per product with findings first seen by this run (``since``).

    Counted in SQL; only the first ``ITEMS`` rows of each product are read (a first match of a
    portfolio opens ~100k findings in one run)."""
    new = Finding.objects.filter(product_version__in=[v.pk for v in versions], first_seen=since)
    counts = dict(new.values_list("product_id").annotate(n=Count("id")).order_by())
    products = {p.pk: p for p in Product.objects.filter(pk__in=list(counts))}
    for product_id, count in sorted(counts.items()):
        product = products[product_id]
        found = (
            new.filter(product_id=product_id)
            .order_by("-kev", F("severity_score").desc(nulls_last=True), "vulnerability_key")
            .values("vulnerability_key", "component_name", "component_version", "severity", "kev",
                    "product_version__version")[:ITEMS]
        )  # fmt: skip
        items = [
            {
                "vulnerability": r["vulnerability_key"], "component": r["component_name"],
                "component_version": r["component_version"], "version": r["product_version__version"],
                "severity": r["severity"], "kev": r["kev"],
                "text": f"{r['vulnerability_key']} in {r['component_name']} {r['component_version']}"
                f" (version {r['product_version__version']}{', KEV' if r['kev'] else ''})",
            }
            for r in found
        ]  # fmt: skip
        outbox_emit(
            kind=EventKind.FINDING_NEW,
            title=f"{count} new finding{'s' if count != 1 else ''} on {product.name}",
            product=product,
            path=reverse("findings:list") + f"?product={product.slug}",
            data={"count": count, "items": items},
        )
    return len(counts)


def intel_jumps() -> int:
    """Before the KEV/EPSS columns of findings are refreshed: one ``intel.kev`` and one
    ``intel.epss`` event per product whose open findings' vulnerabilities entered KEV or whose
    EPSS rose by ``MEDVIGIL_NOTIFY_EPSS_JUMP`` or more."""
    jump = settings.NOTIFY_EPSS_JUMP
    open_rows = Finding.objects.filter(state=Finding.State.OPEN)
    kev = open_rows.filter(vulnerability__kev=True, kev=False)
    epss = open_rows.filter(vulnerability__epss__isnull=False).filter(
        Q(epss__isnull=True, vulnerability__epss__gte=jump) | Q(vulnerability__epss__gte=F("epss") + jump)
    )
    fields = ("product_id", "vulnerability_key", "epss", "vulnerability__epss")
    emitted = 0
    for kind, rows in ((EventKind.INTEL_KEV, kev), (EventKind.INTEL_EPSS, epss)):
        grouped = _grouped(rows.order_by("vulnerability_key").values(*fields).distinct())
        products = {p.pk: p for p in Product.objects.filter(pk__in=list(grouped))}
        for product_id, found in sorted(grouped.items()):
            vulns: dict[str, Mapping[str, Any]] = {}
            for r in found:
                vulns.setdefault(r["vulnerability_key"], r)
            emitted += _emit_jump(kind, products[product_id], list(vulns.values()))
    return emitted


def _emit_jump(kind: EventKind, product: Product, found: list[Mapping[str, Any]]) -> int:
    def text(r: Mapping[str, Any]) -> str:
        if kind is EventKind.INTEL_KEV:
            return f"{r['vulnerability_key']} is now in CISA KEV"
        before = "none" if r["epss"] is None else f"{r['epss']:.2f}"
        return f"{r['vulnerability_key']}: EPSS {before} → {r['vulnerability__epss']:.2f}"

    items = [
        {"vulnerability": r["vulnerability_key"], "epss_before": r["epss"], "epss": r["vulnerability__epss"],
         "text": text(r)}
        for r in found[:ITEMS]
    ]  # fmt: skip
    what = "entered CISA KEV" if kind is EventKind.INTEL_KEV else "had an EPSS jump"
    n = len(found)
    outbox_emit(
        kind=kind,
        title=f"{n} vulnerabilit{'ies' if n != 1 else 'y'} affecting {product.name} {what}",
        product=product,
        path=reverse("findings:list") + f"?product={product.slug}",
        data={"count": n, "items": items},
    )
    return 1


def case_assessed(case: Any, assessment: Any) -> bool:
    """A confirmed assessment: ``case.uncontrolled`` when it is the first uncontrolled one."""
    if assessment.controlled:
        return False
    earlier = case.assessments.filter(status="confirmed", controlled=False).exclude(pk=assessment.pk)
    if earlier.exists():
        return False
    outbox_emit(
        kind=EventKind.CASE_UNCONTROLLED,
        title=f"Uncontrolled risk: {case.vulnerability} in {case.product.name}",
        product=case.product,
        risk=UNCONTROLLED,
        path=_case_path(case),
        data={
            "case": case.pk, "vulnerability": str(case.vulnerability), "assessment": assessment.number,
            "severity": assessment.severity, "exploitability": assessment.exploitability,
            "day0": case.day0.isoformat(),
        },
    )  # fmt: skip
    return True


def obligations_changed(case: Any, *, before: set[tuple[str, str]], after: set[tuple[str, str]]) -> bool:
    """``obligation.created`` (the case had none) or ``obligation.changed``."""
    if before == after or not after:
        return False
    kind = EventKind.OBLIGATION_CHANGED if before else EventKind.OBLIGATION_CREATED
    text = ", ".join(f"{c} {o}" for c, o in sorted(after))
    outbox_emit(
        kind=kind,
        title=f"Reporting obligations {'changed' if before else 'set'} for {case.vulnerability} in "
        f"{case.product.name}: {text}"[:300],
        product=case.product,
        risk=_case_risk(case),
        path=_case_path(case),
        data={
            "case": case.pk,
            "before": [list(x) for x in sorted(before)],
            "after": [list(x) for x in sorted(after)],
            "items": [{"text": f"{c}: {o}"} for c, o in sorted(after)],
        },
    )  # fmt: skip
    return True


def case_clock(case: Any, *, milestone: str, due: dt.date | None, state: str) -> None:
    """``case.due_soon`` / ``case.overdue`` when a clock milestone turns so."""
    kind = EventKind.CASE_OVERDUE if state == "overdue" else EventKind.CASE_DUE_SOON
    outbox_emit(
        kind=kind,
        title=f"{milestone} for {case.vulnerability} in {case.product.name} is "
        f"{'overdue' if kind is EventKind.CASE_OVERDUE else 'due soon'} ({due})"[:300],
        product=case.product,
        risk=_case_risk(case),
        path=_case_path(case),
        data={
            "case": case.pk,
            "milestone": milestone,
            "due": due.isoformat() if due else None,
            "state": state,
        },
    )


def cvd_received(report: Any) -> None:
    """``cvd.received``: the reference and product only (the report text stays in medvigil)."""
    outbox_emit(
        kind=EventKind.CVD_RECEIVED,
        title=f"CVD report {report.reference} received"
        + (f" about {report.product.name}" if report.product else ""),
        product=report.product,
        path=reverse("disclosure:detail", args=[report.reference]),
        data={
            "reference": report.reference, "cvss_score": report.cvss_score,
            "ack_due": report.ack_due.isoformat() if report.ack_due else None,
        },
    )  # fmt: skip


def advisory_published(advisory: Any) -> None:
    """``advisory.published`` for one published revision."""
    case = advisory.case
    outbox_emit(
        kind=EventKind.ADVISORY_PUBLISHED,
        title=f"Published {advisory.tracking_id} revision {advisory.revision}: {advisory.title}"[:300],
        product=case.product,
        risk=_case_risk(case),
        path=reverse("publishing:detail", args=[advisory.pk]),
        data={
            "advisory": advisory.pk, "tracking_id": advisory.tracking_id, "revision": advisory.revision,
            "kind": advisory.kind, "tlp": advisory.tlp, "case": case.pk,
        },
    )  # fmt: skip
