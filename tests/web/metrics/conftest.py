"""Hand-built cases for the metrics: each row written directly with the dates a test names.

The metrics read the columns the remediation clock writes (``CaseFile.determination["facts"]``),
so a factory that writes those columns gives exact, known answers; ``test_selectors`` also checks
one case built through the real services.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from medvigil.web.advisories.models import Vulnerability
from medvigil.web.inventory.models import Product, ProductVersion
from medvigil.web.remediation.models import CaseFile
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
        Case.objects.filter(pk=case.pk).update(current_assessment=a)
    facts: dict[str, Any] = {"day0": day0, "communication_sent": communicated, "fix_distributed": fixed}
    if risk is not None:
        facts["risk_status"] = risk
    CaseFile.objects.create(case=case, open=not closed, determination={"facts": facts} if risk else {})
    for pv in versions:
        CaseVersion.objects.create(case=case, product_version=pv)
    case.refresh_from_db()
    return case


def now() -> dt.datetime:
    return timezone.now()
