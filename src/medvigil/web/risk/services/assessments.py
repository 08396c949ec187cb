"""Assessments of a case: propose (suggested), confirm, change. Every call adds a version.

The result always comes from ``core.risk.assess.propose_assessment`` with the product's current
matrix and policy (or, when confirming a suggestion, the very matrix and policy it used), so
what an analyst sees on the page is what the FDA examples in the tests go through.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Max

from medvigil.core.errors import InputError
from medvigil.core.matching.keys import purl_package_key
from medvigil.core.risk.assess import HarmInput, VexInput, confirm_assessment, propose_assessment
from medvigil.core.risk.assessment import Assessment as CoreAssessment
from medvigil.core.risk.exploitability import DEFAULT_POLICY
from medvigil.core.risk.harm import Hazard as CoreHazard
from medvigil.core.risk.harm import Severity
from medvigil.web.notifications import sources as notify
from medvigil.web.risk.inputs import AssessmentInputs
from medvigil.web.risk.intel import vulnerability_facts
from medvigil.web.risk.models import (
    Assessment,
    AssessmentStatus,
    Case,
    CaseEvent,
    CaseState,
    ExploitabilityPolicy,
    Hazard,
    RiskMatrix,
)
from medvigil.web.risk.services.product_risk import matrix_current, policy_current
from medvigil.web.risk.services.states import case_move

__all__ = ["assessment_change", "assessment_confirm", "assessment_propose", "case_scope_snapshot"]

NO_HAZARDS_RATIONALE = (
    "No hazard analysis is recorded for this product: reasonable worst case until the analyst "
    "selects hazards or sets the severity."
)


@dataclass(frozen=True, slots=True)
class _Built:
    core: CoreAssessment
    inputs: AssessmentInputs
    matrix: RiskMatrix
    policy: ExploitabilityPolicy | None
    notes: tuple[str, ...]


def _actor(user: Any) -> Any:
    return user if user is not None and getattr(user, "is_authenticated", False) else None


def _case_component_keys(case: Case) -> set[str]:
    keys: set[str] = set()
    for components in case.scope.filter(active=True).values_list("components", flat=True):
        for c in components:
            keys.update({str(c.get("key", "")).lower(), str(c.get("name", "")).lower()})
    keys.discard("")
    return keys


def _linked(hazard: Hazard, keys: set[str]) -> bool:
    """A component link names a package (purl, ``npm:express``) or a component name."""
    for link in hazard.link_list("components"):
        wanted = (purl_package_key(link) if link.startswith("pkg:") else None) or link.lower()
        if wanted in keys or any(k.endswith("/" + wanted) or k.endswith(":" + wanted) for k in keys):
            return True
    return False


def _select_hazards(case: Case, inputs: AssessmentInputs) -> tuple[AssessmentInputs, list[Hazard], str]:
    """Hazards named by the inputs, or medvigil's pick: those linked to the affected components,
    else every hazard of the product (reasonable worst case)."""
    product_hazards = {h.identifier: h for h in case.product.hazards.all()}
    if inputs.hazards is not None:
        missing = [h for h in inputs.hazards if h not in product_hazards]
        if missing:
            raise InputError(f"{case.product.name} has no hazard {missing[0]!r}", field="hazards")
        return inputs, [product_hazards[h] for h in inputs.hazards], ""
    if inputs.phi_only or inputs.analyst_severity is not None or not product_hazards:
        return inputs, [], ""
    keys = _case_component_keys(case)
    linked = [h for h in product_hazards.values() if _linked(h, keys)]
    chosen = linked or list(product_hazards.values())
    ids = ", ".join(h.identifier for h in linked)
    note = (
        f"medvigil selected the hazards linked to the affected components ({ids})."
        if linked
        else "No hazard is linked to the affected components: every hazard of the product is selected "
        "(reasonable worst case); the analyst should narrow the selection."
    )
    return inputs.with_hazards(tuple(h.identifier for h in chosen)), chosen, note


def _harm(inputs: AssessmentInputs, hazards: list[Hazard]) -> tuple[HarmInput, str]:
    core_hazards: tuple[CoreHazard, ...] = tuple(h.to_core() for h in hazards)
    if not core_hazards and not inputs.phi_only and inputs.analyst_severity is None:
        return HarmInput(analyst_severity=Severity.CATASTROPHIC, rationale=NO_HAZARDS_RATIONALE), (
            "No hazards recorded: severity set to the reasonable worst case."
        )
    return (
        HarmInput(
            hazards=core_hazards,
            analyst_severity=inputs.analyst_severity,
            rationale=inputs.severity_rationale,
            phi_only=inputs.phi_only,
        ),
        "",
    )


def _compute(
    case: Case, inputs: AssessmentInputs, matrix: RiskMatrix, policy: ExploitabilityPolicy | None
) -> _Built:
    facts = vulnerability_facts(case.vulnerability)
    inputs, hazards, hazard_note = _select_hazards(case, inputs)
    harm, harm_note = _harm(inputs, hazards)
    core = propose_assessment(
        cvss_vectors=facts.cvss_vectors if inputs.cvss_vectors is None else inputs.cvss_vectors,
        rubric_answers=inputs.rubric_answers,
        epss=facts.epss if inputs.epss is None else inputs.epss,
        kev=facts.kev if inputs.kev is None else inputs.kev,
        maturity=inputs.maturity,
        controls=inputs.controls,
        harm=harm,
        vex=VexInput(
            component_affected=inputs.component_affected,
            fixed=inputs.fixed,
            justification=inputs.vex_justification,
            impact_statement=inputs.impact_statement,
            action_statement=inputs.action_statement,
        ),
        matrix=matrix.to_core(),
        policy=policy.to_core() if policy is not None else DEFAULT_POLICY,
    )
    notes = tuple(n for n in (hazard_note, harm_note) if n)
    return _Built(core, inputs, matrix, policy, notes)


def case_scope_snapshot(case: Case) -> dict[str, Any]:
    """What a confirmed assessment covered: the product's interfaces and, per active version, the
    relevant components as ``[key, version, purl]`` (compared for carry-over)."""
    versions = {
        cv.product_version.version: component_pairs(cv.components)
        for cv in case.scope.filter(active=True).select_related("product_version")
    }
    return {"interfaces": sorted(case.product.interfaces), "versions": versions}


def component_pairs(components: list[dict[str, Any]]) -> list[list[str]]:
    """The identity of a version's relevant components, order-free."""
    return sorted(
        [str(c.get("key", "")), str(c.get("version", "")), str(c.get("purl", ""))] for c in components
    )


