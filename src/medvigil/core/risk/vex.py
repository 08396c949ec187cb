"""VEX status that follows from an assessment, and the CSAF / CycloneDX / OpenVEX crosswalk.

Vocabulary and mapping follow regulatory.md sections 6.3-6.5. The internal statuses and
justifications are the CISA minimum-VEX (OpenVEX) ones. The rule of section 6.5 holds throughout:
an FDA "controlled" device risk is NOT "not_affected"; an affected component whose device risk is
controlled is published as "affected" with an action statement.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from medvigil.core.errors import InputError
from medvigil.core.risk.matrix import RiskDecision, RiskResult

__all__ = [
    "CsafStatus",
    "CycloneDxAnalysis",
    "Justification",
    "OpenVexStatus",
    "VexStatement",
    "VexStatus",
    "from_csaf",
    "from_cyclonedx",
    "from_openvex",
    "to_csaf",
    "to_cyclonedx",
    "to_openvex",
    "vex_from_decision",
]


class VexStatus(StrEnum):
    """CISA minimum-VEX / OpenVEX status."""

    NOT_AFFECTED = "not_affected"
    AFFECTED = "affected"
    FIXED = "fixed"
    UNDER_INVESTIGATION = "under_investigation"


class Justification(StrEnum):
    """Why a product is not affected (CISA / OpenVEX / CSAF flag labels)."""

    COMPONENT_NOT_PRESENT = "component_not_present"
    VULNERABLE_CODE_NOT_PRESENT = "vulnerable_code_not_present"
    VULNERABLE_CODE_NOT_IN_EXECUTE_PATH = "vulnerable_code_not_in_execute_path"
    VULNERABLE_CODE_CANNOT_BE_CONTROLLED_BY_ADVERSARY = "vulnerable_code_cannot_be_controlled_by_adversary"
    INLINE_MITIGATIONS_ALREADY_EXIST = "inline_mitigations_already_exist"


@dataclass(frozen=True, slots=True)
class VexStatement:
    """The VEX content of one vulnerability in one product (format independent)."""

    status: VexStatus
    """Status."""
    justification: Justification | None = None
    """Required for not_affected (or an impact statement)."""
    impact_statement: str = ""
    """Free-text impact statement (not_affected)."""
    action_statement: str = ""
    """Remediation or mitigation advice (required for affected)."""
    false_positive: bool = False
    """The match was wrong (CycloneDX ``false_positive``); status is then not_affected."""


def vex_from_decision(
    decision: RiskDecision | None,
    *,
    component_affected: bool | None,
    fixed: bool = False,
    justification: Justification | None = None,
    impact_statement: str = "",
    action_statement: str = "",
    false_positive: bool = False,
) -> VexStatement:
    """Return the VEX statement that follows from the analysis and the risk decision.

    ``component_affected`` says whether the vulnerable code is present and usable in the
    product (``None``: not yet known). A controlled risk does not make the product not_affected.
    """
    if fixed:
        return VexStatement(VexStatus.FIXED, action_statement=action_statement)
    if false_positive or component_affected is False:
        if justification is None and not impact_statement.strip():
            raise InputError(
                "not_affected needs a justification or an impact statement", field="justification"
            )
        return VexStatement(
            VexStatus.NOT_AFFECTED, justification, impact_statement, false_positive=false_positive
        )
    if component_affected is None:
        return VexStatement(VexStatus.UNDER_INVESTIGATION)
    return VexStatement(VexStatus.AFFECTED, action_statement=action_statement or _default_action(decision))


def _default_action(decision: RiskDecision | None) -> str:
    if decision is None:
        return "Assessment in progress; follow the manufacturer's guidance."
    if decision.result is RiskResult.CONTROLLED:
        return (
            "Risk to patients assessed as controlled; apply the routine update when available "
            "and keep the recommended security controls in place."
        )
    return (
        "Risk to patients assessed as uncontrolled; apply the recommended compensating controls "
        "now and the fix as soon as it is released."
    )


@dataclass(frozen=True, slots=True)
class CsafStatus:
    """CSAF 2.0 representation: product_status group, flag label, remediation need."""

    product_status: str
    """``known_not_affected``, ``known_affected``, ``fixed`` or ``under_investigation``."""
    flag: str | None
    """Flag label for not_affected (``vulnerable_code_not_present``...)."""
    needs_remediation: bool
    """CSAF requires a remediation for known_affected products (test 6.1.27.x)."""


@dataclass(frozen=True, slots=True)
class CycloneDxAnalysis:
    """CycloneDX ``vulnerabilities[].analysis`` representation."""

    state: str
    """``not_affected``, ``exploitable``, ``resolved``, ``in_triage`` or ``false_positive``."""
    justification: str | None
    """CycloneDX justification (not_affected only)."""
    detail: str
    """Impact or action text."""
    lossy: bool
    """The mapping loses information (regulatory.md 6.5)."""


@dataclass(frozen=True, slots=True)
class OpenVexStatus:
    """OpenVEX statement fields."""

    status: str
    """OpenVEX status."""
    justification: str | None
    """OpenVEX justification."""
    impact_statement: str
    """Impact statement."""
    action_statement: str
    """Action statement."""


_CSAF_STATUS = {
    VexStatus.NOT_AFFECTED: "known_not_affected",
    VexStatus.AFFECTED: "known_affected",
    VexStatus.FIXED: "fixed",
    VexStatus.UNDER_INVESTIGATION: "under_investigation",
}
_CDX_STATE = {
    VexStatus.AFFECTED: "exploitable",
    VexStatus.FIXED: "resolved",
    VexStatus.UNDER_INVESTIGATION: "in_triage",
    VexStatus.NOT_AFFECTED: "not_affected",
}
# (CycloneDX justification, lossy)
_CDX_JUSTIFICATION = {
    Justification.COMPONENT_NOT_PRESENT: ("code_not_present", True),
    Justification.VULNERABLE_CODE_NOT_PRESENT: ("code_not_present", False),
    Justification.VULNERABLE_CODE_NOT_IN_EXECUTE_PATH: ("code_not_reachable", False),
    Justification.VULNERABLE_CODE_CANNOT_BE_CONTROLLED_BY_ADVERSARY: ("requires_environment", True),
    Justification.INLINE_MITIGATIONS_ALREADY_EXIST: ("protected_by_mitigating_control", True),
}
_FROM_CDX_JUSTIFICATION = {
    "code_not_present": Justification.VULNERABLE_CODE_NOT_PRESENT,
    "code_not_reachable": Justification.VULNERABLE_CODE_NOT_IN_EXECUTE_PATH,
    "requires_configuration": Justification.VULNERABLE_CODE_CANNOT_BE_CONTROLLED_BY_ADVERSARY,
    "requires_dependency": Justification.VULNERABLE_CODE_CANNOT_BE_CONTROLLED_BY_ADVERSARY,
    "requires_environment": Justification.VULNERABLE_CODE_CANNOT_BE_CONTROLLED_BY_ADVERSARY,
    "protected_by_compiler": Justification.INLINE_MITIGATIONS_ALREADY_EXIST,
    "protected_at_runtime": Justification.INLINE_MITIGATIONS_ALREADY_EXIST,
    "protected_at_perimeter": Justification.INLINE_MITIGATIONS_ALREADY_EXIST,
    "protected_by_mitigating_control": Justification.INLINE_MITIGATIONS_ALREADY_EXIST,
}


def to_csaf(statement: VexStatement) -> CsafStatus:
    """Map to CSAF product_status and flag (regulatory.md 6.5)."""
    flag = statement.justification.value if statement.justification else None
    return CsafStatus(
        product_status=_CSAF_STATUS[statement.status],
        flag=flag if statement.status is VexStatus.NOT_AFFECTED else None,
        needs_remediation=statement.status is VexStatus.AFFECTED,
    )


def to_openvex(statement: VexStatement) -> OpenVexStatus:
    """Map to OpenVEX / CISA minimum-VEX fields (the internal vocabulary; lossless)."""
    return OpenVexStatus(
        status=statement.status.value,
        justification=statement.justification.value if statement.justification else None,
        impact_statement=statement.impact_statement,
        action_statement=statement.action_statement,
    )


def to_cyclonedx(statement: VexStatement) -> CycloneDxAnalysis:
    """Map to a CycloneDX analysis; ``lossy`` tells when information is lost."""
    if statement.status is VexStatus.NOT_AFFECTED:
        if statement.false_positive:
            return CycloneDxAnalysis("false_positive", None, statement.impact_statement, False)
        cdx: str | None = None
        lossy = False
        if statement.justification is not None:
            cdx, lossy = _CDX_JUSTIFICATION[statement.justification]
        return CycloneDxAnalysis("not_affected", cdx, statement.impact_statement, lossy)
    detail = statement.action_statement if statement.status is VexStatus.AFFECTED else ""
    return CycloneDxAnalysis(_CDX_STATE[statement.status], None, detail, False)


def from_cyclonedx(state: str, justification: str | None = None, detail: str = "") -> VexStatement:
    """Read a CycloneDX analysis state/justification back into a statement."""
    if state in ("not_affected", "false_positive"):
        mapped = _FROM_CDX_JUSTIFICATION.get(justification or "")
        if mapped is None and not detail.strip():
            raise InputError(
                f"CycloneDX {state} needs a justification to convert to VEX", field="justification"
            )
        return VexStatement(VexStatus.NOT_AFFECTED, mapped, detail, false_positive=state == "false_positive")
    status = {
        "exploitable": VexStatus.AFFECTED,
        "resolved": VexStatus.FIXED,
        "resolved_with_pedigree": VexStatus.FIXED,
        "in_triage": VexStatus.UNDER_INVESTIGATION,
    }.get(state)
    if status is None:
        raise InputError(f"unknown CycloneDX analysis state {state!r}", field="state")
    return VexStatement(status, action_statement=detail if status is VexStatus.AFFECTED else "")


def from_csaf(product_status: str, flag: str | None = None) -> VexStatement:
    """Read a CSAF product_status group (and flag label) into a statement."""
    status = {
        "known_not_affected": VexStatus.NOT_AFFECTED,
        "known_affected": VexStatus.AFFECTED,
        "fixed": VexStatus.FIXED,
        "first_fixed": VexStatus.FIXED,
        "under_investigation": VexStatus.UNDER_INVESTIGATION,
    }.get(product_status)
    if status is None:
        raise InputError(f"unsupported CSAF product status {product_status!r}", field="product_status")
    justification = _justification(flag) if status is VexStatus.NOT_AFFECTED and flag else None
    return VexStatement(status, justification)


def from_openvex(
    status: str, justification: str | None = None, impact_statement: str = "", action_statement: str = ""
) -> VexStatement:
    """Read OpenVEX statement fields into a statement."""
    try:
        parsed = VexStatus(status)
    except ValueError:
        raise InputError(f"unknown OpenVEX status {status!r}", field="status") from None
    return VexStatement(
        parsed,
        _justification(justification) if justification else None,
        impact_statement,
        action_statement,
    )


def _justification(value: str) -> Justification:
    try:
        return Justification(value)
    except ValueError:
        raise InputError(f"unknown VEX justification {value!r}", field="justification") from None
