"""Cases: opened and joined from findings, recorded for first-party vulnerabilities, closed.

One case per (product, vulnerability identity). ``cases_sync`` turns a product's open findings
into cases and case versions, then runs the carry-over check. ``case_close`` refuses a case
whose latest assessment is unconfirmed or uncontrolled (a confirmed VEX not_affected may close).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone

from medvigil.core.errors import Error, InputError
from medvigil.core.matching.keys import purl_package_key, purl_version
from medvigil.web.advisories.models import Vulnerability
from medvigil.web.audit.services import audited_set
from medvigil.web.inventory.models import Component, Product, ProductVersion
from medvigil.web.risk import findings_source
from medvigil.web.risk.models import AssessmentStatus, Case, CaseEvent, CaseState, CaseVersion
from medvigil.web.risk.services.carry_over import case_review_check

__all__ = ["SyncResult", "case_add_version", "case_close", "case_open", "cases_sync", "component_ref", "ref"]


@dataclass
class SyncResult:
    """What ``cases_sync`` did."""

    opened: list[Case] = field(default_factory=list)
    joined: int = 0
    """Case versions added."""
    left: int = 0
    """Case versions without open findings any more."""
    carried: int = 0
    review: int = 0


def _actor(user: Any) -> Any:
    return user if user is not None and getattr(user, "is_authenticated", False) else None


def component_ref(component: Component) -> dict[str, str]:
    """The stored reference of a component in a case version (key as the findings' key, without
    the version: ``npm:express``, else ``name:<group>/<name>``)."""
    version = component.version or purl_version(component.purl)
    return ref(name=component.name, version=version, purl=component.purl, group=component.group)


def ref(*, name: str, version: str, purl: str = "", group: str = "", key: str = "") -> dict[str, str]:
    """A component reference from its parts (``key`` when the caller already has it)."""
    if not key:
        key = (purl_package_key(purl) if purl else None) or f"name:{group.lower()}/{name.lower()}"
    return {"key": key, "name": name, "version": version, "purl": purl}


def case_open(
    *,
    product: Product,
    vulnerability: Vulnerability,
    day0: dt.date | None = None,
    first_party: bool = False,
    summary: str = "",
    user: Any = None,
) -> tuple[Case, bool]:
    """The product's case for ``vulnerability``, opened when missing; returns (case, created)."""
    existing = Case.objects.filter(product=product, vulnerability=vulnerability).first()
    if existing is not None:
        return existing, False
    with transaction.atomic():
        case = Case.objects.create(
            product=product,
            vulnerability=vulnerability,
            day0=day0 or timezone.now().date(),
            first_party=first_party,
            summary=summary,
        )
        how = "recorded by an analyst" if first_party else "opened from findings"
        CaseEvent.objects.create(
            case=case,
            kind="opened",
            message=f"{vulnerability.key} {how}; day 0 is {case.day0}",
            actor=_actor(user),
        )
    return case, True


def case_add_version(
    *,
    case: Case,
    product_version: ProductVersion,
    components: list[dict[str, str]],
    source: str = "finding",
    user: Any = None,
) -> bool:
    """Add or refresh a version of the case with its relevant components; True when it changed."""
    if product_version.product_id != case.product_id:
        raise InputError(f"version {product_version.version} belongs to another product", field="versions")
    components = sorted(components, key=lambda c: (c["key"], c["version"], c["purl"]))
    row = CaseVersion.objects.filter(case=case, product_version=product_version).first()
    if row is not None:
        if row.components == components and row.active:
            return False
        row.components, row.active = components, True
        row.save(update_fields=["components", "active"])
        return True
    CaseVersion.objects.create(
        case=case, product_version=product_version, components=components, source=source
    )
    names = ", ".join(f"{c['name']} {c['version']}".strip() for c in components) or "no component named"
    CaseEvent.objects.create(
        case=case,
        kind="version-joined",
        message=f"version {product_version.version} ({names})",
        actor=_actor(user),
    )
    return True


def _first_party_versions(product: Product, result: SyncResult) -> None:
    """First-party cases join newer versions that contain the same components."""
    for case in product.cases.filter(first_party=True).exclude(state=CaseState.CLOSED):
        keys = {c["key"] for comps in case.scope.values_list("components", flat=True) for c in comps}
        known = set(case.scope.values_list("product_version_id", flat=True))
        for pv in product.versions.exclude(id__in=known):
            hits = [ref for c in pv.components.all() if (ref := component_ref(c))["key"] in keys]
            if hits and case_add_version(case=case, product_version=pv, components=hits, source="analyst"):
                result.joined += 1


def _component_sort(c: dict[str, str]) -> tuple[str, str, str]:
    return (c["key"], c["version"], c["purl"])


