"""Matches -> findings: one per (component, vulnerability identity), every source's evidence kept.

Identity is alias closure: two matches of a component belong together when their records share
any id (``PYSEC-2021-335`` aliases ``CVE-2021-32807``, which NVD's record is). Supplier VEX
statements about any id of the identity and the same component are attached as evidence.

Verdict, in order: every claim withdrawn -> *withdrawn*; a supplier statement (VEX, or CSAF
``fixed``/``known_not_affected``) says not affected and none says affected -> *not_affected*;
a live claim says affected -> *affected*; else *under_investigation*. A group with only
not-affected statements and no claim is not a finding.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Mapping, Sequence

from medvigil.core.matching.cpe import CpeError, parse_cpe
from medvigil.core.matching.keys import purl_package_key, purl_version
from medvigil.core.matching.teardown import drop_at_exit
from medvigil.core.model.component import Component
from medvigil.core.model.match import (
    METHOD_RANK,
    Evidence,
    FindingGroup,
    FindingStatus,
    Match,
    MatchMethod,
    MatchStatus,
)
from medvigil.core.model.vex import VexAssertion

__all__ = ["group_matches", "primary_id"]

_CVE = re.compile(r"^CVE-(\d{4})-(\d+)$", re.IGNORECASE)
# Enum members bound once: attribute access on an Enum class is slow in hot loops.
_AFFECTED = MatchStatus.AFFECTED
_METHOD_RANK: dict[MatchMethod | None, int] = dict(METHOD_RANK.items())
_METHOD_RANK[None] = 9
_NOT_AFFECTED = MatchStatus.NOT_AFFECTED


def primary_id(ids: Iterable[str]) -> str:
    """The id to show: the lowest CVE id, else the lowest id that is not a CSAF record path."""
    return _primary(tuple(sorted(set(ids))))


@functools.lru_cache(maxsize=1 << 16)
def _primary(pool: tuple[str, ...]) -> str:
    cves = [(int(m.group(1)), int(m.group(2)), i) for i in pool if (m := _CVE.match(i))]
    if cves:
        return min(cves)[2].upper()
    plain = [i for i in pool if "/" not in i]
    return (plain or pool)[0]


class _Sets:
    """Union-find over ids."""

    def __init__(self) -> None:
        self.parent: dict[str, str] = {}

    def find(self, item: str) -> str:
        parent = self.parent.setdefault(item, item)
        while parent != item:
            grand = self.parent[parent]
            self.parent[item] = grand
            item, parent = parent, grand
        return item

    def union(self, items: Sequence[str]) -> str:
        root = self.find(items[0])
        for other in items[1:]:
            other_root = self.find(other)
            if other_root != root:
                self.parent[other_root] = root
        return root


def _vex_targets(component: Component, assertion: VexAssertion) -> bool:
    if assertion.bom_ref and assertion.bom_ref == component.bom_ref:
        return True
    if assertion.package and component.purl:
        if purl_package_key(component.purl) != assertion.package:
            return False
        wanted = assertion.version.lstrip("vV")
        have = (component.version or purl_version(component.purl)).lstrip("vV")
        return not wanted or wanted == have
    if assertion.cpe:
        try:
            target = parse_cpe(assertion.cpe)
            own = [parse_cpe(c) for c in component.cpes]
        except CpeError:
            return False
        return any(c.vendor_product == target.vendor_product and c.version == target.version for c in own)
    return False


def _vex_evidence(assertion: VexAssertion) -> Evidence:
    why = f" ({assertion.justification})" if assertion.justification else ""
    return Evidence(
        None,
        assertion.source,
        assertion.source,
        assertion.status,
        100,
        f"supplier VEX: {assertion.vex_status}{why}",
        assertion.as_details(),
    )


def _verdict(claims: list[Evidence], statements: list[Evidence]) -> FindingStatus | None:
    if not statements and len(claims) == 1:  # the common case: one record, one claim
        only = claims[0]
        if only.status is _NOT_AFFECTED:
            return None
        if only.withdrawn:
            return FindingStatus.WITHDRAWN
        return FindingStatus.AFFECTED if only.status is _AFFECTED else FindingStatus.UNDER_INVESTIGATION
    if not any(e.status is not _NOT_AFFECTED for e in claims):
        return None
    live = [e for e in claims if not e.withdrawn and e.status is not _NOT_AFFECTED]
    if not live:
        return FindingStatus.WITHDRAWN
    supplier = statements + [e for e in claims if e.status is _NOT_AFFECTED and not e.withdrawn]
    says_not = any(e.status is _NOT_AFFECTED for e in supplier)
    says_affected = any(e.status is _AFFECTED for e in statements)
    if says_not and not says_affected:
        return FindingStatus.NOT_AFFECTED
    if any(e.status is _AFFECTED for e in live):
        return FindingStatus.AFFECTED
    return FindingStatus.UNDER_INVESTIGATION


def _rank(e: Evidence) -> tuple[int, int, int]:
    return (int(e.withdrawn), -e.confidence, _METHOD_RANK[e.method])


@functools.lru_cache(maxsize=1 << 16)
def _identity(record_id: str, aliases: tuple[str, ...]) -> tuple[str, tuple[str, ...]]:
    """(primary id, other ids sorted) of one record's ids (a record matches many components)."""
    ids = {record_id, *aliases}
    primary = primary_id(ids)
    return primary, tuple(sorted(ids - {primary}))


