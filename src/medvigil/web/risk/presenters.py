"""Plain-dict views of risk objects, shared by the API and the CLI's JSON output."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from medvigil.web.risk.models import Assessment, Case, CaseEvent, CaseVersion, Hazard, RiskMatrix
from medvigil.web.risk.selectors import case_clock


def hazard_dict(h: Hazard) -> dict[str, Any]:
    """A hazard."""
    return {
        "identifier": h.identifier,
        "hazardous_situation": h.hazardous_situation,
        "harm": h.harm,
        "severity": h.severity_level.label,
        "links": {kind: h.link_list(kind) for kind in ("functions", "interfaces", "components")},
    }


def matrix_dict(m: RiskMatrix) -> dict[str, Any]:
    """A matrix version."""
    return {
        "version": m.version,
        "note": m.note,
        "created_by": m.created_by.get_username() if m.created_by else None,
        "created_at": m.created_at,
        "matrix": m.data,
    }


def assessment_dict(a: Assessment, *, full: bool = True) -> dict[str, Any]:
    """An assessment version; ``full`` adds inputs and the whole result."""
    data: dict[str, Any] = {
        "number": a.number,
        "status": a.status,
        "risk": a.risk,
        "controlled": a.controlled,
        "borderline": a.borderline,
        "exploitability": a.exploitability,
        "severity": a.severity_level.label,
        "phi_only": a.phi_only,
        "vex_status": a.vex_status,
        "justification": a.justification,
        "matrix_version": a.matrix.version,
        "policy_version": a.policy.version if a.policy else None,
        "created_by": a.created_by.get_username() if a.created_by else "medvigil",
        "created_at": a.created_at,
        "based_on": a.based_on.number if a.based_on else None,
    }
    if full:
        data["inputs"] = a.inputs
        data["reasons"] = a.reasons
        data["result"] = a.result
    return data


def _version(cv: CaseVersion) -> dict[str, Any]:
    return {
        "version": cv.product_version.version,
        "active": cv.active,
        "source": cv.source,
        "components": cv.components,
        "covered_by": cv.covered_by.number if cv.covered_by else None,
        "carried": cv.carried,
    }


def _event(e: CaseEvent) -> dict[str, Any]:
    return {
        "at": e.at,
        "kind": e.kind,
        "message": e.message,
        "actor": e.actor.get_username() if e.actor else None,
        "assessment": e.assessment.number if e.assessment else None,
    }


def case_dict(c: Case, *, detail: bool = False, events: Iterable[CaseEvent] | None = None) -> dict[str, Any]:
    """A case; ``detail`` adds versions, assessments (history) and ``events`` (for a web caller
    ``selectors.case_events``, which leaves out what the caller's role may not read; all of them when
    omitted, as for the CLI run by the operator)."""
    current = c.current_assessment
    clock = case_clock(c)
    data: dict[str, Any] = {
        "id": c.pk,
        "product": c.product.slug,
        "vulnerability": c.vulnerability.key,
        "summary": c.summary or c.vulnerability.summary[:300],
        "state": c.state,
        "first_party": c.first_party,
        "day0": c.day0,
        "communicate_by": clock["communicate_by"],
        "fix_by": clock["fix_by"],
        "kev": c.vulnerability.kev,
        "epss": c.vulnerability.epss,
        "cvss_score": c.vulnerability.cvss_score,
        "review_needed": c.review_needed,
        "review_reason": c.review_reason,
        "assignee": c.assignee.username if c.assignee is not None else None,
        "assessment": assessment_dict(current, full=False) if current else None,
    }
    if detail:
        data["aliases"] = sorted(c.vulnerability.aliases.values_list("alias", flat=True))
        data["versions"] = [_version(cv) for cv in c.scope.select_related("product_version", "covered_by")]
        data["assessments"] = [
            assessment_dict(a)
            for a in c.assessments.select_related("matrix", "policy", "created_by", "based_on")
        ]
        rows = c.events.select_related("actor", "assessment") if events is None else events
        data["events"] = [_event(e) for e in rows]
    return data
