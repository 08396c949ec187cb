"""Scan a component list against the local store without registering anything.

Returns findings in the CLI's JSON contract::

    {"component": {"name", "version", "purl", "cpes", "bom_ref"},
     "vulnerability": {"id", "aliases", "sources", "severity", "cvss", "epss", "kev"},
     "match": {"method", "confidence", "platform_unverified", "evidence"}}

``platform_unverified`` marks the lower-confidence tier of CPE findings whose running-on platform
could not be checked (the reason is in the evidence's ``details.platform``).

Findings a supplier VEX marks not affected, and findings only withdrawn records support, are
left out (they cannot make a build fail); their count is returned next to the list.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any, overload

from medvigil.core._gc import paused_gc
from medvigil.core.matching.engine import MatchOptions, match, platform_unverified
from medvigil.core.matching.grouping import group_matches
from medvigil.core.matching.order import VulnerabilityRank, vulnerability_rank
from medvigil.core.model import Component as CoreComponent
from medvigil.core.model.match import FindingGroup, FindingStatus
from medvigil.core.model.vex import VexAssertion
from medvigil.web.advisories.models import Vulnerability
from medvigil.web.bulk import chunked
from medvigil.web.findings import candidates

__all__ = ["ScanResult", "scan_components"]

_SHOWN = (FindingStatus.AFFECTED, FindingStatus.UNDER_INVESTIGATION)


@dataclass(frozen=True, slots=True)
class ScanResult:
    """Findings in contract form, plus what was left out."""

    findings: Sequence[dict[str, Any]]
    """Affected (or under investigation) findings, most severe first (read-only: findings of one
    component share its ``component`` dict, findings of one vulnerability its ``cvss`` dict and
    ``sources`` list); a list, or with ``lazy`` a sequence that builds each one when read."""
    suppressed: int
    """Findings left out: not affected per VEX, or withdrawn upstream."""
    components: int
    """Components scanned."""
    positions: Sequence[int] = ()
    """The position (in the scanned list) of each finding's component, in the findings' order."""
    unscreened: int = 0
    """Candidate CPE index rows without a stored screen yet (:attr:`Candidates.unscreened`)."""


@dataclass(frozen=True, slots=True)
class _Vuln:
    """What a finding shows of its vulnerability (one per vulnerability, shared)."""

    pk: int
    key: str
    severity: str | None
    cvss: dict[str, Any] | None
    epss: float | None
    kev: bool
    sources: list[str]


def _vulnerabilities(pks: set[int]) -> tuple[dict[int, _Vuln], dict[int, int]]:
    """The vulnerabilities by pk, and each one's rank: most severe first
    (:func:`~medvigil.core.matching.order.vulnerability_rank`)."""
    out: dict[int, _Vuln] = {}
    order: list[tuple[VulnerabilityRank, int]] = []
    columns = ("pk", "key", "severity", "cvss_score", "cvss_vector", "cvss_version", "epss", "kev", "sources")
    # one object per distinct value (read-only, shared): a 10,000-component scan shows ~30,000
    # vulnerabilities of a few severities, versions and source lists and fewer vectors than that
    one: dict[object, Any] = {}
    for chunk in chunked(sorted(pks)):
        for pk, key, severity, score, vector, version, epss, kev, sources in Vulnerability.objects.filter(
            pk__in=chunk
        ).values_list(*columns):
            cvss = None
            if score is not None:
                cvss = {
                    "score": score,
                    "vector": one.setdefault(vector, vector),
                    "version": one.setdefault(version, version),
                }
            listed = one.setdefault(tuple(sources or ()), sources or [])
            out[pk] = _Vuln(
                pk, key, one.setdefault(severity, severity) or None, cvss, epss, bool(kev), listed
            )
            order.append((vulnerability_rank(bool(kev), score, epss, key), pk))
    order.sort()
    return out, {pk: rank for rank, (_, pk) in enumerate(order)}


def _component(component: CoreComponent) -> dict[str, Any]:
    return {
        "name": component.name,
        "version": component.version,
        "purl": component.purl,
        "cpes": list(component.cpes),
        "bom_ref": component.bom_ref,
    }


def _finding(
    component: dict[str, Any],
    group: FindingGroup,
    vuln: _Vuln,
    sources_of: dict[tuple[int, tuple[str, ...]], list[str]],
) -> dict[str, Any]:
    key = vuln.key
    primary = group.vulnerability_id
    sources = sources_of.get((vuln.pk, group.sources))
    if sources is None:  # one list per vulnerability and source set, shared
        sources = sources_of[vuln.pk, group.sources] = sorted({*vuln.sources, *group.sources})
    return {
        "component": component,
        "vulnerability": {
            "id": key,
            # the group's aliases are sorted, unique and without its id (usually the key)
            "aliases": list(group.aliases) if key == primary else sorted({primary, *group.aliases} - {key}),
            "sources": sources,
            "severity": vuln.severity,
            "cvss": vuln.cvss,
            "epss": vuln.epss,
            "kev": vuln.kev,
        },
        "match": {
            "method": str(group.method),  # a StrEnum's str() is its value (.value is slow)
            "confidence": group.confidence,
            "platform_unverified": platform_unverified(group.evidence),
            "evidence": [e.as_dict() for e in group.evidence],
        },
    }


class _Findings(Sequence[dict[str, Any]]):
    """Contract findings built when read, never kept: a 10,000-component CPE SBOM has ~200,000
    findings, ~350 MB as dicts at once, and ``medvigil scan -f json`` writes each one once."""

    def __init__(
        self,
        groups: list[FindingGroup],
        components: dict[int, dict[str, Any]],
        vulns: dict[int, _Vuln],
        vuln_pks: list[int],
    ) -> None:
        self._groups = groups
        """Sorted findings."""
        self._components = components
        """Component dicts by component position."""
        self._vulns = vulns
        """Vulnerabilities by pk."""
        self._vuln_pks = vuln_pks
        """Vulnerability pk by record position (of the index)."""
        self._sources_of: dict[tuple[int, tuple[str, ...]], list[str]] = {}

    def __len__(self) -> int:
        return len(self._groups)

    @overload
    def __getitem__(self, pos: int) -> dict[str, Any]: ...
    @overload
    def __getitem__(self, pos: slice) -> list[dict[str, Any]]: ...
    def __getitem__(self, pos: int | slice) -> dict[str, Any] | list[dict[str, Any]]:
        if isinstance(pos, slice):
            return [self._finding(g) for g in self._groups[pos]]
        return self._finding(self._groups[pos])

    def _finding(self, group: FindingGroup) -> dict[str, Any]:
        vuln = self._vulns[self._vuln_pks[group.record_keys[0]]]
        return _finding(self._components[group.component], group, vuln, self._sources_of)

    def __iter__(self) -> Iterator[dict[str, Any]]:
        components, vulns, vuln_pks, sources_of = (
            self._components,
            self._vulns,
            self._vuln_pks,
            self._sources_of,
        )
        for group in self._groups:
            yield _finding(
                components[group.component], group, vulns[vuln_pks[group.record_keys[0]]], sources_of
            )


def scan_components(
    components: Sequence[CoreComponent],
    *,
    infer_cpes: bool = True,
    vex: Sequence[VexAssertion] = (),
    lazy: bool = False,
    only: Sequence[int] | None = None,
    preloaded: candidates.CpeRows | None = None,
) -> ScanResult:
    """Match ``components`` against the store (candidates only) and return contract findings
    (``lazy``: a sequence that builds each finding when it is read, for a caller that reads them
    once, e.g. to write them out). ``only``: the findings of the components at those positions
    (ascending) alone, with the running-on platforms of all of them (one part of a scan split
    over processes, :mod:`~medvigil.web.findings.scan_jobs`); ``components`` counts that part.
    ``preloaded``: the :func:`~medvigil.web.findings.candidates.cpe_rows` of all ``components``,
    read once before such a split."""
    with paused_gc():  # ~40% of a 10,000-component scan's CPU was GC passes
        result = _scan(components, infer_cpes, vex, only, preloaded)
        if not lazy:
            result = dataclasses.replace(result, findings=list(result.findings))
        return result


def _scan(
    components: Sequence[CoreComponent],
    infer_cpes: bool,
    vex: Sequence[VexAssertion],
    only: Sequence[int] | None,
    preloaded: candidates.CpeRows | None,
) -> ScanResult:
    part = components if only is None else [components[pos] for pos in only]
    found = candidates.load_index(part, infer=infer_cpes, devices=False, preloaded=preloaded)
    matches = match(components, found.index, MatchOptions(infer_cpes=infer_cpes), only=only)
    groups = group_matches(matches, components, vex, ordered=True)  # matches dropped as grouped
    shown = [g for g in groups if g.status in _SHOWN]
    suppressed = len(groups) - len(shown)
    vuln_pks, unscreened = found.vulnerability_pks, found.unscreened
    del groups, matches, found  # the index (its screens and rules) is not needed to write findings
    vulns, vuln_rank = _vulnerabilities({vuln_pks[g.record_keys[0]] for g in shown})
    shared: dict[int, dict[str, Any]] = {}  # one component dict per component, shared by its findings
    for g in shown:
        if g.component not in shared:
            shared[g.component] = _component(components[g.component])
    # most severe first (the vulnerability's rank), then component name: one int per finding (a
    # tuple key per finding held ~40 MB for 200,000 findings)
    name_rank = {name: n for n, name in enumerate(sorted({c["name"] for c in shared.values()}))}
    width = len(name_rank)
    rank_of = {pos: name_rank[c["name"]] for pos, c in shared.items()}
    shown.sort(key=lambda g: vuln_rank[vuln_pks[g.record_keys[0]]] * width + rank_of[g.component])
    positions = [g.component for g in shown]
    return ScanResult(_Findings(shown, shared, vulns, vuln_pks), suppressed, len(part), positions, unscreened)
