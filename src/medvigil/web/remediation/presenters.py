"""JSON/template shapes of the remediation side of a case, and the report drafts: the 806 report
(21 CFR 806.10(c) fields) and the PMA periodic report section (FDA 2016 sec. VIII, regulatory.md
1.9). Drafts fill what the case knows and mark the rest ``TO COMPLETE``; they are never filed."""

from __future__ import annotations

from typing import Any

from medvigil.core.remediation.lifecycle import TRANSITIONS, CaseStatus
from medvigil.web.remediation.facts import summarize_actions
from medvigil.web.remediation.models import ActionKind, CaseAction
from medvigil.web.remediation.selectors import case_actions, case_obligations
from medvigil.web.remediation.services import casefile_get
from medvigil.web.risk.models import Case

__all__ = ["action_dict", "case_remediation_dict", "draft_806", "draft_pma"]

TO_COMPLETE = "TO COMPLETE"


def action_dict(a: CaseAction) -> dict[str, Any]:
    """One action with its evidence files."""
    return {
        "id": a.pk,
        "kind": a.kind,
        "on": a.on.isoformat(),
        "summary": a.summary,
        "data": a.data,
        "by": a.created_by.get_username() if a.created_by else None,
        "files": [
            {"id": f.pk, "name": f.filename, "size": f.size, "sha256": f.sha256} for f in a.files.all()
        ],
    }


def case_remediation_dict(case: Case, user: Any = None) -> dict[str, Any]:
    """Clock, obligations, milestones, actions and the allowed next states of a case (the actions
    ``user`` may read; every action without a user)."""
    casefile = casefile_get(case)
    det = casefile.determination or {}
    return {
        "case": case.pk,
        "state": case.state,
        "next_states": [s.value for s in CaseStatus if s in TRANSITIONS[CaseStatus(case.state)]],
        "clock": {
            "day0": case.day0.isoformat(),
            "day0_source": casefile.day0_source,
            "day0_reason": casefile.day0_reason,
            "next_due": casefile.next_due.isoformat() if casefile.next_due else None,
            "next_milestone": casefile.next_milestone,
            "state": casefile.clock_state,
            "evaluated_on": casefile.evaluated_on.isoformat() if casefile.evaluated_on else None,
        },
        "plan": casefile.plan,
        "plan_rationale": casefile.plan_rationale,
        "facts": det.get("facts", {}),
        "recorded_facts": casefile.facts,
        "obligations": [
            {
                "code": o.code,
                "regulation": o.regulation,
                "outcome": o.outcome,
                "due": o.due.isoformat() if o.due else None,
                "calendar": o.calendar or None,
                "reason": o.reason,
            }
            for o in case_obligations(case)
        ],
        "milestones": det.get("milestones", []),
        "alerts": det.get("alerts", []),
        "actions": [action_dict(a) for a in case_actions(case, user)],
    }


def _versions(case: Case) -> list[dict[str, Any]]:
    return [
        {
            "version": cv.product_version.version,
            "release_date": cv.product_version.release_date.isoformat()
            if cv.product_version.release_date
            else None,
            "installed_base": cv.product_version.installed_base,
        }
        for cv in case.scope.filter(active=True).select_related("product_version")
    ]


def _by_kind(actions: list[CaseAction], kind: str) -> list[CaseAction]:
    return [a for a in actions if a.kind == kind]


