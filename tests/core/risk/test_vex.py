"""VEX status from the decision and the CSAF / CycloneDX / OpenVEX crosswalk (regulatory.md 6.5)."""

from __future__ import annotations

import pytest

from medvigil.core.errors import InputError
from medvigil.core.risk.exploitability import ExploitabilityBand
from medvigil.core.risk.harm import Severity
from medvigil.core.risk.matrix import evaluate
from medvigil.core.risk.vex import (
    Justification,
    VexStatement,
    VexStatus,
    from_csaf,
    from_cyclonedx,
    from_openvex,
    to_csaf,
    to_cyclonedx,
    to_openvex,
    vex_from_decision,
)

CONTROLLED = evaluate(Severity.NEGLIGIBLE, ExploitabilityBand.HIGH)
UNCONTROLLED = evaluate(Severity.CRITICAL, ExploitabilityBand.HIGH)


def test_controlled_risk_on_an_affected_component_is_affected_not_not_affected() -> None:
    statement = vex_from_decision(CONTROLLED, component_affected=True)
    assert statement.status is VexStatus.AFFECTED
    assert "controlled" in statement.action_statement


def test_uncontrolled_gives_affected_with_action() -> None:
    statement = vex_from_decision(UNCONTROLLED, component_affected=True)
    assert statement.status is VexStatus.AFFECTED
    assert "compensating controls" in statement.action_statement
    own = vex_from_decision(UNCONTROLLED, component_affected=True, action_statement="Update to 2.1")
    assert own.action_statement == "Update to 2.1"


def test_not_affected_requires_justification_or_impact_statement() -> None:
    with pytest.raises(InputError):
        vex_from_decision(CONTROLLED, component_affected=False)
    statement = vex_from_decision(
        CONTROLLED, component_affected=False, justification=Justification.VULNERABLE_CODE_NOT_IN_EXECUTE_PATH
    )
    assert statement.status is VexStatus.NOT_AFFECTED
    assert (
        vex_from_decision(None, component_affected=False, impact_statement="TLS not used").status
        is VexStatus.NOT_AFFECTED
    )


def test_fixed_and_under_investigation() -> None:
    assert vex_from_decision(UNCONTROLLED, component_affected=True, fixed=True).status is VexStatus.FIXED
    assert vex_from_decision(None, component_affected=None).status is VexStatus.UNDER_INVESTIGATION


@pytest.mark.parametrize(
    ("justification", "cdx", "lossy"),
    [
        (Justification.COMPONENT_NOT_PRESENT, "code_not_present", True),
        (Justification.VULNERABLE_CODE_NOT_PRESENT, "code_not_present", False),
        (Justification.VULNERABLE_CODE_NOT_IN_EXECUTE_PATH, "code_not_reachable", False),
        (Justification.VULNERABLE_CODE_CANNOT_BE_CONTROLLED_BY_ADVERSARY, "requires_environment", True),
        (Justification.INLINE_MITIGATIONS_ALREADY_EXIST, "protected_by_mitigating_control", True),
    ],
)
def test_not_affected_crosswalk(justification: Justification, cdx: str, lossy: bool) -> None:
    statement = VexStatement(VexStatus.NOT_AFFECTED, justification)
    csaf = to_csaf(statement)
    assert (csaf.product_status, csaf.flag, csaf.needs_remediation) == (
        "known_not_affected",
        justification.value,
        False,
    )
    assert to_openvex(statement).justification == justification.value
    analysis = to_cyclonedx(statement)
    assert (analysis.state, analysis.justification, analysis.lossy) == ("not_affected", cdx, lossy)
    assert from_csaf(csaf.product_status, csaf.flag) == statement
    assert from_openvex("not_affected", justification.value) == statement
    back = from_cyclonedx(analysis.state, analysis.justification)
    assert back.status is VexStatus.NOT_AFFECTED
    expected_back = (
        Justification.VULNERABLE_CODE_NOT_PRESENT
        if justification is Justification.COMPONENT_NOT_PRESENT
        else justification
    )
    assert back.justification is expected_back  # component absence is lost in CycloneDX


@pytest.mark.parametrize(
    ("cdx", "internal"),
    [
        ("requires_configuration", Justification.VULNERABLE_CODE_CANNOT_BE_CONTROLLED_BY_ADVERSARY),
        ("requires_dependency", Justification.VULNERABLE_CODE_CANNOT_BE_CONTROLLED_BY_ADVERSARY),
        ("protected_by_compiler", Justification.INLINE_MITIGATIONS_ALREADY_EXIST),
        ("protected_at_runtime", Justification.INLINE_MITIGATIONS_ALREADY_EXIST),
        ("protected_at_perimeter", Justification.INLINE_MITIGATIONS_ALREADY_EXIST),
    ],
)
def test_cyclonedx_justifications_collapse_onto_cisa_ones(cdx: str, internal: Justification) -> None:
    assert from_cyclonedx("not_affected", cdx).justification is internal


@pytest.mark.parametrize(
    ("status", "csaf", "cdx"),
    [
        (VexStatus.AFFECTED, "known_affected", "exploitable"),
        (VexStatus.FIXED, "fixed", "resolved"),
        (VexStatus.UNDER_INVESTIGATION, "under_investigation", "in_triage"),
    ],
)
def test_other_status_crosswalk(status: VexStatus, csaf: str, cdx: str) -> None:
    statement = VexStatement(status, action_statement="Update" if status is VexStatus.AFFECTED else "")
    assert to_csaf(statement).product_status == csaf
    assert to_csaf(statement).needs_remediation is (status is VexStatus.AFFECTED)
    assert to_cyclonedx(statement).state == cdx
    assert to_openvex(statement).status == status.value
    assert from_cyclonedx(cdx, detail=statement.action_statement) == statement
    assert from_csaf(csaf).status is status


def test_false_positive_maps_to_cyclonedx_false_positive_and_needs_justification_back() -> None:
    statement = vex_from_decision(
        None, component_affected=False, false_positive=True, justification=Justification.COMPONENT_NOT_PRESENT
    )
    assert to_cyclonedx(statement).state == "false_positive"
    assert to_csaf(statement).product_status == "known_not_affected"
    with pytest.raises(InputError):
        from_cyclonedx("false_positive")
    assert from_cyclonedx("resolved_with_pedigree").status is VexStatus.FIXED
    assert from_csaf("first_fixed").status is VexStatus.FIXED


@pytest.mark.parametrize("call", [
    lambda: from_cyclonedx("bogus"),
    lambda: from_csaf("recommended"),
    lambda: from_openvex("affectd"),
    lambda: from_openvex("not_affected", "because"),
])  # fmt: skip
def test_unknown_vocabulary_is_rejected(call: object) -> None:
    with pytest.raises(InputError):
        call()  # type: ignore[operator]
