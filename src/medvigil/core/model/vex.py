"""A supplier VEX statement as the matcher takes it: one vulnerability, one component, one status.

Readers of VEX documents (CycloneDX VEX, OpenVEX, CSAF) live in :mod:`medvigil.core.feeds.vex`;
:func:`medvigil.core.matching.grouping.group_matches` takes the parsed assertions.
"""

from __future__ import annotations

from dataclasses import dataclass

from medvigil.core.model.match import MatchStatus

__all__ = ["VexAssertion"]


@dataclass(frozen=True, slots=True)
class VexAssertion:
    """One supplier statement about one vulnerability in one component."""

    vulnerability_id: str
    """CVE or other id the statement names."""
    status: MatchStatus
    """Mapped status (``fixed`` -> not affected)."""
    vex_status: str
    """The status as the document wrote it (``fixed``, ``resolved``, ``known_not_affected``)."""
    source: str
    """Document name or id."""
    justification: str = ""
    """Justification as written."""
    detail: str = ""
    """Impact or action statement."""
    bom_ref: str = ""
    """bom-ref of the component (CycloneDX)."""
    package: str = ""
    """Package key of the component's purl (:func:`medvigil.core.matching.keys.purl_package_key`)."""
    version: str = ""
    """Version the statement is about; empty: every version of the package."""
    cpe: str = ""
    """CPE the statement is about."""

    def as_details(self) -> tuple[tuple[str, str], ...]:
        """Evidence details."""
        pairs = (
            ("vex_status", self.vex_status),
            ("justification", self.justification),
            ("detail", self.detail),
            ("bom_ref", self.bom_ref),
            ("package", self.package),
            ("version", self.version),
            ("cpe", self.cpe),
        )
        return tuple((k, v) for k, v in pairs if v)
