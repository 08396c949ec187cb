"""What the matching engine produces: matches with their evidence, grouped into findings.

A :class:`Match` is one advisory record's claim about one component, found by one method.
:class:`FindingGroup` is what a user sees: one per (component, vulnerability identity), where
the identity is the union of every matched record's id and aliases, carrying every source's
evidence (and any supplier VEX statement) so the reason for the finding is never lost.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Final, Protocol


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
    cpes: tuple[str, ...] = ()
    """CPEs of the device (CPE 2.3 formatted strings, the version filled in)."""
    purls: tuple[str, ...] = ()
    """Package URLs of the device."""


class EvidenceText(Protocol):
    """The text of a piece of evidence built when it is read (see :meth:`Evidence.deferred`)."""

    def render(self) -> tuple[str, tuple[tuple[str, str], ...]]:
        """``(summary, details)``, the same every time."""

    def has_detail(self, key: str) -> bool:
        """Whether ``details`` has ``key`` (without building the text)."""


class Evidence:
    """Why one source's record ties to one component (immutable).

    Its text (:attr:`summary`, :attr:`details`) is given, or built when read from an
    :class:`EvidenceText` (:meth:`deferred`): a 10,000-component CPE SBOM has ~200,000 findings,
    and their text held at once was ~100 MB, while ``medvigil scan`` reads each one once."""

    __slots__ = ("_text", "confidence", "method", "record_id", "source", "status", "withdrawn")

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
    withdrawn: bool
    """The record was withdrawn or rejected upstream."""
    _text: tuple[str, tuple[tuple[str, str], ...]] | EvidenceText

    def __init__(
        self,
        method: MatchMethod | None,
        source: str,
        record_id: str,
        status: MatchStatus,
        confidence: int,
        summary: str,
        details: tuple[tuple[str, str], ...] = (),
        withdrawn: bool = False,
    ) -> None:
        put = object.__setattr__
        put(self, "method", method)
        put(self, "source", source)
        put(self, "record_id", record_id)
        put(self, "status", status)
        put(self, "confidence", confidence)
        put(self, "_text", (summary, details))
        put(self, "withdrawn", withdrawn)

    @classmethod
    def deferred(
        cls,
        method: MatchMethod | None,
        source: str,
        record_id: str,
        status: MatchStatus,
        confidence: int,
        text: EvidenceText,
        withdrawn: bool = False,
    ) -> Evidence:
        """Evidence whose summary and details ``text`` builds each time they are read."""
        out = cls(method, source, record_id, status, confidence, "", (), withdrawn)
        object.__setattr__(out, "_text", text)
        return out

    @property
    def summary(self) -> str:
        """One line for people: ``introduced 0, fixed 2.2.28 (ECOSYSTEM)``."""
        text = self._text
        return text[0] if isinstance(text, tuple) else text.render()[0]

    @property
    def details(self) -> tuple[tuple[str, str], ...]:
        """Structured facts (``range``, ``criteria``, ``matched_cpe``, ``product_id``, ...)."""
        text = self._text
        return text[1] if isinstance(text, tuple) else text.render()[1]

    def has_detail(self, key: str) -> bool:
        """Whether :attr:`details` has ``key`` (a deferred text is not built)."""
        text = self._text
        if isinstance(text, tuple):
            return any(k == key for k, _ in text[1])
        return text.has_detail(key)

    def as_withdrawn(self) -> Evidence:
        """The same evidence, marked withdrawn (a deferred text stays deferred)."""
        out = Evidence(self.method, self.source, self.record_id, self.status, self.confidence, "", (), True)
        object.__setattr__(out, "_text", self._text)
        return out

    def _fields(self) -> tuple[object, ...]:
        summary, details = self._text if isinstance(self._text, tuple) else self._text.render()
        return (self.method, self.source, self.record_id, self.status, self.confidence, summary, details,
                self.withdrawn)  # fmt: skip

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"cannot assign to field {name!r} of immutable Evidence")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"cannot delete field {name!r} of immutable Evidence")

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Evidence):
            return NotImplemented
        return self._fields() == other._fields()

    def __hash__(self) -> int:
        return hash(self._fields())

    def __repr__(self) -> str:
        names = ("method", "source", "record_id", "status", "confidence", "summary", "details", "withdrawn")
        return "Evidence(" + ", ".join(f"{n}={v!r}" for n, v in zip(names, self._fields(), strict=True)) + ")"

    def __reduce__(self) -> tuple[type[Evidence], tuple[object, ...]]:
        return Evidence, self._fields()

    def as_dict(self) -> dict[str, object]:
        """Plain JSON form (used by the store and every output format)."""
        summary, details = self._text if isinstance(self._text, tuple) else self._text.render()
        return {
            # str() of a StrEnum member is its value (Enum.value is a slow Python property)
            "method": str(self.method) if self.method else None,
            "source": self.source,
            "record_id": self.record_id,
            "status": str(self.status),
            "confidence": self.confidence,
            "summary": summary,
            "details": dict(details),
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
