"""From a case's stored data to the core's reporting facts and clock (read-only).

Mapping (documented in docs/remediation.md):

- ``risk_status``: ``uncontrolled`` once any confirmed assessment said so (the correction was made
  for an uncontrolled risk even if a compensating control later controls it, EX-U3), else the
  current assessment's; an analyst may override it in the case facts with a reason.
- ``communication_sent``/``communication_parts``: the first communication with all four parts,
  else the latest one with the parts it has.
- ``fix_distributed``: the later of distribution and validation of a distributed fix release that
  has validation evidence, or the day a long-term compensating control was accepted.
- ``correction_initiated``: recorded fact, else the first fix release, control or communication.
- ``pma``/``device_class``: the product; ``isao_active``: an ISAO membership with all four criteria
  evidenced on ``today``; the other booleans: the analyst-recorded case facts (default false).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.db.models import Q

from medvigil.core.model.product import RegulatoryPathway
from medvigil.core.remediation.reporting import COMMUNICATION_PARTS, ReportingFacts, facts_from_mapping
from medvigil.web.remediation.models import ActionKind, CaseAction, CaseFile, IsaoMembership
from medvigil.web.risk.models import AssessmentStatus, Case

__all__ = ["ANALYST_FACTS", "ActionSummary", "case_facts", "isao_active", "summarize_actions"]

ANALYST_FACTS: Mapping[str, type] = {
    "known_sae_or_death": bool,
    "event_occurred": bool,
    "death_or_si_possible": bool,
    "malfunction_recurrence_likely": bool,
    "remedial_action_needed": bool,
    "already_reported_803_1004": bool,
    "significant_design_change": bool,
    "change_type": str,
    "correction_initiated": str,
    "risk_status": str,
}
"""Facts an analyst records on the case (with a reason); the rest are derived."""


@dataclass(frozen=True, slots=True)
class ActionSummary:
    """What the actions of a case establish."""

    communication_sent: dt.date | None
    communication_parts: frozenset[str]
    fix_distributed: dt.date | None
    fix_validated_distributed: bool
    long_term_control: dt.date | None
    isao_shared: dt.date | None
    first_correction: dt.date | None
    has_fix_release: bool
    has_control: bool
    filed: frozenset[str]
    """Regulations a report was filed under (``report_filed`` actions)."""


def _first_complete_communication(comms: list[CaseAction]) -> tuple[dt.date | None, frozenset[str]]:
    for c in comms:
        parts = frozenset(c.data.get("parts", []))
        if parts == frozenset(COMMUNICATION_PARTS):
            return c.on, parts
    if comms:
        return comms[-1].on, frozenset(comms[-1].data.get("parts", []))
    return None, frozenset()


def summarize_actions(actions: Iterable[CaseAction]) -> ActionSummary:
    """Fold a case's actions (ordered by date) into what they establish."""
    by_kind: dict[str, list[CaseAction]] = {}
    for a in sorted(actions, key=lambda a: (a.on, a.pk or 0)):
        by_kind.setdefault(a.kind, []).append(a)
    comm_on, parts = _first_complete_communication(by_kind.get(ActionKind.COMMUNICATION, []))
    validations: dict[int, dt.date] = {}
    for v in by_kind.get(ActionKind.VALIDATION, []):
        fix_id = int(v.data.get("fix_action", 0) or 0)
        validations.setdefault(fix_id, v.on)
    fixes = [
        max(f.on, validations[f.pk])
        for f in by_kind.get(ActionKind.FIX_RELEASE, [])
        if f.data.get("distributed") and f.pk in validations
    ]
    controls = [
        c.on
        for c in by_kind.get(ActionKind.COMPENSATING_CONTROL, [])
        if c.data.get("long_term") and c.data.get("accepted")
    ]
    fix = min(fixes, default=None)
    control = min(controls, default=None)
    done = [d for d in (fix, control) if d is not None]
    starts = [
        a.on
        for kind in (ActionKind.FIX_RELEASE, ActionKind.COMPENSATING_CONTROL, ActionKind.COMMUNICATION)
        for a in by_kind.get(kind, [])
    ]
    shares = by_kind.get(ActionKind.ISAO_SHARE, [])
    return ActionSummary(
        communication_sent=comm_on,
        communication_parts=parts,
        fix_distributed=min(done, default=None),
        fix_validated_distributed=fix is not None,
        long_term_control=control,
        isao_shared=shares[0].on if shares else None,
        first_correction=min(starts, default=None),
        has_fix_release=bool(by_kind.get(ActionKind.FIX_RELEASE)),
        has_control=bool(by_kind.get(ActionKind.COMPENSATING_CONTROL)),
        filed=frozenset(str(a.data.get("regulation", "")) for a in by_kind.get(ActionKind.REPORT_FILED, [])),
    )


def isao_active(today: dt.date) -> bool:
    """An ISAO membership current on ``today`` with evidence for all four criteria."""
    current = IsaoMembership.objects.filter(member_since__lte=today).filter(
        Q(member_until__isnull=True) | Q(member_until__gte=today)
    )
    return any(not m.missing_evidence() for m in current)


def _risk_status(case: Case, recorded: Mapping[str, Any]) -> str | None:
    if recorded.get("risk_status"):
        return str(recorded["risk_status"])
    confirmed_uncontrolled = case.assessments.filter(status=AssessmentStatus.CONFIRMED, controlled=False)
    if confirmed_uncontrolled.exists():
        return "uncontrolled"
    current = case.current_assessment
    return None if current is None else current.risk


def _change_type(uncontrolled: bool, s: ActionSummary) -> str | None:
    if s.has_fix_release:
        return "remediation" if uncontrolled else "routine_update_patch"
    if s.has_control:
        return "compensating_control_notice"
    return None


def _iso(day: dt.date | None) -> str | None:
    return day.isoformat() if day else None


def case_facts(
    case: Case,
    *,
    today: dt.date,
    casefile: CaseFile,
    summary: ActionSummary,
    isao: bool,
) -> ReportingFacts | None:
    """The reporting facts of the case on ``today`` (``None`` before any assessment)."""
    recorded = casefile.facts or {}
    risk = _risk_status(case, recorded)
    if risk is None:
        return None
    current = case.current_assessment
    product = case.product
    raw: dict[str, Any] = {
        "risk_status": risk,
        "change_type": recorded.get("change_type") or _change_type(risk == "uncontrolled", summary),
        **{k: bool(recorded.get(k, False)) for k, t in ANALYST_FACTS.items() if t is bool},
        "phi_only": bool(current.phi_only) if current is not None else False,
        "pma": product.pathway == RegulatoryPathway.PMA,
        "device_class": product.device_class,
        "isao_active": isao,
        "day0": case.day0.isoformat(),
        "correction_initiated": recorded.get("correction_initiated") or _iso(summary.first_correction),
        "communication_sent": _iso(summary.communication_sent),
        "communication_parts": sorted(summary.communication_parts),
        "fix_distributed": _iso(summary.fix_distributed),
        "isao_shared": _iso(summary.isao_shared),
        "today": max(today, case.day0).isoformat(),
    }
    return facts_from_mapping(raw, source=f"case {case.pk}")
