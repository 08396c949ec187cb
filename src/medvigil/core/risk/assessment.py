"""One risk assessment of a vulnerability in a product: inputs, reasons and result.

It lives in the risk package (not ``core.model``) because every part of it is a risk type; the
shared model must not depend on a feature package (an import-linter contract keeps it so).

Built by ``medvigil.core.risk.assess.propose_assessment`` (status ``suggested``) and accepted by
``confirm_assessment`` (status ``confirmed``). The web layer stores it (who, when) and keeps every
version; ``to_dict`` gives the JSON it stores.
"""

from __future__ import annotations

import dataclasses
import enum
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from medvigil.core.risk.cvss import CvssScore
from medvigil.core.risk.exploitability import ExploitabilityAssessment
from medvigil.core.risk.harm import HarmAssessment
from medvigil.core.risk.matrix import RiskDecision
from medvigil.core.risk.rubric import RubricResult
from medvigil.core.risk.vex import VexStatement

__all__ = ["Assessment", "AssessmentStatus", "to_jsonable"]


class AssessmentStatus(StrEnum):
    """Whether a person has accepted the assessment."""

    SUGGESTED = "suggested"
    CONFIRMED = "confirmed"


@dataclass(frozen=True, slots=True)
class Assessment:
    """A risk assessment with everything that led to its result."""

    status: AssessmentStatus
    """Suggested by medvigil or confirmed by an analyst."""
    cvss: tuple[CvssScore, ...]
    """Every CVSS vector supplied (feeds, advisories, rubric), scored."""
    cvss_used: CvssScore | None
    """The vector the exploitability band was computed from."""
    rubric: RubricResult | None
    """Rubric answers and the vector they produced, when the rubric was used."""
    exploitability: ExploitabilityAssessment
    """Exploitability band with inputs and reasons."""
    harm: HarmAssessment
    """Severity of patient harm with its basis."""
    decision: RiskDecision
    """Controlled or uncontrolled, from the risk matrix."""
    vex: VexStatement
    """VEX statement that follows."""
    reasons: tuple[str, ...]
    """The whole reasoning, step by step."""
    justification: str = ""
    """Analyst's justification (required to confirm a borderline decision)."""
    assessor: str = "medvigil"
    """Who made it (``medvigil`` for suggestions)."""

    @property
    def controlled(self) -> bool:
        """True when the risk is controlled."""
        return self.decision.result.value == "controlled"

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready mapping of the whole assessment (enums as values)."""
        data = to_jsonable(self)
        assert isinstance(data, dict)
        return data


def to_jsonable(value: object) -> object:
    """Convert dataclasses, enums and tuples recursively into JSON-ready values."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: to_jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, enum.Enum):
        return value.value if not isinstance(value, int) else value.name.lower()
    if isinstance(value, tuple | list):
        return [to_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    return value
