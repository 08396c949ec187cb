"""The FDA's worked examples (regulatory.md 1.10, EX-C1 to EX-U4) through ``propose_assessment``.

Each example is entered as an analyst would: the facts of the example become CVSS vectors or rubric
answers, exploit facts, compensating controls and hazards or an analyst severity with rationale.
The service and the default matrix and policy are used unchanged; no example is special-cased.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from medvigil.core.errors import InputError
from medvigil.core.risk.assess import HarmInput, confirm_assessment, propose_assessment
from medvigil.core.risk.assessment import Assessment, AssessmentStatus
from medvigil.core.risk.exploitability import CompensatingControl, ExploitabilityBand, ExploitMaturity
from medvigil.core.risk.harm import Hazard, Severity
from medvigil.core.risk.matrix import RiskResult
from medvigil.core.risk.vex import VexStatus

FIRMWARE_HAZARD = Hazard(
    "HAZ-FW-1",
    "Malicious firmware installed on the device",
    "Therapy altered or stopped: life-threatening injury",
    Severity.CRITICAL,
    ("firmware-update interface",),
)
IMPLANT_HAZARD = Hazard(
    "HAZ-IMP-1",
    "Implant reprogrammed by an unauthorised party",
    "Inappropriate pacing or shocks: patient death",
    Severity.CATASTROPHIC,
    ("RF telemetry",),
)
EP_HAZARD = Hazard(
    "HAZ-EP-1",
    "Added failure mode degrades essential clinical performance",
    "Delayed or wrong treatment requiring medical intervention",
    Severity.SERIOUS,
    ("network service",),
)
UNKNOWN_FLAW_HAZARD = Hazard(
    "HAZ-SW-9", "Proprietary software misbehaves during therapy", "Patient death", Severity.CATASTROPHIC
)
# EX-U2: implant reachable only over short-range RF, hard-coded password, attacker acts at will.
IMPLANT_RUBRIC = {
    "XAVN": "yes", "XAVT": "no", "XAVW": "yes", "XAVR": "yes", "XACL": "yes", "XPRL": "no",
    "XUI": "no", "XS": "no", "XCP": "yes", "XCPM": "no", "XIT": "high", "XAT": "high",
}  # fmt: skip


@dataclass(frozen=True)
class Example:
    cvss_vectors: tuple[str, ...] = ()
    rubric: dict[str, str] | None = None
    maturity: ExploitMaturity | None = None
    kev: bool = False
    controls: tuple[CompensatingControl, ...] = ()
    harm: HarmInput = field(default_factory=HarmInput)
    expected: RiskResult = RiskResult.CONTROLLED


EXAMPLES = {
    # Blood gas analyzer malware; data not altered; safety and essential performance unaffected.
    "EX-C1": Example(
        cvss_vectors=("CVSS:3.0/AV:N/AC:L/PR:N/UI:R/S:U/C:L/I:N/A:L",),
        maturity=ExploitMaturity.HIGH,
        harm=HarmInput(
            analyst_severity=Severity.NEGLIGIBLE,
            rationale="Malware does not alter measurement data; safety and essential performance unaffected.",
        ),
    ),
    # Public exploit for an old COTS database flaw; misconfiguration exposes PHI read-only.
    "EX-C2": Example(
        cvss_vectors=("CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N",),
        maturity=ExploitMaturity.FUNCTIONAL,
        harm=HarmInput(phi_only=True),
    ),
    # Open unused port; design blocks remote firmware download; physical access needed.
    "EX-C3": Example(
        cvss_vectors=("CVSS:3.0/AV:P/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",),
        harm=HarmInput(hazards=(FIRMWARE_HAZARD,)),
    ),
    # Class III device PC component malware harvesting browsing data; no safety/EP impact.
    "EX-C4": Example(
        cvss_vectors=("CVSS:3.0/AV:N/AC:L/PR:N/UI:R/S:U/C:H/I:N/A:N",),
        maturity=ExploitMaturity.HIGH,
        harm=HarmInput(
            analyst_severity=Severity.NEGLIGIBLE,
            rationale="Only browsing data of the PC component is harvested; no safety or EP impact.",
        ),
    ),
    # Open unused ports allow unauthorized firmware download; no serious adverse events.
    "EX-U1": Example(
        cvss_vectors=("CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",),
        harm=HarmInput(hazards=(FIRMWARE_HAZARD,)),
        expected=RiskResult.UNCONTROLLED,
    ),
    # Class III implant reprogrammable via hard-coded password; exploitability moderate; death.
    "EX-U2": Example(
        rubric=IMPLANT_RUBRIC,
        harm=HarmInput(hazards=(IMPLANT_HAZARD,)),
        expected=RiskResult.UNCONTROLLED,
    ),
    # Known-in-community vulnerability adds a failure mode affecting essential performance.
    "EX-U3": Example(
        cvss_vectors=("CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:H/A:H",),
        maturity=ExploitMaturity.PROOF_OF_CONCEPT,
        harm=HarmInput(hazards=(EP_HAZARD,)),
        expected=RiskResult.UNCONTROLLED,
    ),
    # Hospital reports harm; unknown proprietary-software flaw may have contributed to a death.
    "EX-U4": Example(
        maturity=ExploitMaturity.HIGH,
        harm=HarmInput(hazards=(UNKNOWN_FLAW_HAZARD,)),
        expected=RiskResult.UNCONTROLLED,
    ),
}


def _propose(example: Example) -> Assessment:
    return propose_assessment(
        cvss_vectors=example.cvss_vectors,
        rubric_answers=example.rubric,
        maturity=example.maturity,
        kev=example.kev,
        controls=example.controls,
        harm=example.harm,
    )


@pytest.mark.parametrize("example_id", sorted(EXAMPLES))
def test_worked_example_reaches_the_guidance_conclusion(example_id: str) -> None:
    example = EXAMPLES[example_id]
    assessment = _propose(example)
    assert assessment.decision.result is example.expected
    assert assessment.status is AssessmentStatus.SUGGESTED
    assert assessment.vex.status is VexStatus.AFFECTED
    assert assessment.reasons
    assert example.expected.value in assessment.decision.rationale


def test_ex_c2_is_recorded_as_phi_only() -> None:
    assessment = _propose(EXAMPLES["EX-C2"])
    assert assessment.harm.phi_only is True
    assert assessment.exploitability.band is ExploitabilityBand.HIGH


def test_ex_c3_is_borderline_and_needs_a_justification_to_confirm() -> None:
    assessment = _propose(EXAMPLES["EX-C3"])
    assert assessment.exploitability.band is ExploitabilityBand.LOW
    assert assessment.decision.borderline is True
    with pytest.raises(InputError):
        confirm_assessment(assessment, assessor="analyst@example.com")
    confirmed = confirm_assessment(
        assessment,
        assessor="analyst@example.com",
        justification="Firmware download needs physical access to a port inside the locked housing.",
    )
    assert confirmed.status is AssessmentStatus.CONFIRMED
    assert confirmed.decision.result is RiskResult.CONTROLLED


def test_ex_u2_exploitability_is_moderate_from_the_rubric() -> None:
    assessment = _propose(EXAMPLES["EX-U2"])
    assert assessment.rubric is not None
    assert assessment.cvss_used is assessment.rubric.score
    assert assessment.exploitability.band is ExploitabilityBand.MEDIUM
    assert assessment.harm.severity is Severity.CATASTROPHIC


def test_ex_u3_network_disconnection_makes_the_risk_controlled() -> None:
    disconnect = CompensatingControl(
        "Users instructed to disconnect the device from the network", (("MAV", "P"),)
    )
    example = EXAMPLES["EX-U3"]
    after = propose_assessment(
        cvss_vectors=example.cvss_vectors,
        maturity=example.maturity,
        controls=(disconnect,),
        harm=example.harm,
    )
    assert after.exploitability.band is ExploitabilityBand.LOW
    assert after.decision.result is RiskResult.CONTROLLED


def test_ex_u4_unknown_flaw_uses_reasonable_worst_case() -> None:
    assessment = _propose(EXAMPLES["EX-U4"])
    assert assessment.cvss_used is None
    assert assessment.exploitability.band is ExploitabilityBand.HIGH
    assert "worst case" in assessment.exploitability.reason
