"""What the matching engine produces: matches with their evidence, grouped into findings.

A :class:`Match` is one advisory record's claim about one component, found by one method.
:class:`FindingGroup` is what a user sees: one per (component, vulnerability identity), where
the identity is the union of every matched record's id and aliases, carrying every source's
evidence (and any supplier VEX statement) so the reason for the finding is never lost.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Final

from medvigil.core.matching.cpe import Cpe


class MatchMethod(StrEnum):
    """How a component was tied to an advisory (ordered best first in :data:`METHOD_RANK`)."""

    PURL_ENUMERATED = "purl-enumerated"
    PURL_RANGE = "purl-range"
    CSAF_PRODUCT = "csaf-product"
    CPE = "cpe"
    CPE_INFERRED = "cpe-inferred"


METHOD_RANK: Final = {
    MatchMethod.PURL_ENUMERATED: 0,
    MatchMethod.PURL_RANGE: 1,
    MatchMethod.CSAF_PRODUCT: 2,
    MatchMethod.CPE: 3,
    MatchMethod.CPE_INFERRED: 4,
}
"""Lower is better; ties between methods are broken by confidence."""


class MatchStatus(StrEnum):
    """What a piece of evidence says about the component."""

    AFFECTED = "affected"
    NOT_AFFECTED = "not_affected"
    UNDER_INVESTIGATION = "under_investigation"


class FindingStatus(StrEnum):
    """The verdict of a finding group."""

    AFFECTED = "affected"
    """At least one live source says affected and no supplier VEX says otherwise."""
    NOT_AFFECTED = "not_affected"
    """A supplier VEX (or CSAF ``known_not_affected``/``fixed``) statement covers it."""
    UNDER_INVESTIGATION = "under_investigation"
    """Only ``under_investigation`` statements."""
    WITHDRAWN = "withdrawn"
    """Every record that matched is withdrawn or rejected upstream."""


@dataclass(frozen=True, slots=True)
class DeviceIdentity:
    """A registered device version, as CSAF product trees identify products."""

    name: str
    """Product name (``MiniMed 508 pump``; a vendor prefix is allowed)."""
    version: str
    """The version (``2.6A``)."""
    model_numbers: tuple[str, ...] = ()
    """Model numbers (``MMT-508``)."""
    cpes: tuple[Cpe, ...] = ()
    """CPEs of the device."""
    purls: tuple[str, ...] = ()
    """Package URLs of the device."""


@dataclass(frozen=True, slots=True)
class Evidence:
    """Why one source's record ties to one component."""

    method: MatchMethod | None
    """How it matched; ``None`` for a supplier VEX statement (which is not a match)."""
    source: str
    """Source id (``osv``, ``nvd``, ``csaf``) or the VEX document's name."""
    record_id: str
    """The advisory record (or VEX document) id."""
    status: MatchStatus
    """What the evidence says."""
    confidence: int
    """0-100; see :mod:`medvigil.core.matching.engine` for the scale."""
    summary: str
    """One line for people: ``introduced 0, fixed 2.2.28 (ECOSYSTEM)``."""
    details: tuple[tuple[str, str], ...] = ()
    """Structured facts (``range``, ``criteria``, ``matched_cpe``, ``product_id``, ...)."""
    withdrawn: bool = False
    """The record was withdrawn or rejected upstream."""

    def as_dict(self) -> dict[str, object]:
        """Plain JSON form (used by the store and every output format)."""
        return {
            # str() of a StrEnum member is its value (Enum.value is a slow Python property)
            "method": str(self.method) if self.method else None,
            "source": self.source,
            "record_id": self.record_id,
            "status": str(self.status),
            "confidence": self.confidence,
            "summary": self.summary,
            "details": dict(self.details),
            "withdrawn": self.withdrawn,
        }


@dataclass(frozen=True, slots=True)
class Match:
    """One record's claim about one component."""

    component: int
    """Index of the component in the sequence given to the engine."""
    record_key: int
    """Index of the record in the :class:`~medvigil.core.matching.engine.MatchIndex`."""
    record_id: str
    """The record's id (``PYSEC-2021-335``)."""
    source: str
    """The record's source."""
    aliases: tuple[str, ...]
    """The record's aliases."""
    evidence: Evidence
    """What matched."""


@dataclass(frozen=True, slots=True)
class FindingGroup:
    """One finding: a component and a vulnerability identity, with all its evidence."""

    component: int
    """Index of the component."""
    vulnerability_id: str
    """Primary id: the lowest CVE id of the identity, else the lowest id."""
    aliases: tuple[str, ...]
    """All other ids of the identity, sorted."""
    sources: tuple[str, ...]
    """Sources whose records matched, sorted."""
    record_keys: tuple[int, ...]
    """Index positions of the matched records."""
    method: MatchMethod
    """Best method among live affected evidence (else among all)."""
    confidence: int
    """Best confidence among live affected evidence (else among all)."""
    status: FindingStatus
    """The verdict."""
    evidence: tuple[Evidence, ...]
    """Every piece of evidence, best first, VEX statements last."""

    @property
    def ids(self) -> tuple[str, ...]:
        """Primary id and aliases."""
        return (self.vulnerability_id, *self.aliases)
