"""The assessment service: inputs in, a suggested ``Assessment`` with all reasons out.

This is the one path from facts to the FDA's controlled/uncontrolled call (regulatory.md 1.4,
3.4): CVSS (or the MITRE rubric) -> exploitability band (policy) -> with the ISO 14971 severity
from the hazard analysis -> risk matrix -> VEX status. The analyst uses the same functions:
``propose_assessment`` to get a suggestion, ``confirm_assessment`` to accept it.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from medvigil.core.errors import InputError
from medvigil.core.risk.assessment import Assessment, AssessmentStatus
from medvigil.core.risk.cvss import CvssScore, parse_vector, pick_preferred
from medvigil.core.risk.exploitability import (
    DEFAULT_POLICY,
    CompensatingControl,
    ExploitabilityPolicy,
    ExploitMaturity,
    assess_exploitability,
)
from medvigil.core.risk.harm import Hazard, Severity, assess_harm
from medvigil.core.risk.matrix import DEFAULT_MATRIX, RiskDecision, RiskMatrix, confirm, evaluate
from medvigil.core.risk.rubric import RubricAnswers, RubricOptions, RubricResult, apply_rubric
from medvigil.core.risk.vex import Justification, VexStatement, vex_from_decision

__all__ = ["HarmInput", "VexInput", "confirm_assessment", "propose_assessment"]


@dataclass(frozen=True, slots=True)
class HarmInput:
    """What the analyst selected or stated about patient harm."""

    hazards: tuple[Hazard, ...] = ()
    """Hazards from the product's hazard analysis the vulnerability could lead to."""
    analyst_severity: Severity | None = None
    """Severity set by the analyst instead (needs ``rationale``)."""
    rationale: str = ""
    """Why (required with ``analyst_severity``)."""
    phi_only: bool = False
    """Only PHI confidentiality is at stake."""


@dataclass(frozen=True, slots=True)
class VexInput:
    """Facts about the component that decide the VEX status."""

    component_affected: bool | None = True
    """Vulnerable code present and usable (``None``: still being investigated)."""
    fixed: bool = False
    """The product version carries the fix."""
    justification: Justification | None = None
    """Why not affected (when ``component_affected`` is False)."""
    impact_statement: str = ""
    """Impact statement for not_affected."""
    action_statement: str = ""
    """Advice for affected (a default follows from the decision)."""


def _scores(vectors: Sequence[str], rubric: RubricResult | None) -> tuple[CvssScore, ...]:
    scores = [parse_vector(v) for v in vectors]
    if rubric is not None:
        scores.insert(0, rubric.score)
    return tuple(scores)


def _source_reasons(rubric: RubricResult | None, used: CvssScore | None) -> list[str]:
    if rubric is not None:
        return [f"MITRE rubric answers give {rubric.vector}."]
    if used is not None:
        return [f"Using CVSS {used.version.value} vector {used.vector}."]
    return []


def _vex(decision: RiskDecision, facts: VexInput) -> VexStatement:
    return vex_from_decision(
        decision,
        component_affected=facts.component_affected,
        fixed=facts.fixed,
        justification=facts.justification,
        impact_statement=facts.impact_statement,
        action_statement=facts.action_statement,
    )


def propose_assessment(
    *,
    cvss_vectors: Sequence[str] = (),
    rubric_answers: RubricAnswers | Mapping[str, str] | None = None,
    rubric_options: RubricOptions | None = None,
    epss: float | None = None,
    kev: bool = False,
    maturity: ExploitMaturity | None = None,
    controls: Sequence[CompensatingControl] = (),
    harm: HarmInput,
    vex: VexInput | None = None,
    matrix: RiskMatrix = DEFAULT_MATRIX,
    policy: ExploitabilityPolicy = DEFAULT_POLICY,
) -> Assessment:
    """Propose an assessment (status ``suggested``) from the facts of one case.

    The vector used for exploitability is the rubric's when rubric answers are given (device
    specific), otherwise the preferred of ``cvss_vectors`` (v3.1, v3.0, v4.0, v2); with none, the
    policy's reasonable worst case applies. Raises ``VectorError`` / ``InputError`` on bad input.
    """
    rubric = apply_rubric(rubric_answers, options=rubric_options) if rubric_answers is not None else None
    scores = _scores(cvss_vectors, rubric)
    used = rubric.score if rubric is not None else pick_preferred(scores)
    reasons = _source_reasons(rubric, used)
    exploitability = assess_exploitability(
        cvss=used, epss=epss, kev=kev, maturity=maturity, controls=controls, policy=policy
    )
    reasons.extend(exploitability.reasons)
    severity = assess_harm(
        hazards=harm.hazards,
        analyst_severity=harm.analyst_severity,
        rationale=harm.rationale,
        phi_only=harm.phi_only,
    )
    reasons.append(severity.reason)
    decision = evaluate(severity.severity, exploitability.band, matrix)
    reasons.append(decision.rationale)
    statement = _vex(decision, vex or VexInput())
    reasons.append(f"VEX status {statement.status.value}.")
    return Assessment(
        status=AssessmentStatus.SUGGESTED,
        cvss=scores,
        cvss_used=used,
        rubric=rubric,
        exploitability=exploitability,
        harm=severity,
        decision=decision,
        vex=statement,
        reasons=tuple(reasons),
    )


def confirm_assessment(assessment: Assessment, *, assessor: str, justification: str = "") -> Assessment:
    """Accept ``assessment`` as ``assessor``; a borderline decision needs ``justification``.

    Raises ``InputError`` (field ``justification``) when the decision's cell is borderline and no
    justification is given, or when ``assessor`` is empty.
    """
    if not assessor.strip():
        raise InputError("a confirmed assessment needs an assessor", field="assessor")
    accepted = confirm(assessment.decision, justification)
    return dataclasses.replace(
        assessment,
        status=AssessmentStatus.CONFIRMED,
        justification=accepted.justification,
        assessor=assessor.strip(),
    )
