"""Hand-built cases for the metrics: each row written directly with the dates a test names.

The metrics read the columns the remediation clock writes (``CaseFile.risk_status``,
``communication_sent`` and ``fix_distributed``, copies of ``determination["facts"]``), so a factory
that writes those columns gives exact, known answers; ``test_views_api_cli`` also checks one case
built through the real services.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from medvigil.web.advisories.models import Vulnerability
from medvigil.web.findings.models import Finding
from medvigil.web.inventory import services as inventory
from medvigil.web.inventory.installed_base import installed_base_record
from medvigil.web.inventory.models import Product, ProductVersion
from medvigil.web.remediation.models import CaseAction, CaseFile
from medvigil.web.risk.models import Assessment, Case, CaseState, CaseVersion, RiskMatrix

TODAY = dt.date(2026, 6, 15)
_counter = iter(range(1, 10**6))


def d(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


def _matrix(product: Product) -> RiskMatrix:
    row = RiskMatrix.objects.filter(product=product).first()
    return row or RiskMatrix.objects.create(product=product, version=1, data={})


def make_case(
    product: Product,
    day0: str,
    *,
    risk: str | None = "uncontrolled",
    assessed: str | None = None,
    communicated: str | None = None,
    fixed: str | None = None,
    closed: str | None = None,
    severity: int = 5,
    versions: tuple[ProductVersion, ...] = (),
    fix_version: str = "",
) -> Case:
    """A case with day 0, optionally a confirmed assessment on ``assessed`` (risk as given), the clock
    facts (communication, fix) and a close date; ``versions`` become its active scope."""
    vuln = Vulnerability.objects.create(key=f"CVE-2026-{next(_counter):05d}", summary="metrics test")
    state = CaseState.CLOSED if closed else CaseState.REMEDIATION
    case = Case.objects.create(product=product, vulnerability=vuln, day0=d(day0), state=state)
    if closed:
        Case.objects.filter(pk=case.pk).update(
            closed_at=dt.datetime.fromisoformat(f"{closed}T12:00:00+00:00")
        )
    if risk is not None:
        a = Assessment.objects.create(
            case=case,
            number=1,
            status="confirmed" if assessed else "suggested",
            inputs={},
            result={},
            controlled=risk == "controlled",
            exploitability="high",
            severity=severity,
            vex_status="affected",
            matrix=_matrix(product),
        )
        when = assessed or day0
        Assessment.objects.filter(pk=a.pk).update(
            created_at=dt.datetime.fromisoformat(f"{when}T23:30:00+00:00")
        )
        # first_confirmed: the column assessment_confirm sets beside the confirmed version
        first = d(assessed) if assessed else None
        Case.objects.filter(pk=case.pk).update(current_assessment=a, first_confirmed=first)
    facts: dict[str, Any] = {"day0": day0, "communication_sent": communicated, "fix_distributed": fixed}
    if risk is not None:
        facts["risk_status"] = risk
    CaseFile.objects.create(
        case=case,
        open=not closed,
        determination={"facts": facts} if risk else {},
        risk_status=risk or "",
        communication_sent=d(communicated) if risk and communicated else None,
        fix_distributed=d(fixed) if risk and fixed else None,
    )
    for pv in versions:
        CaseVersion.objects.create(case=case, product_version=pv)
    if fix_version and fixed:
        CaseAction.objects.create(
            case=case,
            kind="fix_release",
            on=d(fixed),
            summary=f"fix {fix_version}",
            data={"target_version": fix_version, "distributed": True},
        )
    case.refresh_from_db()
    return case


def make_finding(pv: ProductVersion, first_seen: str, severity: str, closed: str | None = None) -> Finding:
    vuln = Vulnerability.objects.create(key=f"GHSA-{first_seen}-{severity}-{closed}", summary="x")
    seen = dt.datetime.fromisoformat(f"{first_seen}T08:00:00+00:00")
    changed = dt.datetime.fromisoformat(f"{closed}T08:00:00+00:00") if closed else seen
    return Finding.objects.create(
        product=pv.product,
        product_version=pv,
        component_key=f"pkg:pypi/x@{first_seen}",
        component_name="x",
        vulnerability=vuln,
        vulnerability_key=vuln.key,
        method="purl",
        confidence=90,
        state="resolved" if closed else "open",
        first_seen=seen,
        last_seen=seen,
        state_changed_at=changed,
        severity=severity,
    )


@pytest.fixture
def portfolio(product: Product) -> dict[str, Any]:
    """Two products, five cases, installed-base snapshots and findings (answers in the tests)."""
    v1 = inventory.version_create(
        product=product, version="1.0", installed_base=300, release_date=d("2025-01-10")
    )
    v2 = inventory.version_create(
        product=product, version="2.0", installed_base=700, release_date=d("2026-02-20")
    )
    other = inventory.product_create(name="Monitor Y", slug="monitor-y")
    ov = inventory.version_create(product=other, version="5")
    # day 0 on New Year's Day and MLK day inside: calendar days, holidays do not count differently
    c1 = make_case(
        product,
        "2026-01-01",
        assessed="2026-01-04",
        communicated="2026-01-20",
        fixed="2026-02-25",
        closed="2026-03-01",
        versions=(v1,),
        fix_version="2.0",
    )
    make_case(product, "2026-02-01", assessed="2026-02-11", communicated="2026-03-10")  # late, fix overdue
    make_case(product, "2026-06-01", assessed="2026-06-02")  # both milestones pending
    make_case(other, "2026-03-01", risk="controlled", severity=5, assessed="2026-03-11", fixed="2026-04-10")
    make_case(other, "2026-05-01", risk=None)  # not assessed yet
    for day, old, new in (("2026-02-01", 900, 100), ("2026-03-01", 300, 700), ("2026-04-01", 50, 950)):
        installed_base_record(product_version=v1, as_of=d(day), units=old)
        installed_base_record(product_version=v2, as_of=d(day), units=new)
    ProductVersion.objects.filter(pk=v1.pk).update(installed_base=300)  # the current counts: 30 % / 70 %
    ProductVersion.objects.filter(pk=v2.pk).update(installed_base=700)
    make_finding(v1, "2026-03-10", "critical")
    make_finding(v1, "2026-03-20", "high", closed="2026-04-05")
    make_finding(v2, "2026-04-15", "high")
    make_finding(v2, "2026-05-02", "low", closed="2026-06-01")
    make_finding(v1, "2026-02-01", "medium", closed="2026-03-01")
    make_finding(ov, "2026-05-20", "medium")
    return {"case1": c1}
