"""Severity of patient harm on the ISO 14971 scale (regulatory.md section 1.4, PM-RISK-3).

The severity follows from the product's hazard analysis: an assessment selects the hazards a
vulnerability could lead to and the highest severity wins. An analyst may instead set it, with a
rationale. A PHI-only impact is a privacy matter, not patient harm: it is recorded with the
``phi_only`` flag and rated Negligible, which is how the FDA's examples treat it (EX-C2; routine
update under PM-CTRL-2). Breach-notification duties (HIPAA, GDPR) are handled elsewhere.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import IntEnum, StrEnum

from medvigil.core.errors import InputError

__all__ = ["HarmAssessment", "HarmBasis", "Hazard", "Severity", "assess_harm"]


class Severity(IntEnum):
    """ISO 14971 qualitative severity levels; the value is the ordinal (1-5)."""

    NEGLIGIBLE = 1
    MINOR = 2
    SERIOUS = 3
    CRITICAL = 4
    CATASTROPHIC = 5

    @property
    def label(self) -> str:
        """Lower-case name as stored (``critical``)."""
        return self.name.lower()

    @property
    def description(self) -> str:
        """The ISO 14971 description of the level."""
        return _DESCRIPTIONS[self]

    @classmethod
    def from_label(cls, label: str) -> Severity:
        """Return the level named ``label`` (case-insensitive)."""
        try:
            return cls[label.strip().upper()]
        except KeyError:
            names = ", ".join(s.label for s in cls)
            raise InputError(
                f"unknown severity {label!r} (expected one of {names})", field="severity"
            ) from None


_DESCRIPTIONS = {
    Severity.NEGLIGIBLE: "inconvenience or temporary discomfort",
    Severity.MINOR: "temporary injury or impairment not requiring professional medical intervention",
    Severity.SERIOUS: "injury or impairment requiring professional medical intervention",
    Severity.CRITICAL: "permanent impairment or life-threatening injury",
    Severity.CATASTROPHIC: "patient death",
}


class HarmBasis(StrEnum):
    """Where the severity came from."""

    HAZARDS = "hazards"
    ANALYST = "analyst"
    PHI_ONLY = "phi_only"


@dataclass(frozen=True, slots=True)
class Hazard:
    """One entry of a product's hazard analysis."""

    id: str
    """Identifier in the hazard analysis (``HAZ-012``)."""
    hazardous_situation: str
    """The hazardous situation."""
    harm: str
    """The resulting harm."""
    severity: Severity
    """Severity of that harm."""
    linked_to: tuple[str, ...] = ()
    """Functions, interfaces or components the hazard is linked to (references)."""


@dataclass(frozen=True, slots=True)
class HarmAssessment:
    """Severity of patient harm with its basis."""

    severity: Severity
    """Resulting severity."""
    basis: HarmBasis
    """Hazards, analyst or PHI-only."""
    hazards: tuple[Hazard, ...]
    """Hazards selected (also kept when the analyst overrides)."""
    hazard_severity: Severity | None
    """Highest severity among the selected hazards, if any."""
    rationale: str
    """Analyst's rationale (required when the analyst sets the severity)."""
    phi_only: bool
    """Impact limited to PHI confidentiality: not patient harm."""
    reason: str
    """How the severity followed, in words."""


def _phi_only(hazards: tuple[Hazard, ...], analyst: Severity | None, rationale: str) -> HarmAssessment:
    if hazards:
        ids = ", ".join(h.id for h in hazards)
        raise InputError(f"PHI-only impact contradicts the selected hazards ({ids})", field="phi_only")
    if analyst is not None and analyst is not Severity.NEGLIGIBLE:
        raise InputError("PHI-only impact is not patient harm: severity must be negligible", field="severity")
    return HarmAssessment(
        severity=Severity.NEGLIGIBLE,
        basis=HarmBasis.PHI_ONLY,
        hazards=(),
        hazard_severity=None,
        rationale=rationale,
        phi_only=True,
        reason="PHI-only impact: a privacy matter, not patient harm; severity negligible.",
    )


def assess_harm(
    *,
    hazards: Sequence[Hazard] = (),
    analyst_severity: Severity | None = None,
    rationale: str = "",
    phi_only: bool = False,
) -> HarmAssessment:
    """Return the severity of patient harm.

    Selected hazards give the highest of their severities; ``analyst_severity`` overrides it and
    needs a ``rationale``; ``phi_only`` records a PHI-only impact (negligible). Raises
    ``InputError`` when there is no basis or the inputs contradict each other.
    """
    selected = tuple(hazards)
    if phi_only:
        return _phi_only(selected, analyst_severity, rationale)
    top = max((h.severity for h in selected), default=None)
    if analyst_severity is not None:
        if not rationale.strip():
            raise InputError("an analyst-set severity needs a rationale", field="rationale")
        note = f" (selected hazards give {top.label})" if top is not None else ""
        return HarmAssessment(
            severity=analyst_severity,
            basis=HarmBasis.ANALYST,
            hazards=selected,
            hazard_severity=top,
            rationale=rationale,
            phi_only=False,
            reason=f"Analyst set severity {analyst_severity.label}{note}: {rationale.strip()}",
        )
    if top is None:
        raise InputError(
            "severity needs selected hazards, an analyst severity with rationale, or phi_only",
            field="severity",
        )
    worst = [h.id for h in selected if h.severity is top]
    return HarmAssessment(
        severity=top,
        basis=HarmBasis.HAZARDS,
        hazards=selected,
        hazard_severity=top,
        rationale=rationale,
        phi_only=False,
        reason=f"Highest severity of the selected hazards: {top.label} ({', '.join(worst)}).",
    )