def _group_findings(
    product: Product,
) -> tuple[dict[int, dict[int, list[dict[str, str]]]], dict[int, dt.date]]:
    grouped: dict[int, dict[int, list[dict[str, str]]]] = defaultdict(lambda: defaultdict(list))
    first_seen: dict[int, dt.date] = {}
    for row in findings_source.open_findings(product=product):
        grouped[row.vulnerability_id][row.product_version_id].append(row.component)
        seen = first_seen.get(row.vulnerability_id)
        first_seen[row.vulnerability_id] = min(seen, row.first_seen) if seen else row.first_seen
    return grouped, first_seen


def _deactivate_stale(
    product: Product,
    grouped: dict[int, dict[int, list[dict[str, str]]]],
    scope: dict[tuple[int, int], CaseVersion],
) -> set[int]:
    """Versions whose findings are gone leave their case; returns the ids of the changed cases."""
    cases = {c.pk: c for c in product.cases.all()}
    changed: set[int] = set()
    versions = {pv.pk: pv.version for pv in product.versions.all()}
    for (case_id, pv_id), cv in scope.items():
        case = cases[case_id]
        if not cv.active or cv.source != "finding":
            continue
        per_version = grouped.get(case.vulnerability_id)
        if (per_version is not None and pv_id in per_version) or (per_version is None and case.first_party):
            continue
        cv.active = False
        cv.save(update_fields=["active"])
        CaseEvent.objects.create(
            case=case,
            kind="version-left",
            message=f"version {versions.get(pv_id, pv_id)} has no open finding",
        )
        changed.add(case_id)
    return changed


@audited_set(
    "cases.sync",
    lambda r: {
        "opened": len(r.opened),
        "joined": r.joined,
        "left": r.left,
        "carried": r.carried,
        "review": r.review,
    },
)
def cases_sync(*, product: Product) -> SyncResult:
    """Open or join cases from the product's open findings, then carry over or flag re-reviews.

    Set-based: the product's cases and case versions are read once; only new cases, changed case
    versions and the carry-over of changed cases cost further queries, so a sync after an import
    that changed nothing for the product is a handful of queries whatever the portfolio size.
    """
    result = SyncResult()
    grouped, first_seen = _group_findings(product)
    versions = {pv.pk: pv for pv in product.versions.all()}
    cases = {c.vulnerability_id: c for c in product.cases.all()}
    scope = {
        (cv.case_id, cv.product_version_id): cv for cv in CaseVersion.objects.filter(case__product=product)
    }
    missing = [v for v in grouped if v not in cases]
    vulns = Vulnerability.objects.in_bulk(missing)
    changed: set[int] = set()
    with transaction.atomic():
        for vuln_id in missing:
            case, _ = case_open(product=product, vulnerability=vulns[vuln_id], day0=first_seen[vuln_id])
            cases[vuln_id] = case
            result.opened.append(case)
        for vuln_id, per_version in grouped.items():
            case = cases[vuln_id]
            for pv_id, comps in per_version.items():
                unique = sorted(
                    {c["key"] + "@" + c["version"]: c for c in comps}.values(), key=_component_sort
                )
                row = scope.get((case.pk, pv_id))
                if row is not None and row.active and row.components == unique:
                    continue
                if case_add_version(case=case, product_version=versions[pv_id], components=unique):
                    result.joined += 1
                    changed.add(case.pk)
        left = _deactivate_stale(product, grouped, scope)
        result.left += len(left)
        changed |= left
        _first_party_versions(product, result)
        changed |= set(product.cases.filter(first_party=True).values_list("pk", flat=True))
    confirmed = product.cases.filter(
        pk__in=changed, current_assessment__status=AssessmentStatus.CONFIRMED
    ).select_related("current_assessment", "product")
    for case in confirmed:
        outcome = case_review_check(case=case)
        result.carried += outcome == "carried"
        result.review += outcome == "review"
    for case in result.opened:
        _suggest(case)
    return result


def _suggest(case: Case) -> None:
    """medvigil's automatic suggestion for a new case; a failure is recorded, not raised."""
    from medvigil.web.risk.services.assessments import assessment_propose

    try:
        assessment_propose(case=case)
    except Error as exc:
        CaseEvent.objects.create(case=case, kind="proposal-failed", message=exc.diagnostics())


def case_close(*, case: Case, user: Any = None, note: str = "") -> Case:
    """Close the case through the guarded lifecycle (``remediation.services.case_transition``):
    refused without a confirmed assessment, with a pending re-review, or for an uncontrolled risk
    without a remediation plan and a validated, distributed fix or an accepted long-term
    compensating control (a confirmed VEX not_affected needs neither)."""
    from medvigil.web.remediation.services import case_transition

    if _actor(user) is None:
        raise InputError("closing a case needs a signed-in analyst", field="user")
    return case_transition(case=case, to=CaseState.CLOSED, user=user, reason=note)