def _store(case: Case, built: _Built, *, status: str, user: Any, based_on: Assessment | None) -> Assessment:
    core = built.core
    result = core.to_dict()
    result["reasons"] = [*built.notes, *result["reasons"]]
    number = int(case.assessments.aggregate(top=Max("number"))["top"] or 0) + 1
    return Assessment.objects.create(
        case=case,
        number=number,
        status=status,
        based_on=based_on,
        inputs=built.inputs.to_dict(),
        result=result,
        rubric_answers=built.inputs.rubric_answers,
        controlled=core.controlled,
        borderline=core.decision.borderline,
        exploitability=core.exploitability.band.value,
        severity=int(core.harm.severity),
        phi_only=core.harm.phi_only,
        vex_status=core.vex.status.value,
        matrix=built.matrix,
        policy=built.policy,
        scope=case_scope_snapshot(case) if status == AssessmentStatus.CONFIRMED else {},
        justification=core.justification,
        created_by=_actor(user),
    )


def _event(case: Case, kind: str, message: str, assessment: Assessment, user: Any) -> None:
    CaseEvent.objects.create(case=case, kind=kind, message=message, assessment=assessment, actor=_actor(user))


def _as_inputs(
    value: AssessmentInputs | Mapping[str, Any] | None, base: AssessmentInputs
) -> AssessmentInputs:
    if value is None:
        return base
    if isinstance(value, AssessmentInputs):
        return value
    return base.merged(value)


def _latest(case: Case) -> Assessment | None:
    return case.assessments.order_by("-number").first()


def _summary(a: Assessment) -> str:
    return (
        f"v{a.number}: {a.risk} (exploitability {a.exploitability}, "
        f"severity {a.severity_level.label}, VEX {a.vex_status})"
    )


def _keep_first_confirmed(case: Case) -> None:
    """Before a full ``case.save()``: an instance read before another request's first confirmation
    must not write its empty ``first_confirmed`` back (one read, only while it is empty)."""
    if case.first_confirmed is None and case.pk is not None:
        stored = Case.objects.filter(pk=case.pk).values_list("first_confirmed", flat=True).first()
        case.first_confirmed = stored


