"""What the intelligence store knows about a case's vulnerability, in the shape assessments need.

The one place the risk app reads the advisories app's rows: CVSS vectors from every live record
(primary scorers first), KEV and EPSS from the denormalised identity, aliases and a summary.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from medvigil.core.errors import VectorError
from medvigil.core.risk.cvss import parse_vector
from medvigil.web.advisories.models import Vulnerability

__all__ = ["VulnerabilityFacts", "vulnerability_facts"]


@dataclass(frozen=True, slots=True)
class VulnerabilityFacts:
    """Intelligence about one vulnerability identity."""

    key: str
    """Identity key (a CVE id when there is one)."""
    aliases: tuple[str, ...]
    """Every identifier of the identity."""
    summary: str
    """Short description."""
    cvss_vectors: tuple[str, ...]
    """Valid CVSS vectors of the live records, primary scorers first, without duplicates."""
    kev: bool
    """Listed in CISA KEV."""
    epss: float | None
    """Latest EPSS probability."""
    epss_percentile: float | None
    """Its percentile."""
    sources: tuple[str, ...]
    """Record ids it was built from (``source:record``)."""


def _vectors(records: list[Any], fallback: str) -> tuple[str, ...]:
    found: list[tuple[int, str]] = []
    for record in records:
        for sev in record.severities or []:
            vector = str(sev.get("vector") or "").strip() if isinstance(sev, dict) else ""
            if not vector or not str(sev.get("type", "")).upper().startswith("CVSS"):
                continue
            try:
                parse_vector(vector)
            except VectorError:
                continue
            found.append((0 if sev.get("primary") is not False else 1, vector))
    if fallback:
        found.append((2, fallback))
    ordered = [v for _, v in sorted(found, key=lambda item: item[0])]
    return tuple(dict.fromkeys(ordered))


def vulnerability_facts(vulnerability: Vulnerability) -> VulnerabilityFacts:
    """Collect the facts of ``vulnerability`` from its records and enrichment fields."""
    records = [
        r
        for r in vulnerability.records.select_related("source").only(
            "severities", "record_id", "source__name", "withdrawn", "rejected", "summary"
        )
        if r.withdrawn is None and not r.rejected
    ]
    summary = vulnerability.summary or next((r.summary for r in records if r.summary), "")
    return VulnerabilityFacts(
        key=vulnerability.key,
        aliases=tuple(vulnerability.aliases.values_list("alias", flat=True)),
        summary=summary,
        cvss_vectors=_vectors(records, vulnerability.cvss_vector),
        kev=vulnerability.kev,
        epss=vulnerability.epss,
        epss_percentile=vulnerability.epss_percentile,
        sources=tuple(f"{r.source.name}:{r.record_id}" for r in records),
    )
