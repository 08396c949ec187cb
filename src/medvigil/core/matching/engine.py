"""The matching engine: components x advisory records -> matches with evidence.

:class:`MatchIndex` is built once from advisory records: every OSV/CVE 5 range is parsed
into a :class:`~.ranges.PreparedRange` keyed by the package's normalised purl key, every NVD
configuration tree is prepared (:func:`~.cpe_config.prepare_nodes`) and keyed by the
``vendor:product`` of its vulnerable criteria, and CSAF product statuses are keyed by their
identification helpers and names (:mod:`.csaf_products`). :func:`match` is then a hash join:
each component looks up its keys in dicts and evaluates only those candidates.

Confidence scale (0-100) used for evidence:

* ``purl-enumerated`` 95, ``purl-range`` 90: the ecosystem's own version semantics;
* ``csaf-product`` 85 on a model-number, purl or CPE helper hit, 60 on name and version,
  25 when the version wording is not understood (an analyst must look);
* ``cpe`` 70, or 55 when a running-on platform of the configuration is not known;
* ``cpe-inferred`` 40, or 30 with an unknown platform.

Withdrawn and rejected records stay in the index; their matches carry ``withdrawn`` so the
store can move findings to *withdrawn* instead of deleting them.
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from collections.abc import Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from medvigil.core.matching.cpe import Cpe, CpeError, parse_cpe, quote_value
from medvigil.core.matching.cpe_config import (
    CpeInventory,
    CpeMatchLike,
    CpeTargets,
    PreparedNode,
    StoredConfig,
    evaluate_indexed,
    prepare_nodes,
)
from medvigil.core.matching.enumeration import Enumeration, VersionKeys
from medvigil.core.matching.inference import infer_cpes
from medvigil.core.matching.keys import package_key, purl_package_key, purl_version
from medvigil.core.matching.ranges import PreparedRange
from medvigil.core.matching.versions import VersionScheme, get_scheme
from medvigil.core.model.advisory import AdvisoryRecord, AffectedPackage, CpeMatch, CpeNode, CsafProductStatus
from medvigil.core.model.component import Component, ComponentType
from medvigil.core.model.match import DeviceIdentity, Evidence, Match, MatchMethod, MatchStatus

if TYPE_CHECKING:
    from medvigil.core.matching.csaf_products import CsafIndex

__all__ = [
    "CpeRule",
    "Enumeration",
    "MatchIndex",
    "MatchOptions",
    "PackageRule",
    "RecordInfo",
    "component_cpes",
    "match",
    "match_device",
    "package_key",
    "platform_unverified",
    "prepare_package",
    "prepare_record_nodes",
]

PLATFORM_DETAIL = "platform"
"""Evidence detail of a CPE match whose running-on platform could not be checked (the reason)."""
_PLATFORM_REASON = "unknown: a running-on condition could not be checked"
_ENUMERATED, _RANGE, _AFFECTED = MatchMethod.PURL_ENUMERATED, MatchMethod.PURL_RANGE, MatchStatus.AFFECTED
_PLATFORM_TYPES = frozenset(
    {ComponentType.OPERATING_SYSTEM, ComponentType.FIRMWARE, ComponentType.PLATFORM, ComponentType.DEVICE}
)


@dataclass(frozen=True, slots=True)
class RecordInfo:
    """What the engine keeps of an advisory record besides its matching rules."""

    source: str
    """Source id."""
    id: str
    """Record id."""
    aliases: tuple[str, ...]
    """Aliases."""
    withdrawn: bool
    """Withdrawn or rejected upstream."""


@dataclass(frozen=True, slots=True)
class PackageRule:
    """One affected package of one record, ready to evaluate."""

    record: int
    """Record position in the index."""
    package: str
    """Package name as the record spells it (for evidence)."""
    ranges: tuple[PreparedRange, ...]
    """Prepared ranges."""
    versions: Enumeration | None
    """Enumerated affected versions, if any."""
    schemes: tuple[VersionScheme | None, ...] = ()
    """Scheme of each range (None: the range cannot be evaluated)."""


@dataclass(frozen=True, slots=True)
class CpeRule:
    """The configuration trees of one record, prepared."""

    record: int
    """Record position in the index."""
    nodes: tuple[PreparedNode, ...]
    """Prepared root nodes (alternatives), after those of :attr:`stored`."""
    stored: tuple[StoredConfig, ...] = ()
    """Root nodes kept in their stored form until a component passes their screen."""

    def admits(self, targets: CpeTargets) -> bool:
        """Whether one of the record's vulnerable entries may match one of ``targets`` (the
        screens; False: the record cannot yield a finding for them)."""
        if not self.nodes and len(self.stored) == 1:  # most records: one stored configuration
            return self.stored[0].screen.admits(targets)
        return any(s.screen.admits(targets) for s in self.stored) or any(
            node.screen.admits(targets) for node in self.nodes
        )

    def roots(self) -> tuple[PreparedNode, ...]:
        """Every root node, prepared (the stored ones first, prepared now if they were not)."""
        if not self.stored:
            return self.nodes
        if len(self.stored) == 1 and not self.nodes:
            return self.stored[0].nodes
        return (*(n for s in self.stored for n in s.nodes), *self.nodes)


@dataclass(frozen=True, slots=True)
class MatchOptions:
    """Switches of one matching run."""

    infer_cpes: bool = True
    """Infer CPEs from purl/name for components that state none (``cpe-inferred``)."""


@dataclass(slots=True)
class MatchIndex:
    """Advisory data prepared for hash-join matching (build once, match many times)."""

    records: list[RecordInfo] = field(default_factory=list)
    """Record metadata by position."""
    ids: list[str] = field(default_factory=list)
    """Record ids by position."""
    packages: dict[str, list[PackageRule]] = field(default_factory=dict)
    """Package rules by :func:`package_key`."""
    cpes: dict[str, list[CpeRule]] = field(default_factory=dict)
    """CPE rules by ``vendor:product`` of their vulnerable criteria."""
    csaf: CsafIndex | None = None
    """CSAF product statuses by helper and name (None until one is added: the CSAF matcher is
    imported only then: -4.4% of a fresh scan's start-up instructions, callgrind)."""

    @classmethod
    def build(cls, records: Iterable[AdvisoryRecord]) -> MatchIndex:
        """Prepare an index from records (any source; records without rules are skipped)."""
        index = cls()
        for record in records:
            index.add(record)
        return index

    def add(self, record: AdvisoryRecord) -> int | None:
        """Add one record; returns its position, or ``None`` when it has nothing to match."""
        package_rules = [r for a in record.affected if (r := prepare_package(a)) is not None]
        cpe_nodes = record.cpe_configurations + _cve5_cpe_nodes(record.affected)
        withdrawn = record.withdrawn is not None or record.rejected
        return self.add_prepared(
            RecordInfo(record.source, record.id, record.aliases, withdrawn),
            package_rules,
            prepare_nodes(cpe_nodes),
            record.csaf_products,
        )

    def add_prepared(
        self,
        info: RecordInfo,
        packages: Sequence[tuple[PackageRule, str]],
        nodes: tuple[PreparedNode, ...],
        csaf: Sequence[CsafProductStatus] = (),
        stored: Sequence[StoredConfig] = (),
    ) -> int | None:
        """:meth:`add` from prepared parts (:func:`prepare_package`, :func:`prepare_record_nodes`,
        and configuration trees still in their stored form, evaluated before ``nodes``), which
        callers may cache and reuse across indexes; the rules' ``record`` is replaced by the
        record's position here."""
        stored = tuple(s for s in stored if s.roots)
        if not packages and not nodes and not csaf and not stored:
            return None
        pos = len(self.records)
        self.records.append(info)
        self.ids.append(info.id)
        for rule, pkg in packages:
            self.packages.setdefault(pkg, []).append(
                PackageRule(pos, rule.package, rule.ranges, rule.versions, rule.schemes)
            )
        if nodes or stored:
            rule_c = CpeRule(pos, nodes, stored)
            for key in _vulnerable_keys(nodes).union(*(s.vulnerable_keys for s in stored)):
                self.cpes.setdefault(key, []).append(rule_c)
        if csaf:
            if self.csaf is None:
                from medvigil.core.matching.csaf_products import CsafIndex

                self.csaf = CsafIndex()
            for status in csaf:
                self.csaf.add(pos, status)
        return pos

    def __len__(self) -> int:
        return len(self.records)


def prepare_package(affected: AffectedPackage) -> tuple[PackageRule, str] | None:
    """The rule of one affected package (ranges and enumeration parsed) and its package key;
    ``None`` when it has nothing to evaluate. The rule's ``record`` is -1 until indexed."""
    return _package_rule(-1, affected)


def prepare_record_nodes(
    configurations: Sequence[CpeNode], affected: Sequence[AffectedPackage] = ()
) -> tuple[PreparedNode, ...]:
    """A record's NVD configuration trees plus CVE 5 ``cpes`` of its ``affected``, prepared."""
    return prepare_nodes((*configurations, *_cve5_cpe_nodes(affected)))


def _package_rule(pos: int, affected: AffectedPackage) -> tuple[PackageRule, str] | None:
    if not affected.purl_type or not affected.purl_name:
        return None
    ecosystem = affected.ecosystem or affected.purl_type
    ranges = tuple(
        PreparedRange.build(r.type, ((e.kind, e.value) for e in r.events), ecosystem)
        for r in affected.ranges
        if r.status == "affected"
    )
    versions = Enumeration.build(affected.versions, ecosystem) if affected.versions else None
    if not ranges and versions is None:
        return None
    key = package_key(affected.purl_type, affected.purl_namespace, affected.purl_name)
    schemes = tuple(_range_scheme(r) for r in ranges)
    return PackageRule(pos, affected.name, ranges, versions, schemes), key


def _range_scheme(prepared: PreparedRange) -> VersionScheme | None:
    if not prepared.evaluable:
        return None
    return get_scheme("SEMVER" if prepared.range_type == "SEMVER" else prepared.ecosystem)


def _cve5_cpe_nodes(affected: Sequence[AffectedPackage]) -> tuple[CpeNode, ...]:
    """CVE 5 ``cpes`` with version ranges, as one OR node per affected entry."""
    nodes: list[CpeNode] = []
    for pkg in affected:
        if not pkg.cpes or pkg.purl_type:
            continue
        matches = []
        for cpe in pkg.cpes:
            for r in pkg.ranges:
                if r.status != "affected":
                    continue
                bounds = {e.kind: e.value for e in r.events}
                start = bounds.get("introduced")
                matches.append(_cve5_match(cpe, None if start in (None, "0", "*") else start, bounds))
            matches.extend(_cve5_match(cpe, v, {"last_affected": v}) for v in pkg.versions)
        if matches:
            nodes.append(CpeNode("OR", cpe_matches=tuple(matches)))
    return tuple(nodes)


def _cve5_match(cpe: str, start: str | None, bounds: dict[str, str]) -> CpeMatch:
    return CpeMatch(
        criteria=cpe,
        vulnerable=True,
        version_start_including=start,
        version_end_excluding=bounds.get("fixed"),
        version_end_including=bounds.get("last_affected"),
    )


def _vulnerable_keys(nodes: Sequence[PreparedNode]) -> frozenset[str]:
    return frozenset().union(*(node.vulnerable_keys for node in nodes))


# --- matching --------------------------------------------------------------------------


def component_cpes(component: Component) -> tuple[Cpe, ...]:
    """The component's stated CPEs, parsed; an ANY version takes the component's version."""
    out: list[Cpe] = []
    for text in component.cpes:
        try:
            cpe = parse_cpe(text)
        except CpeError:
            continue
        if cpe.version == "*" and component.version:
            cpe = dataclasses.replace(cpe, version=quote_value(component.version))
        out.append(cpe)
    return tuple(out)


def match(
    components: Sequence[Component],
    index: MatchIndex,
    options: MatchOptions | None = None,
    *,
    only: Sequence[int] | None = None,
) -> Iterator[Match]:
    """Match every component against the index (a hash join; candidates only); with ``only``,
    just the components at those positions (ascending), still against the platforms of all ``components``
    (a part of a scan split over processes: the same matches as the whole run has there)."""
    opts = options or MatchOptions()
    stated = [component_cpes(c) for c in components]
    # Every component's configurations are evaluated against its own CPEs and the SBOM's platform
    # CPEs (what it may run on), indexed once by vendor:product: a cpeMatch entry is compared with
    # its candidates only, not with every platform CPE (that was quadratic in the SBOM size).
    platforms = CpeInventory(
        [cpe for c, cpes in zip(components, stated, strict=True) if c.type in _PLATFORM_TYPES for cpe in cpes]
    )
    run = _CpeRun(platforms, index, stated)
    csaf = index.csaf or None
    if csaf is not None:  # imported only when an index holds CSAF products
        from medvigil.core.matching.csaf_products import match_component
    for pos in only if only is not None else range(len(components)):
        component = components[pos]
        yield from _purl_matches(pos, component, index)
        for record, evidence in run.found(component, stated[pos], opts.infer_cpes):
            yield _match(pos, index, record, evidence)
        if csaf is not None:
            for record, evidence in match_component(component, stated[pos], csaf, index.ids):
                yield _match(pos, index, record, evidence)


class _CpeRun:
    """The CPE side of one :func:`match` run: each component's candidate records evaluated against
    its own CPEs and the SBOM's platform inventory. Components stating the same CPEs (a library
    vendored twice, one OS in several images) get the same evidence: evaluated once and reused."""

    def __init__(self, platforms: CpeInventory, index: MatchIndex, stated: Sequence[tuple[Cpe, ...]]) -> None:
        self.platforms = platforms
        self.index = index
        self.repeated = {cpes for cpes, n in Counter(cpes for cpes in stated if cpes).items() if n > 1}
        self.memo: dict[tuple[Cpe, ...], list[tuple[int, Evidence]]] = {}

    def found(self, component: Component, own: tuple[Cpe, ...], infer: bool) -> list[tuple[int, Evidence]]:
        """(record position, evidence) of the CPE matches of one component."""
        index = self.index
        if own:
            found = self.memo.get(own)
            if found is None:
                found = _cpe_matches(own, self.platforms, index, MatchMethod.CPE)
                if own in self.repeated:
                    self.memo[own] = found
            return found
        if infer and index.cpes:
            inferred = tuple(c for c in infer_cpes(component) if c.vendor_product in index.cpes)
            if inferred:
                return _cpe_matches(inferred, self.platforms, index, MatchMethod.CPE_INFERRED)
        return []


def platform_unverified(evidence: Iterable[Evidence]) -> bool:
    """Whether a finding stands only on CPE matches whose running-on platform could not be
    checked: every live affected claim among ``evidence`` carries :data:`PLATFORM_DETAIL`. Such
    findings are a separate, lower-confidence tier (``--fail-on`` leaves them out unless asked)."""
    claims = [e for e in evidence if e.method is not None and not e.withdrawn and e.status is _AFFECTED]
    return bool(claims) and all(e.has_detail(PLATFORM_DETAIL) for e in claims)


def match_device(device: DeviceIdentity, index: MatchIndex, position: int = 0) -> Iterator[Match]:
    """CSAF product-tree matches of a registered device version (reported at ``position``)."""
    if index.csaf is None:
        return
    from medvigil.core.matching.csaf_products import match_device as csaf_match_device

    for record, evidence in csaf_match_device(device, index.csaf, index.ids):
        yield _match(position, index, record, evidence)


def _match(pos: int, index: MatchIndex, record: int, evidence: Evidence) -> Match:
    info = index.records[record]
    if info.withdrawn and not evidence.withdrawn:
        evidence = evidence.as_withdrawn()
    return Match(pos, record, info.id, info.source, info.aliases, evidence)


def _component_key(component: Component) -> tuple[str, str] | None:
    """(package key, version) of a component with a purl."""
    if not component.purl:
        return None
    key = purl_package_key(component.purl)
    if key is None:
        return None
    version = component.version or purl_version(component.purl)
    if not version:
        return None
    return key, version


def _purl_matches(pos: int, component: Component, index: MatchIndex) -> Iterator[Match]:
    found = _component_key(component)
    if found is None:
        return
    key, version = found
    rules = index.packages.get(key)
    if not rules:
        return
    keys = VersionKeys(version)
    records = index.records
    for rule in rules:
        info = records[rule.record]
        evidence = _evaluate_package(rule, version, keys, info)
        if evidence is not None:  # what _match does, inline (the hottest loop of a scan)
            if info.withdrawn and not evidence.withdrawn:
                evidence = evidence.as_withdrawn()
            yield Match(pos, rule.record, info.id, info.source, info.aliases, evidence)


def _range_text(prepared: PreparedRange) -> str:
    return ", ".join(f"{kind} {value}" for kind, value in prepared.events)


def _evaluate_package(
    rule: PackageRule, version: str, keys: VersionKeys, info: RecordInfo
) -> Evidence | None:
    versions = rule.versions
    if versions is not None and (version in versions.raw or versions.contains_version(version, keys)):
        return Evidence(
            _ENUMERATED,
            info.source,
            info.id,
            _AFFECTED,
            95,
            f"{rule.package} {version} is listed as affected",
            (("package", rule.package), ("version", version), ("enumerated", "true")),
        )
    for prepared, scheme in zip(rule.ranges, rule.schemes, strict=True):
        if scheme is None:
            continue
        key = keys.key(scheme)
        if key is not None and prepared.contains_key(key):
            text = _range_text(prepared)
            return Evidence(
                _RANGE,
                info.source,
                info.id,
                _AFFECTED,
                90,
                f"{rule.package} {version} in {prepared.range_type} range {text}",
                (
                    ("package", rule.package),
                    ("version", version),
                    ("range_type", prepared.range_type),
                    ("range", text),
                ),
            )
    return None


def _cpe_matches(
    cpes: tuple[Cpe, ...], platforms: CpeInventory, index: MatchIndex, method: MatchMethod
) -> list[tuple[int, Evidence]]:
    """(record position, evidence) of the candidate records that own CPEs ``cpes`` match."""
    out: list[tuple[int, Evidence]] = []
    seen: set[int] = set()
    # membership by identity, then equality: a tuple for the usual one or two CPEs (a set hashed
    # every platform CPE of the evidence, all eleven attributes, for each evaluation)
    own: Collection[Cpe] = cpes if len(cpes) <= 4 else set(cpes)
    own_index = CpeInventory(cpes)
    targets = CpeTargets(cpes)
    for cpe in cpes:
        for rule in index.cpes.get(cpe.vendor_product, ()):
            if rule.record in seen:
                continue
            seen.add(rule.record)
            # A finding needs a vulnerable entry that an own CPE matches: the screen rules most
            # candidate records out (other versions of the same product) without their trees.
            if not rule.admits(targets):
                continue
            evidence = _evaluate_cpe(rule, own_index, platforms, own, method, index.records[rule.record])
            if evidence is not None:
                out.append((rule.record, evidence))
    return out


def _evaluate_cpe(
    rule: CpeRule,
    cpes: CpeInventory,
    platforms: CpeInventory,
    own: Collection[Cpe],
    method: MatchMethod,
    info: RecordInfo,
) -> Evidence | None:
    # platforms_known=False: an SBOM seldom lists everything a component runs on, so a running-on
    # entry no CPE satisfies is unknown (a partial, lower-confidence match), never false.
    result = evaluate_indexed(rule.roots(), cpes, platforms, platforms_known=False)
    if not (result.matched or result.partial):
        return None
    hits = [e for e in result.evidence if e.match.vulnerable and e.cpe in own]
    if not hits:
        return None  # only a platform CPE satisfied the vulnerable entry: not this component
    hit = hits[0]
    base = 70 if method is MatchMethod.CPE else 40
    confidence = base if result.matched else base - (15 if method is MatchMethod.CPE else 10)
    text = _CpeText(hit.match, hit.cpe, not result.matched)
    return Evidence.deferred(method, info.source, info.id, MatchStatus.AFFECTED, confidence, text)


_BOUNDS = (
    "version_start_including",
    "version_start_excluding",
    "version_end_including",
    "version_end_excluding",
)


class _CpeText:
    """The summary and details of a CPE match, built when read (:meth:`Evidence.deferred`): the
    entry and the CPE are shared with the index and the component, the text is not kept."""

    __slots__ = ("cpe", "entry", "unverified")

    def __init__(self, entry: CpeMatchLike, cpe: Cpe, unverified: bool) -> None:
        self.entry = entry
        self.cpe = cpe
        self.unverified = unverified
        """The running-on platform could not be checked (:data:`PLATFORM_DETAIL`)."""

    def render(self) -> tuple[str, tuple[tuple[str, str], ...]]:
        entry = self.entry
        bounds = [
            (name, value)
            for name, value in zip(
                _BOUNDS,
                (
                    entry.version_start_including,
                    entry.version_start_excluding,
                    entry.version_end_including,
                    entry.version_end_excluding,
                ),
                strict=True,
            )
            if value
        ]
        matched_cpe = self.cpe.to_fs()
        details = (("criteria", entry.criteria), *bounds, ("matched_cpe", matched_cpe))
        if self.unverified:
            details = (*details, (PLATFORM_DETAIL, _PLATFORM_REASON))
        summary = f"{matched_cpe} matches {entry.criteria}"
        if bounds:
            summary += " (" + ", ".join(f"{n} {v}" for n, v in bounds) + ")"
        return summary, details

    def has_detail(self, key: str) -> bool:
        if key == PLATFORM_DETAIL:
            return self.unverified
        return key in ("criteria", "matched_cpe") or any(
            key == name and getattr(self.entry, name) for name in _BOUNDS
        )