@functools.lru_cache(maxsize=256)
def _one(source: str) -> tuple[str]:
    """``(source,)``, one tuple per source (every single-match finding holds one)."""
    return (source,)


def _single(component: int, match: Match) -> FindingGroup | None:
    """:func:`_group` of one match without supplier statements (most findings)."""
    only = match.evidence
    if only.status is _NOT_AFFECTED:
        return None
    if only.withdrawn:
        status = FindingStatus.WITHDRAWN
    else:
        status = FindingStatus.AFFECTED if only.status is _AFFECTED else FindingStatus.UNDER_INVESTIGATION
    primary, aliases = _identity(match.record_id, match.aliases)
    assert only.method is not None
    return FindingGroup(
        component=component,
        vulnerability_id=primary,
        aliases=aliases,
        sources=_one(match.source),
        record_keys=(match.record_key,),
        method=only.method,
        confidence=only.confidence,
        status=status,
        evidence=(only,),
    )


def _group(component: int, matches: list[Match], statements: list[VexAssertion]) -> FindingGroup | None:
    if len(matches) == 1 and not statements:
        return _single(component, matches[0])
    claims = [matches[0].evidence] if len(matches) == 1 else sorted((m.evidence for m in matches), key=_rank)
    vex = [_vex_evidence(a) for a in statements]
    status = _verdict(claims, vex)
    if status is None:
        return None
    best_pool = [e for e in claims if not e.withdrawn and e.status is not _NOT_AFFECTED]
    best = (best_pool or claims)[0]
    ids = {i for m in matches for i in (m.record_id, *m.aliases)}
    primary = primary_id(ids)
    assert best.method is not None
    return FindingGroup(
        component=component,
        vulnerability_id=primary,
        aliases=tuple(sorted(ids - {primary})),
        sources=tuple(sorted({m.source for m in matches})),
        record_keys=tuple(sorted({m.record_key for m in matches})),
        method=best.method,
        confidence=best.confidence,
        status=status,
        evidence=(*claims, *vex),
    )


def group_matches(
    matches: Iterable[Match],
    components: Sequence[Component] = (),
    vex: Sequence[VexAssertion] = (),
    *,
    ordered: bool = False,
) -> list[FindingGroup]:
    """Group matches into findings; attach ``vex`` statements (needs ``components``).

    ``ordered``: the matches come component by component in ascending order, as
    :func:`~medvigil.core.matching.engine.match` yields them; each component's matches are then
    grouped as soon as the next component's arrive and are not kept (a 10,000-component CPE SBOM
    has ~200,000). Same result; a match out of that order raises ``ValueError``."""
    vex_by_id: dict[str, list[VexAssertion]] = {}
    for assertion in vex:
        vex_by_id.setdefault(assertion.vulnerability_id.upper(), []).append(assertion)
    out: list[FindingGroup] = []
    if ordered:
        current = -1
        run: list[Match] = []
        for m in matches:
            if m.component != current:
                if m.component < current:
                    raise ValueError(f"match of component {m.component} after component {current}")
                if run:
                    out.extend(_component_groups(current, run, components, vex_by_id))
                current, run = m.component, []
            run.append(m)
        if run:
            out.extend(_component_groups(current, run, components, vex_by_id))
        return out
    by_component: dict[int, list[Match]] = {}
    for m in matches:
        by_component.setdefault(m.component, []).append(m)
    for component, found in sorted(by_component.items()):
        out.extend(_component_groups(component, found, components, vex_by_id))
    return out


def _component_groups(
    component: int,
    found: list[Match],
    components: Sequence[Component],
    vex_by_id: Mapping[str, list[VexAssertion]],
) -> list[FindingGroup]:
    if len(found) == 1:
        single = _group(component, found, _statements_for(component, found, components, vex_by_id))
        return [single] if single is not None else []
    sets = _Sets()
    for m in found:
        sets.union([m.record_id, *m.aliases])
    groups: dict[str, list[Match]] = {}
    for m in found:
        groups.setdefault(sets.find(m.record_id), []).append(m)
    out = []
    for members in groups.values():
        group = _group(component, members, _statements_for(component, members, components, vex_by_id))
        if group is not None:
            out.append(group)
    return out


def _statements_for(
    component: int,
    members: list[Match],
    components: Sequence[Component],
    vex_by_id: Mapping[str, list[VexAssertion]],
) -> list[VexAssertion]:
    if not vex_by_id or component >= len(components):
        return []
    ids = {i.upper() for m in members for i in (m.record_id, *m.aliases)}
    candidates = {id(a): a for i in ids for a in vex_by_id.get(i, ())}
    return [a for a in candidates.values() if _vex_targets(components[component], a)]


drop_at_exit(_primary.cache_clear)
