"""The assessment service (propose / confirm) and the stored form of an Assessment."""

from __future__ import annotations

import json

import pytest

from medvigil.core.errors import InputError, VectorError
from medvigil.core.risk.assess import HarmInput, VexInput, confirm_assessment, propose_assessment
from medvigil.core.risk.assessment import AssessmentStatus
from medvigil.core.risk.exploitability import ExploitabilityBand, ExploitabilityPolicy
from medvigil.core.risk.harm import Hazard, Severity
from medvigil.core.risk.matrix import DEFAULT_MATRIX, RiskMatrix, RiskResult
from medvigil.core.risk.vex import Justification, VexStatus

HAZARD = Hazard("HAZ-7", "Alarm suppressed", "Missed arrhythmia: permanent impairment", Severity.CRITICAL)
V2 = "AV:N/AC:L/Au:N/C:P/I:P/A:P"
V30 = "CVSS:3.0/AV:L/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"
V31 = "CVSS:3.1/AV:P/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"


def test_prefers_v31_then_v30_over_v2_and_records_all_scores() -> None:
    assessment = propose_assessment(cvss_vectors=[V2, V30, V31], harm=HarmInput(hazards=(HAZARD,)))
    assert [s.vector for s in assessment.cvss] == [V2, V30, V31]
    assert assessment.cvss_used is not None
    assert assessment.cvss_used.vector == V31
    assert assessment.exploitability.band is ExploitabilityBand.LOW
    assert assessment.decision.result is RiskResult.CONTROLLED
    assert assessment.decision.borderline is True
    assert any(V31 in r for r in assessment.reasons)


def test_kev_and_policy_change_the_outcome() -> None:
    harm = HarmInput(hazards=(HAZARD,))
    assert propose_assessment(cvss_vectors=[V30], harm=harm).decision.result is RiskResult.UNCONTROLLED
    lenient = ExploitabilityPolicy(version=2, high_threshold=3.5, medium_threshold=2.6)
    low = propose_assessment(cvss_vectors=[V30], harm=harm, policy=lenient)
    assert low.exploitability.band is ExploitabilityBand.LOW
    assert low.decision.result is RiskResult.CONTROLLED
    raised = propose_assessment(cvss_vectors=[V30], harm=harm, policy=lenient, kev=True)
    assert raised.decision.result is RiskResult.UNCONTROLLED


def test_product_matrix_is_used_and_recorded() -> None:
    data = DEFAULT_MATRIX.to_mapping()
    data["name"], data["version"] = "infusion-pump", 3
    data["cells"]["critical"]["medium"] = {
        "result": "controlled",
        "borderline": True,
        "rationale": "hard limits",
    }
    matrix = RiskMatrix.from_mapping(data)
    assessment = propose_assessment(cvss_vectors=[V30], harm=HarmInput(hazards=(HAZARD,)), matrix=matrix)
    assert assessment.decision.result is RiskResult.CONTROLLED
    assert (assessment.decision.matrix_name, assessment.decision.matrix_version) == ("infusion-pump", 3)


def test_not_affected_component_gives_not_affected_vex() -> None:
    vex = VexInput(component_affected=False, justification=Justification.VULNERABLE_CODE_NOT_IN_EXECUTE_PATH)
    assessment = propose_assessment(cvss_vectors=[V30], harm=HarmInput(hazards=(HAZARD,)), vex=vex)
    assert assessment.vex.status is VexStatus.NOT_AFFECTED


def test_bad_inputs_raise_domain_errors() -> None:
    with pytest.raises(VectorError):
        propose_assessment(cvss_vectors=["CVSS:3.1/AV:N"], harm=HarmInput(hazards=(HAZARD,)))
    with pytest.raises(InputError):
        propose_assessment(cvss_vectors=[V30], harm=HarmInput())
    with pytest.raises(InputError):
        propose_assessment(rubric_answers={"XAVN": "perhaps"}, harm=HarmInput(hazards=(HAZARD,)))


def test_confirm_needs_an_assessor_and_keeps_everything_else() -> None:
    assessment = propose_assessment(cvss_vectors=[V30], harm=HarmInput(hazards=(HAZARD,)))
    with pytest.raises(InputError):
        confirm_assessment(assessment, assessor=" ")
    confirmed = confirm_assessment(assessment, assessor="dr.who")
    assert (confirmed.status, confirmed.assessor) == (AssessmentStatus.CONFIRMED, "dr.who")
    assert confirmed.decision == assessment.decision
    assert confirmed.exploitability == assessment.exploitability


def test_to_dict_is_json_and_keeps_inputs_and_rubric_answers() -> None:
    assessment = propose_assessment(
        rubric_answers={"XAVN": "no", "XAVP": "yes", "XAVPA": "no"},
        cvss_vectors=[V2],
        epss=0.42,
        harm=HarmInput(hazards=(HAZARD,)),
    )
    data = json.loads(json.dumps(assessment.to_dict()))
    assert data["status"] == "suggested"
    assert data["rubric"]["answers"]["answers"] == [["XAVN", "no"], ["XAVP", "yes"], ["XAVPA", "no"]]
    assert data["exploitability"]["epss"] == 0.42
    assert data["exploitability"]["policy"]["high_threshold"] == 2.8
    assert data["harm"]["severity"] == "critical"
    assert data["harm"]["hazards"][0]["id"] == "HAZ-7"
    assert data["decision"]["result"] == "controlled"
    assert data["cvss_used"]["vector"].startswith("CVSS:3.0/AV:P/")
    assert len(data["cvss"]) == 2
