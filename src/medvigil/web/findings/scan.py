"""Scan a component list against the local store without registering anything.

Returns findings in the CLI's JSON contract::

    {"component": {"name", "version", "purl", "cpes", "bom_ref"},
     "vulnerability": {"id", "aliases", "sources", "severity", "cvss", "epss", "kev"},
     "match": {"method", "confidence", "evidence"}}

Findings a supplier VEX marks not affected, and findings only withdrawn records support, are
left out (they cannot make a build fail); their count is returned next to the list.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from medvigil.core.matching.engine import MatchOptions, match
from medvigil.core.matching.grouping import group_matches
from medvigil.core.matching.vex_input import VexAssertion
from medvigil.core.model import Component as CoreComponent
from medvigil.core.model.match import FindingGroup, FindingStatus
from medvigil.web.advisories.bulk import chunked
from medvigil.web.advisories.models import Vulnerability
from medvigil.web.findings import candidates

__all__ = ["ScanResult", "scan_components"]

_SHOWN = (FindingStatus.AFFECTED, FindingStatus.UNDER_INVESTIGATION)


@dataclass(frozen=True, slots=True)
class ScanResult:
    """Findings in contract form, plus what was left out."""

    findings: list[dict[str, Any]]
    """Affected (or under investigation) findings, most severe first."""
    suppressed: int
    """Findings left out: not affected per VEX, or withdrawn upstream."""
    components: int
    """Components scanned."""


def _vulnerabilities(pks: set[int]) -> dict[int, dict[str, Any]]:
    out: dict[int, dict[str, Any]] = {}
    for chunk in chunked(sorted(pks)):
        rows = Vulnerability.objects.filter(pk__in=chunk).values(
            "pk", "key", "severity", "cvss_score", "cvss_vector", "cvss_version", "epss", "kev", "sources"
        )
        out.update({r["pk"]: dict(r) for r in rows})
    return out


def _finding(component: CoreComponent, group: FindingGroup, vuln: dict[str, Any]) -> dict[str, Any]:
    cvss = None
    if vuln["cvss_score"] is not None:
        cvss = {"score": vuln["cvss_score"], "vector": vuln["cvss_vector"], "version": vuln["cvss_version"]}
    return {
        "component": {
            "name": component.name,
            "version": component.version,
            "purl": component.purl,
            "cpes": list(component.cpes),
            "bom_ref": component.bom_ref,
        },
        "vulnerability": {
            "id": vuln["key"],
            "aliases": sorted(set(group.ids) - {vuln["key"]}),
            "sources": sorted(set(vuln["sources"] or ()) | set(group.sources)),
            "severity": vuln["severity"] or None,
            "cvss": cvss,
            "epss": vuln["epss"],
            "kev": bool(vuln["kev"]),
        },
        "match": {
            "method": group.method.value,
            "confidence": group.confidence,
            "evidence": [e.as_dict() for e in group.evidence],
        },
    }


def _sort_key(item: dict[str, Any]) -> tuple[Any, ...]:
    v = item["vulnerability"]
    score = v["cvss"]["score"] if v["cvss"] else -1.0
    return (not v["kev"], -score, -(v["epss"] or 0.0), v["id"], item["component"]["name"])


def scan_components(
    components: Sequence[CoreComponent], *, infer_cpes: bool = True, vex: Sequence[VexAssertion] = ()
) -> ScanResult:
    """Match ``components`` against the store (candidates only) and return contract findings."""
    found = candidates.load_index(components, infer=infer_cpes, devices=False)
    groups = group_matches(
        match(components, found.index, MatchOptions(infer_cpes=infer_cpes)), components, vex
    )
    shown = [g for g in groups if g.status in _SHOWN]
    vulns = _vulnerabilities({found.vulnerability_pks[g.record_keys[0]] for g in shown})
    items = [
        _finding(components[g.component], g, vulns[found.vulnerability_pks[g.record_keys[0]]]) for g in shown
    ]
    return ScanResult(sorted(items, key=_sort_key), len(groups) - len(shown), len(components))
