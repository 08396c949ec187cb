"""The FDA's worked examples (regulatory.md 1.10, EX-C1..EX-U4) through the analyst's web services.

Each example gets its own product with its hazard analysis, and a case for its vulnerability: a
known one from the intelligence store (with the vector its record carries), or a first-party
record for the flaws no feed knows (EX-U1 ports, EX-U2 hard-coded password, EX-U4 unknown flaw).
The analyst proposes with the example's facts and confirms; the default matrix and policy are
used unchanged and no example is special-cased.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest

from medvigil.web.inventory import services as inventory
from medvigil.web.risk import services
from medvigil.web.risk.models import Case
from tests.web.risk.conftest import make_vulnerability

pytestmark = pytest.mark.django_db

FIRMWARE = ("HAZ-FW-1", "Malicious firmware installed on the device",
            "Therapy altered or stopped: life-threatening injury", "critical")  # fmt: skip
IMPLANT = ("HAZ-IMP-1", "Implant reprogrammed by an unauthorised party",
           "Inappropriate pacing or shocks: patient death", "catastrophic")  # fmt: skip
ESSENTIAL = ("HAZ-EP-1", "Added failure mode degrades essential clinical performance",
             "Delayed or wrong treatment requiring medical intervention", "serious")  # fmt: skip
UNKNOWN_FLAW = ("HAZ-SW-9", "Proprietary software misbehaves during therapy", "Patient death", "catastrophic")
IMPLANT_RUBRIC = {
    "XAVN": "yes", "XAVT": "no", "XAVW": "yes", "XAVR": "yes", "XACL": "yes", "XPRL": "no",
    "XUI": "no", "XS": "no", "XCP": "yes", "XCPM": "no", "XIT": "high", "XAT": "high",
}  # fmt: skip


@dataclass(frozen=True)
class Example:
    expected: str
    interfaces: tuple[str, ...]
    vector: str = ""
    known: bool = True
    """A CVE in the intelligence store (else a first-party record)."""
    hazards: tuple[tuple[str, str, str, str], ...] = ()
    inputs: dict[str, Any] = field(default_factory=dict)
    justification: str = ""


EXAMPLES = {
    "EX-C1": Example("controlled", ("ethernet",), "CVSS:3.0/AV:N/AC:L/PR:N/UI:R/S:U/C:L/I:N/A:L", inputs={
        "maturity": "high", "analyst_severity": "negligible",
        "severity_rationale": "Malware does not alter measurement data; safety and essential performance "
                              "unaffected.",
    }),
    "EX-C2": Example("controlled", ("ethernet",), "CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N",
                     inputs={"maturity": "functional", "phi_only": True}),
    "EX-C3": Example("controlled", ("ethernet",), "CVSS:3.0/AV:P/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
                     hazards=(FIRMWARE,), inputs={"hazards": ["HAZ-FW-1"]},
                     justification="Firmware download needs physical access to a port inside the housing."),
    "EX-C4": Example("controlled", ("ethernet",), "CVSS:3.0/AV:N/AC:L/PR:N/UI:R/S:U/C:H/I:N/A:N", inputs={
        "maturity": "high", "analyst_severity": "negligible",
        "severity_rationale": "Only browsing data of the PC component is harvested; no safety or EP impact.",
    }),
    "EX-U1": Example("uncontrolled", ("ethernet",), "CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
                     known=False, hazards=(FIRMWARE,), inputs={"hazards": ["HAZ-FW-1"]}),
    "EX-U2": Example("uncontrolled", ("rf-telemetry",), known=False, hazards=(IMPLANT,),
                     inputs={"hazards": ["HAZ-IMP-1"], "rubric_answers": IMPLANT_RUBRIC}),
    "EX-U3": Example("uncontrolled", ("ethernet",), "CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:H/A:H",
                     hazards=(ESSENTIAL,), inputs={"maturity": "proof_of_concept", "hazards": ["HAZ-EP-1"]}),
    "EX-U4": Example("uncontrolled", ("ethernet",), known=False, hazards=(UNKNOWN_FLAW,),
                     inputs={"maturity": "high", "hazards": ["HAZ-SW-9"]}),
}  # fmt: skip


def _case(example_id: str, example: Example, analyst: Any) -> Case:
    product = inventory.product_create(name=f"Device {example_id}", interfaces=list(example.interfaces))
    inventory.version_create(product=product, version="1.0")
    for identifier, situation, harm, severity in example.hazards:
        services.hazard_create(
            product=product,
            identifier=identifier,
            hazardous_situation=situation,
            harm=harm,
            severity=severity,
        )
    if not example.known:
        return services.first_party_record(
            product=product,
            title=f"{example_id} flaw",
            versions=["1.0"],
            cvss_vector=example.vector,
            user=analyst,
        )
    number = 1000 + sorted(EXAMPLES).index(example_id)
    vuln = make_vulnerability(f"CVE-2016-{number}", example.vector)
    case, _ = services.case_open(product=product, vulnerability=vuln)
    return case


@pytest.mark.parametrize("example_id", sorted(EXAMPLES))
def test_worked_example_reaches_the_guidance_conclusion(example_id: str, analyst: Any) -> None:
    example = EXAMPLES[example_id]
    case = _case(example_id, example, analyst)
    suggested = services.assessment_propose(case=case, inputs=example.inputs, user=analyst)
    assert suggested.status == "suggested" and suggested.risk == example.expected
    confirmed = services.assessment_confirm(case=case, user=analyst, justification=example.justification)
    assert confirmed.status == "confirmed" and confirmed.risk == example.expected
    assert confirmed.result["decision"]["result"] == example.expected
    assert confirmed.vex_status == "affected"
    case.refresh_from_db()
    if example.expected == "controlled":
        assert services.case_close(case=case, user=analyst).state == "closed"
    else:
        assert case.state == "assessed"


def test_ex_u2_moderate_exploitability_comes_from_the_rubric(analyst: Any) -> None:
    case = _case("EX-U2", EXAMPLES["EX-U2"], analyst)
    made = services.assessment_propose(case=case, inputs=EXAMPLES["EX-U2"].inputs)
    assert made.exploitability == "medium" and made.severity_level.label == "catastrophic"
    assert made.rubric_answers == IMPLANT_RUBRIC
    assert made.result["rubric"]["vector"].startswith("CVSS:3.0/AV:L")


def test_ex_u3_network_disconnection_then_controls_the_risk(analyst: Any) -> None:
    case = _case("EX-U3", EXAMPLES["EX-U3"], analyst)
    services.assessment_propose(case=case, inputs=EXAMPLES["EX-U3"].inputs)
    services.assessment_confirm(case=case, user=analyst)
    disconnect = {"description": "Users instructed to disconnect the device from the network",
                  "modified_metrics": [["MAV", "P"]]}  # fmt: skip
    after = services.assessment_change(case=case, changes={"controls": [disconnect]}, user=analyst)
    assert after.exploitability == "low" and after.controlled
    assert [a.risk for a in case.assessments.order_by("number")] == [
        "uncontrolled",
        "uncontrolled",
        "controlled",
    ]
    from medvigil.core.errors import InputError
    from medvigil.web.remediation import services as remediation
    from tests.web.remediation.conftest import days_ago

    with pytest.raises(InputError, match="remediation plan"):  # once uncontrolled, evidence is needed
        services.case_close(case=case, user=analyst)
    remediation.plan_set(case=case, plan="Keep devices off the network until the patch ships.", user=analyst)
    remediation.action_record(case=case, kind="compensating_control", on=days_ago(0), user=analyst,
                              data={"text": disconnect["description"], "residual_risk": "acceptable",
                                    "long_term": True, "accepted": True})  # fmt: skip
    assert services.case_close(case=case, user=analyst).state == "closed"


def test_ex_c3_is_borderline_and_needs_the_justification(analyst: Any) -> None:
    from medvigil.core.errors import InputError

    case = _case("EX-C3", EXAMPLES["EX-C3"], analyst)
    services.assessment_propose(case=case, inputs=EXAMPLES["EX-C3"].inputs)
    with pytest.raises(InputError):
        services.assessment_confirm(case=case, user=analyst)
