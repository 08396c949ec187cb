"""The order of a scan's findings: most severe vulnerability first (one definition, no imports:
the single-process scan and the merge of a split scan both sort by it)."""

from __future__ import annotations

__all__ = ["VulnerabilityRank", "vulnerability_rank"]

VulnerabilityRank = tuple[bool, float, float, str]


def vulnerability_rank(kev: bool, score: float | None, epss: float | None, key: str) -> VulnerabilityRank:
    """The sort key of a vulnerability in a scan's output, most severe first: in CISA KEV, then
    the CVSS score (none last), then EPSS, then the id. The one definition of the order (the
    single-process scan and the merge of a split scan both use it)."""
    return (not kev, -(score if score is not None else -1.0), -(epss or 0.0), key)
