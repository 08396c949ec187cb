"""What an analyst (or medvigil) feeds into an assessment, as stored on every version.

``AssessmentInputs`` is validated at the boundary (``from_mapping``) and round-trips through
JSON (``to_dict``). Absent intelligence fields (``cvss_vectors``, ``kev``, ``epss`` set to
``None``) mean "take them from the vulnerability's records".
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from typing import Any

from medvigil.core.errors import InputError
from medvigil.core.risk.exploitability import CompensatingControl, ExploitMaturity
from medvigil.core.risk.harm import Severity
from medvigil.core.risk.rubric import RubricAnswers
from medvigil.core.risk.vex import Justification

__all__ = ["AssessmentInputs", "controls_from_text"]


def _controls(raw: Any) -> tuple[CompensatingControl, ...]:
    if not isinstance(raw, list):
        raise InputError("controls must be a list", field="controls")
    out = []
    for item in raw:
        if not isinstance(item, Mapping) or not str(item.get("description", "")).strip():
            raise InputError("each control needs a description", field="controls")
        metrics = tuple((str(k).upper(), str(v).upper()) for k, v in item.get("modified_metrics", []))
        out.append(CompensatingControl(str(item["description"]).strip(), metrics))
    return tuple(out)


def controls_from_text(text: str) -> list[dict[str, Any]]:
    """Controls written one per line as ``description | MAV:P/MPR:H`` into input mappings."""
    controls = []
    for line in text.splitlines():
        if not line.strip():
            continue
        description, _, metrics = line.partition("|")
        pairs = [m.split(":", 1) for m in metrics.strip().split("/") if ":" in m]
        controls.append(
            {
                "description": description.strip(),
                "modified_metrics": [[k.strip(), v.strip()] for k, v in pairs],
            }
        )
    return controls


def _optional_enum(enum: Any, value: Any, name: str) -> Any:
    if value in (None, ""):
        return None
    try:
        return enum(value) if enum is not Severity else Severity.from_label(str(value))
    except ValueError:
        allowed = ", ".join(m.value for m in enum)
        raise InputError(f"{value!r} is not one of {allowed}", field=name) from None


def _epss(value: Any) -> float | None:
    if value in (None, ""):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise InputError(f"EPSS {value!r} is not a number", field="epss") from None
    if not 0.0 <= number <= 1.0:
        raise InputError("EPSS must be between 0 and 1", field="epss")
    return number


@dataclass(frozen=True, slots=True)
class AssessmentInputs:
    """The facts and choices behind one assessment version."""

    cvss_vectors: tuple[str, ...] | None = None
    """Vectors to use; ``None``: the vulnerability's records."""
    rubric_answers: dict[str, str] | None = None
    """MITRE rubric answers (device-specific vector); ``None``: not used."""
    epss: float | None = None
    """EPSS probability; ``None``: from intelligence."""
    kev: bool | None = None
    """In CISA KEV; ``None``: from intelligence."""
    maturity: ExploitMaturity | None = None
    """Exploit code maturity (``None``: from the vector or not defined)."""
    controls: tuple[CompensatingControl, ...] = ()
    """Compensating controls in place."""
    hazards: tuple[str, ...] | None = None
    """Identifiers of the product's hazards the vulnerability could lead to; ``None``: medvigil picks."""
    analyst_severity: Severity | None = None
    """Severity set by the analyst instead of the hazards."""
    severity_rationale: str = ""
    """Why (required with ``analyst_severity``)."""
    phi_only: bool = False
    """Only PHI confidentiality is at stake."""
    component_affected: bool | None = True
    """Vulnerable code present and usable (``None``: under investigation)."""
    fixed: bool = False
    """The product carries the fix."""
    vex_justification: Justification | None = None
    """Why not affected."""
    impact_statement: str = ""
    """VEX impact statement."""
    action_statement: str = ""
    """VEX action statement."""

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any]) -> AssessmentInputs:
        """Validate a JSON mapping; unknown keys are an error naming the key."""
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise InputError(f"unknown assessment input(s): {', '.join(unknown)}", field=unknown[0])
        vectors = data.get("cvss_vectors")
        rubric = data.get("rubric_answers")
        if rubric is not None:
            RubricAnswers.from_mapping(rubric)  # validates every answer
        hazards = data.get("hazards")
        affected = data.get("component_affected", True)
        return cls(
            cvss_vectors=None
            if vectors is None
            else tuple(str(v).strip() for v in vectors if str(v).strip()),
            rubric_answers=None if not rubric else {str(k): str(v) for k, v in rubric.items()},
            epss=_epss(data.get("epss")),
            kev=None if data.get("kev") is None else bool(data["kev"]),
            maturity=_optional_enum(ExploitMaturity, data.get("maturity"), "maturity"),
            controls=_controls(data.get("controls", [])),
            hazards=None if hazards is None else tuple(str(h) for h in hazards),
            analyst_severity=_optional_enum(Severity, data.get("analyst_severity"), "analyst_severity"),
            severity_rationale=str(data.get("severity_rationale", "")).strip(),
            phi_only=bool(data.get("phi_only", False)),
            component_affected=None if affected is None else bool(affected),
            fixed=bool(data.get("fixed", False)),
            vex_justification=_optional_enum(
                Justification, data.get("vex_justification"), "vex_justification"
            ),
            impact_statement=str(data.get("impact_statement", "")).strip(),
            action_statement=str(data.get("action_statement", "")).strip(),
        )

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready mapping (inverse of ``from_mapping``)."""
        return {
            "cvss_vectors": None if self.cvss_vectors is None else list(self.cvss_vectors),
            "rubric_answers": self.rubric_answers,
            "epss": self.epss,
            "kev": self.kev,
            "maturity": self.maturity.value if self.maturity else None,
            "controls": [
                {"description": c.description, "modified_metrics": [list(m) for m in c.modified_metrics]}
                for c in self.controls
            ],
            "hazards": None if self.hazards is None else list(self.hazards),
            "analyst_severity": self.analyst_severity.label if self.analyst_severity else None,
            "severity_rationale": self.severity_rationale,
            "phi_only": self.phi_only,
            "component_affected": self.component_affected,
            "fixed": self.fixed,
            "vex_justification": self.vex_justification.value if self.vex_justification else None,
            "impact_statement": self.impact_statement,
            "action_statement": self.action_statement,
        }

    def merged(self, changes: Mapping[str, Any]) -> AssessmentInputs:
        """These inputs with ``changes`` (a partial JSON mapping) applied and validated."""
        return AssessmentInputs.from_mapping({**self.to_dict(), **changes})

    def with_hazards(self, hazards: tuple[str, ...]) -> AssessmentInputs:
        """A copy selecting ``hazards``."""
        return replace(self, hazards=hazards)