def _after_confirm(case: Case, assessment: Assessment, user: Any) -> None:
    """Everything a confirmed version changes on its case (saved by the caller, same transaction)."""
    _keep_first_confirmed(case)
    if case.first_confirmed is None:  # the metrics' time to assess; assessments are never rewritten
        case.first_confirmed = assessment.created_at.astimezone(dt.UTC).date()
    notify.case_assessed(case, assessment)
    case.scope.filter(active=True).update(covered_by=assessment, carried=False)
    case.review_needed = False
    case.review_reason = ""
    if case.state in (CaseState.NEW, CaseState.TRIAGE, CaseState.CLOSED):
        why = (
            "assessment confirmed"
            if case.state != CaseState.CLOSED
            else "reopened by a new confirmed assessment"
        )
        case_move(case, CaseState.ASSESSED, user=user, reason=why, assessment=assessment, save=False)


def assessment_propose(
    *, case: Case, inputs: AssessmentInputs | Mapping[str, Any] | None = None, user: Any = None
) -> Assessment:
    """Add a suggested assessment computed from ``inputs`` (default: the latest version's inputs,
    else medvigil's defaults) over the vulnerability's intelligence and the product's set-up."""
    latest = _latest(case)
    base = AssessmentInputs.from_mapping(latest.inputs) if latest is not None else AssessmentInputs()
    chosen = _as_inputs(inputs, base)
    with transaction.atomic():
        built = _compute(
            case, chosen, matrix_current(product=case.product), policy_current(product=case.product)
        )
        assessment = _store(case, built, status=AssessmentStatus.SUGGESTED, user=user, based_on=latest)
        case.current_assessment = assessment
        if case.state in (CaseState.NEW, CaseState.CLOSED):
            why = "assessment proposed" if case.state == CaseState.NEW else "reopened by a new proposal"
            case_move(case, CaseState.TRIAGE, user=user, reason=why, assessment=assessment, save=False)
        _keep_first_confirmed(case)
        case.save()
        who = "medvigil" if _actor(user) is None else user.get_username()
        _event(case, "proposed", f"{who} proposed (suggested) {_summary(assessment)}", assessment, user)
    return assessment


def assessment_confirm(*, case: Case, user: Any, justification: str = "") -> Assessment:
    """Confirm the latest (suggested) assessment as ``user``: a new confirmed version with the same
    inputs, matrix and policy. A borderline cell needs ``justification``."""
    if _actor(user) is None:
        raise InputError("confirming an assessment needs a signed-in analyst", field="user")
    latest = _latest(case)
    if latest is None:
        raise InputError("the case has no assessment to confirm; propose one first", field="assessment")
    if latest.status == AssessmentStatus.CONFIRMED and not case.review_needed:
        raise InputError(f"assessment v{latest.number} is already confirmed", field="assessment")
    with transaction.atomic():
        built = _compute(case, AssessmentInputs.from_mapping(latest.inputs), latest.matrix, latest.policy)
        confirmed = confirm_assessment(built.core, assessor=user.get_username(), justification=justification)
        built = _Built(confirmed, built.inputs, built.matrix, built.policy, built.notes)
        assessment = _store(case, built, status=AssessmentStatus.CONFIRMED, user=user, based_on=latest)
        case.current_assessment = assessment
        _after_confirm(case, assessment, user)
        case.save()
        _event(case, "confirmed", f"{user.get_username()} confirmed {_summary(assessment)}", assessment, user)
    return assessment


def assessment_change(
    *,
    case: Case,
    changes: AssessmentInputs | Mapping[str, Any],
    user: Any,
    justification: str = "",
    confirm: bool = True,
) -> Assessment:
    """Add a version with the analyst's changed inputs (merged over the latest version's), computed
    with the product's current matrix and policy; confirmed at once unless ``confirm`` is False."""
    if _actor(user) is None:
        raise InputError("changing an assessment needs a signed-in analyst", field="user")
    if not confirm:
        return assessment_propose(case=case, inputs=changes, user=user)
    latest = _latest(case)
    base = AssessmentInputs.from_mapping(latest.inputs) if latest is not None else AssessmentInputs()
    with transaction.atomic():
        built = _compute(
            case,
            _as_inputs(changes, base),
            matrix_current(product=case.product),
            policy_current(product=case.product),
        )
        confirmed = confirm_assessment(built.core, assessor=user.get_username(), justification=justification)
        built = _Built(confirmed, built.inputs, built.matrix, built.policy, built.notes)
        assessment = _store(case, built, status=AssessmentStatus.CONFIRMED, user=user, based_on=latest)
        case.current_assessment = assessment
        _after_confirm(case, assessment, user)
        case.save()
        _event(
            case,
            "changed",
            f"{user.get_username()} changed and confirmed {_summary(assessment)}",
            assessment,
            user,
        )
    return assessment