def draft_806(case: Case) -> dict[str, Any]:
    """A draft of the 806 report with the 806.10(c) fields."""
    product = case.product
    actions = list(case_actions(case))
    casefile = casefile_get(case)
    facts = (casefile.determination or {}).get("facts", {})
    versions = _versions(case)
    base = [v["installed_base"] for v in versions if v["installed_base"] is not None]
    comms = _by_kind(actions, ActionKind.COMMUNICATION)
    obligation = next((o for o in case_obligations(case) if o.regulation == "21 CFR 806.10"), None)
    initiated = facts.get("correction_initiated") or "YYYY-MM-DD"
    return {
        "title": f"Draft report of correction (21 CFR 806.10): {case.vulnerability.key} in {product.name}",
        "obligation": None
        if obligation is None
        else {
            "code": obligation.code,
            "outcome": obligation.outcome,
            "due": obligation.due.isoformat() if obligation.due else None,
        },
        "fields": {
            "report_number": f"{TO_COMPLETE}: <registration number>-{initiated}-<sequence>-C",
            "firm": TO_COMPLETE + ": name, address, telephone and contact person",
            "device": {
                "name": product.name,
                "product_code": TO_COMPLETE,
                "device_class": product.device_class,
            },
            "marketing_authorisation": product.regulatory_number or TO_COMPLETE,
            "identification": {
                "models": product.model_numbers,
                "udi_di": product.udi_dis,
                "versions": [v["version"] for v in versions],
                "lots_serials": TO_COMPLETE,
            },
            "event_and_action": {
                "vulnerability": case.vulnerability.key,
                "summary": case.summary or case.vulnerability.summary,
                "day0": case.day0.isoformat(),
                "correction_initiated": facts.get("correction_initiated"),
                "actions": [f"{a.on}: {a.summary}" for a in actions],
            },
            "injuries": "known serious adverse event or death"
            if facts.get("known_sae_or_death")
            else "no known serious adverse events or deaths",
            "device_count": sum(base) if base else TO_COMPLETE,
            "distribution_dates": {v["version"]: v["release_date"] for v in versions},
            "consignees": sorted({a.data.get("audience", "") for a in comms}) or [TO_COMPLETE],
            "communications": [
                {"on": a.on.isoformat(), "audience": a.data.get("audience"), "content": a.data.get("content")}
                for a in comms
            ],
        },
    }


def draft_pma(case: Case) -> dict[str, Any]:
    """A draft of the PMA periodic report section for the case (regulatory.md 1.9)."""
    actions = list(case_actions(case))
    casefile = casefile_get(case)
    current = case.current_assessment
    obligations = list(case_obligations(case))
    report = next((o for o in obligations if o.regulation.startswith("21 CFR 806")), None)
    summary = summarize_actions(actions)
    return {
        "title": f"PMA periodic report (21 CFR 814.84): {case.vulnerability.key} in {case.product.name}",
        "fields": {
            "vulnerability": case.vulnerability.key,
            "how_learned": f"{casefile.get_day0_source_display()} on {case.day0}"
            + (f" ({casefile.day0_reason})" if casefile.day0_reason else ""),
            "risk_conclusion": current.risk if current else TO_COMPLETE,
            "change_vs_approved": [a.summary for a in _by_kind(actions, ActionKind.FIX_RELEASE)]
            or [a.summary for a in _by_kind(actions, ActionKind.COMPENSATING_CONTROL)]
            or [TO_COMPLETE],
            "rationale": (current.justification or "; ".join(str(r) for r in current.reasons[:3]))
            if current
            else "",
            "other_submissions": next((o.reason for o in obligations if o.code == "R9"), "none identified"),
            "mdr_recall_numbers": [a.summary for a in _by_kind(actions, ActionKind.REPORT_FILED)],
            "udi": case.product.udi_dis,
            "advisory_links": [a.data.get("shared", "") for a in _by_kind(actions, ActionKind.ISAO_SHARE)],
            "customer_notifications": [
                f"{a.on}: {a.data.get('audience')}" for a in _by_kind(actions, ActionKind.COMMUNICATION)
            ],
            "isao": [
                {"name": a.data.get("isao"), "date": a.on.isoformat()}
                for a in _by_kind(actions, ActionKind.ISAO_SHARE)
            ],
            "report_reference": f"{report.code} {report.outcome}: {report.reason}"
            if report
            else "no 806 determination yet",
            "fix_distributed": summary.fix_distributed.isoformat() if summary.fix_distributed else None,
        },
    }
