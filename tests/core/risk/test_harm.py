"""ISO 14971 severity of patient harm (medvigil.core.risk.harm)."""

from __future__ import annotations

import pytest

from medvigil.core.errors import InputError
from medvigil.core.risk.harm import HarmBasis, Hazard, Severity, assess_harm

OVERDOSE = Hazard(
    "HAZ-1", "Insulin bolus delivered without request", "Severe hypoglycaemia", Severity.CRITICAL, ("bolus",)
)
DEATH = Hazard("HAZ-2", "Pacing stopped", "Patient death", Severity.CATASTROPHIC, ("telemetry",))
DELAY = Hazard("HAZ-3", "Reading shown late", "Delayed therapy", Severity.MINOR)


def test_scale_has_five_ordered_levels() -> None:
    assert [s.label for s in Severity] == ["negligible", "minor", "serious", "critical", "catastrophic"]
    assert Severity.CATASTROPHIC > Severity.CRITICAL > Severity.SERIOUS
    assert Severity.CATASTROPHIC.description == "patient death"
    assert Severity.from_label("Serious") is Severity.SERIOUS
    with pytest.raises(InputError):
        Severity.from_label("severe")


def test_highest_selected_hazard_wins() -> None:
    result = assess_harm(hazards=[DELAY, OVERDOSE, DEATH])
    assert result.severity is Severity.CATASTROPHIC
    assert result.basis is HarmBasis.HAZARDS
    assert "HAZ-2" in result.reason
    assert result.hazards == (DELAY, OVERDOSE, DEATH)


def test_analyst_override_needs_a_rationale_and_keeps_the_hazards() -> None:
    with pytest.raises(InputError) as info:
        assess_harm(hazards=[OVERDOSE], analyst_severity=Severity.SERIOUS)
    assert info.value.field == "rationale"
    result = assess_harm(
        hazards=[OVERDOSE], analyst_severity=Severity.SERIOUS, rationale="bolus limit in pump hardware"
    )
    assert result.severity is Severity.SERIOUS
    assert result.basis is HarmBasis.ANALYST
    assert result.hazard_severity is Severity.CRITICAL
    assert "bolus limit" in result.reason
    assert "critical" in result.reason


def test_phi_only_is_recorded_and_not_patient_harm() -> None:
    result = assess_harm(phi_only=True)
    assert result.phi_only is True
    assert result.basis is HarmBasis.PHI_ONLY
    assert result.severity is Severity.NEGLIGIBLE
    assert "not patient harm" in result.reason


def test_phi_only_contradicting_inputs_are_rejected() -> None:
    with pytest.raises(InputError):
        assess_harm(phi_only=True, hazards=[DELAY])
    with pytest.raises(InputError):
        assess_harm(phi_only=True, analyst_severity=Severity.SERIOUS, rationale="x")


def test_no_basis_is_an_error() -> None:
    with pytest.raises(InputError) as info:
        assess_harm()
    assert info.value.field == "severity"
