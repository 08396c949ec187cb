"""Risk matrix evaluation and the borderline justification rule."""

from __future__ import annotations

import json

import pytest

from medvigil.core.errors import InputError
from medvigil.core.risk.exploitability import ExploitabilityBand as Band
from medvigil.core.risk.harm import Severity
from medvigil.core.risk.matrix import DEFAULT_MATRIX, RiskMatrix, RiskResult, confirm, evaluate

# regulatory.md section 1.4, transcribed: (result, borderline) per severity, bands low/medium/high.
TABLE = {
    "negligible": ("C", "C", "C"),
    "minor": ("C", "C", "CB"),
    "serious": ("C", "CB", "U"),
    "critical": ("CB", "U", "U"),
    "catastrophic": ("UB", "U", "U"),
}


@pytest.mark.parametrize("severity", list(Severity))
@pytest.mark.parametrize("band", list(Band))
def test_default_matrix_is_regulatory_section_1_4(severity: Severity, band: Band) -> None:
    code = TABLE[severity.label][list(Band).index(band)]
    decision = evaluate(severity, band)
    assert decision.result is (RiskResult.CONTROLLED if code[0] == "C" else RiskResult.UNCONTROLLED)
    assert decision.borderline is code.endswith("B")
    assert "default matrix" in decision.rationale and "not an FDA value" in decision.rationale


def test_decision_records_inputs_and_matrix_version() -> None:
    decision = evaluate(Severity.CRITICAL, Band.MEDIUM)
    assert (decision.severity, decision.band) == (Severity.CRITICAL, Band.MEDIUM)
    assert (decision.matrix_name, decision.matrix_version) == ("default", 1)
    assert "Severity critical x exploitability medium" in decision.rationale


def test_borderline_needs_written_justification_to_confirm() -> None:
    decision = evaluate(Severity.SERIOUS, Band.MEDIUM)
    with pytest.raises(InputError) as info:
        confirm(decision)
    assert info.value.field == "justification"
    with pytest.raises(InputError):
        confirm(decision, "   ")
    accepted = confirm(decision, "Bolus hard limit caps the dose; residual risk acceptable.")
    assert accepted.justification.startswith("Bolus hard limit")


def test_plain_cell_confirms_without_justification() -> None:
    assert confirm(evaluate(Severity.CRITICAL, Band.HIGH)).justification == ""


def test_json_round_trip_keeps_every_cell_and_version() -> None:
    assert RiskMatrix.from_json(DEFAULT_MATRIX.to_json()) == DEFAULT_MATRIX
    data = json.loads(DEFAULT_MATRIX.to_json())
    assert data["version"] == 1
    assert data["cells"]["critical"]["low"] == {
        "result": "controlled",
        "borderline": True,
        "rationale": DEFAULT_MATRIX.cell(Severity.CRITICAL, Band.LOW).rationale,
    }


def test_edited_matrix_changes_the_decision() -> None:
    data = DEFAULT_MATRIX.to_mapping()
    data["name"] = "pump-x"
    data["version"] = 2
    data["cells"]["serious"]["medium"] = {
        "result": "uncontrolled",
        "borderline": False,
        "rationale": "infusion",
    }
    edited = RiskMatrix.from_mapping(data)
    decision = evaluate(Severity.SERIOUS, Band.MEDIUM, edited)
    assert decision.result is RiskResult.UNCONTROLLED
    assert not decision.borderline
    assert (decision.matrix_name, decision.matrix_version) == ("pump-x", 2)
    assert "infusion" in decision.rationale


def test_incomplete_or_bad_matrix_is_rejected_with_location() -> None:
    data = DEFAULT_MATRIX.to_mapping()
    del data["cells"]["minor"]["high"]
    with pytest.raises(InputError) as info:
        RiskMatrix.from_mapping(data)
    assert info.value.location == "/cells/minor/high"
    data = DEFAULT_MATRIX.to_mapping()
    data["cells"]["minor"]["high"]["result"] = "acceptable"
    with pytest.raises(InputError):
        RiskMatrix.from_mapping(data)
    for bad in (
        {**DEFAULT_MATRIX.to_mapping(), "version": 0},
        {**DEFAULT_MATRIX.to_mapping(), "format": "x"},
    ):
        with pytest.raises(InputError):
            RiskMatrix.from_mapping(bad)
    with pytest.raises(InputError):
        RiskMatrix.from_json("[1]")
    with pytest.raises(InputError):
        RiskMatrix.from_json("{")
