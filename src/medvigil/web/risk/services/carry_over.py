"""Carry-over of a confirmed assessment to new product versions, and the re-review trigger.

A confirmed assessment records what it covered (``Assessment.scope``): the product's interfaces
and, per version, the relevant components (key, version, purl). A version that joins the case
later with exactly the same relevant components is covered too (carried over). A version whose
relevant components differ, a covered version whose components changed (SBOM re-import), or a
change of the product's interfaces flags the case for re-review: an event, ``review_needed``, and
the state goes back to ``assessing`` (a closed case reopens).
"""

from __future__ import annotations

from typing import Any

from django.db import transaction

from medvigil.web.risk.models import AssessmentStatus, Case, CaseEvent, CaseState, CaseVersion
from medvigil.web.risk.services.assessments import component_pairs
from medvigil.web.risk.services.states import case_move

__all__ = ["case_review_check", "cases_review_interfaces"]


def _describe(pairs: list[list[str]]) -> str:
    return ", ".join(p[2].split("?", 1)[0] if p[2] else f"{p[0]}@{p[1]}" for p in pairs) or "none"


def _version_reasons(case: Case, snapshot: dict[str, Any], carried: list[CaseVersion]) -> list[str]:
    versions: dict[str, list[list[str]]] = snapshot.get("versions", {})
    known = {tuple(map(tuple, pairs)) for pairs in versions.values()}
    reasons = []
    for cv in case.scope.filter(active=True).select_related("product_version"):
        name = cv.product_version.version
        pairs = component_pairs(cv.components)
        if name in versions:
            if versions[name] != pairs:
                reasons.append(
                    f"version {name}: relevant components changed from {_describe(versions[name])} "
                    f"to {_describe(pairs)}"
                )
        elif tuple(map(tuple, pairs)) in known:
            if cv.covered_by_id != case.current_assessment_id:
                carried.append(cv)
        else:
            reasons.append(f"version {name} has different relevant components ({_describe(pairs)})")
    return reasons


def _interface_reason(case: Case, snapshot: dict[str, Any]) -> str:
    before = snapshot.get("interfaces")
    now = sorted(case.product.interfaces)
    if before is None or before == now:
        return ""
    return f"product interfaces changed from {', '.join(before) or 'none'} to {', '.join(now) or 'none'}"


def _flag(case: Case, reasons: list[str]) -> None:
    text = "; ".join(reasons)
    if case.review_needed and case.review_reason == text:
        return
    case.review_needed = True
    case.review_reason = text
    reopened = case.state == CaseState.CLOSED
    case_move(
        case, CaseState.TRIAGE, reason=f"re-review: {text}", assessment=case.current_assessment, save=False
    )
    case.save(update_fields=["review_needed", "review_reason", "state", "closed_at", "updated_at"])
    prefix = "reopened for re-review" if reopened else "re-review needed"
    CaseEvent.objects.create(
        case=case, kind="re-review", message=f"{prefix}: {text}", assessment=case.current_assessment
    )


def case_review_check(*, case: Case) -> str:
    """Carry the confirmed assessment over to unchanged versions or flag a re-review.

    Returns ``"review"``, ``"carried"`` or ``""`` (nothing to do: no confirmed assessment, or
    nothing changed).
    """
    current = case.current_assessment
    if current is None or current.status != AssessmentStatus.CONFIRMED:
        return ""
    carried: list[CaseVersion] = []
    reasons = _version_reasons(case, current.scope, carried)
    interface = _interface_reason(case, current.scope)
    if interface:
        reasons.insert(0, interface)
    with transaction.atomic():
        for cv in carried:
            cv.covered_by = current
            cv.carried = True
            cv.save(update_fields=["covered_by", "carried"])
            CaseEvent.objects.create(
                case=case,
                kind="carried-over",
                message=f"assessment v{current.number} carried over to version "
                f"{cv.product_version.version}: relevant components unchanged",
                assessment=current,
            )
        if reasons:
            _flag(case, reasons)
            return "review"
    return "carried" if carried else ""


def cases_review_interfaces(*, product: Any) -> int:
    """Re-check the product's confirmed cases after its interfaces may have changed; returns the
    number of cases flagged."""
    flagged = 0
    wanted = sorted(product.interfaces)
    cases = product.cases.filter(current_assessment__status=AssessmentStatus.CONFIRMED).select_related(
        "current_assessment", "product"
    )
    for case in cases:
        assert case.current_assessment is not None
        if case.current_assessment.scope.get("interfaces", wanted) != wanted:
            flagged += case_review_check(case=case) == "review"
    return flagged
