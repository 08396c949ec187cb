"""CSAF product trees matched against whole devices and against SBOM components.

A CSAF product status says "this product is known_affected / fixed / ...". The product is
identified by helpers (model numbers, CPE, purl) and by its branch names (vendor,
product_name, product_version or a version range in CISA's wording, see
:mod:`.csaf_versions`). Most CISA ICSMA advisories carry no helpers at all, so a registered
device is matched by its model numbers (helper hit, high confidence) or by its normalised
product name (with or without the vendor in front) plus its version (lower confidence).
SBOM components are matched only through purl and CPE helpers: names are too ambiguous.

Status -> evidence: ``known_affected``/``first_affected``/``last_affected`` say affected,
``fixed``/``first_fixed``/``known_not_affected`` say not affected (the supplier's VEX),
``under_investigation`` says so; ``recommended`` is ignored. ``first_*`` statuses cover the
version and later ones, ``last_affected`` the version and earlier ones.
"""

from __future__ import annotations

import fnmatch
import functools
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

from medvigil.core.matching.cpe import ANY, Cpe, CpeCriterion, CpeError, parse_cpe
from medvigil.core.matching.csaf_versions import CsafVersionRange, parse_csaf_version
from medvigil.core.matching.keys import model_key, name_key, purl_package_key, purl_version
from medvigil.core.matching.versions import InvalidVersionError, get_scheme
from medvigil.core.model.advisory import CsafProductStatus
from medvigil.core.model.component import Component
from medvigil.core.model.match import DeviceIdentity, Evidence, MatchMethod, MatchStatus

__all__ = ["CsafIndex", "CsafRule", "match_component", "match_device"]

_STATUS = {
    "known_affected": MatchStatus.AFFECTED,
    "first_affected": MatchStatus.AFFECTED,
    "last_affected": MatchStatus.AFFECTED,
    "fixed": MatchStatus.NOT_AFFECTED,
    "first_fixed": MatchStatus.NOT_AFFECTED,
    "known_not_affected": MatchStatus.NOT_AFFECTED,
    "under_investigation": MatchStatus.UNDER_INVESTIGATION,
}
_OPEN_ENDED = {"first_affected": ">=", "first_fixed": ">=", "last_affected": "<="}


@dataclass(frozen=True, slots=True)
class CsafRule:
    """One product status of one CSAF record, with its version predicate prepared."""

    record: int
    """Record position in the engine's index."""
    status: CsafProductStatus
    """The product status as parsed."""
    verdict: MatchStatus
    """What the status says."""
    version_text: str | None
    """Version wording (``product_version`` or ``product_version_range``), None when absent."""
    version: CsafVersionRange | None
    """Parsed wording; None when absent or not understood."""


@dataclass(slots=True)
class CsafIndex:
    """CSAF rules keyed for look-up."""

    by_name: dict[str, list[CsafRule]] = field(default_factory=dict)
    """By :func:`~.keys.name_key` of ``product_name`` and ``vendor product_name``."""
    by_model: dict[str, list[CsafRule]] = field(default_factory=dict)
    """By :func:`~.keys.model_key` of helper model numbers without wildcards."""
    wildcard_models: list[tuple[str, CsafRule]] = field(default_factory=list)
    """Helper model numbers with ``*``/``?``."""
    by_purl: dict[str, list[tuple[CsafRule, str]]] = field(default_factory=dict)
    """By package key of the purl helper, with the helper's version (may be empty)."""
    by_cpe: dict[str, list[tuple[CsafRule, CpeCriterion]]] = field(default_factory=dict)
    """By ``vendor:product`` of the CPE helper."""
    size: int = 0
    """Number of rules."""

    def __bool__(self) -> bool:
        return self.size > 0

    def add(self, record: int, status: CsafProductStatus) -> None:
        """Index one product status of the record at position ``record``."""
        verdict = _STATUS.get(status.status)
        if verdict is None:
            return
        product = status.product
        text = product.product_version or product.product_version_range
        version = _version_predicate(status.status, text) if text else None
        rule = CsafRule(record, status, verdict, text, version)
        self.size += 1
        base = product.product_name or product.name
        for key in {name_key(base), name_key(f"{product.vendor or ''} {base}")}:
            if key:
                self.by_name.setdefault(key, []).append(rule)
        helpers = product.helpers
        if helpers is None:
            return
        for model in helpers.model_numbers:
            if "*" in model or "?" in model:
                self.wildcard_models.append((model_key(model), rule))
            else:
                self.by_model.setdefault(model_key(model), []).append(rule)
        if helpers.purl and (pkg := purl_package_key(helpers.purl)):
            self.by_purl.setdefault(pkg, []).append((rule, purl_version(helpers.purl)))
        if helpers.cpe:
            try:
                criterion = CpeCriterion.build(helpers.cpe, True)
            except CpeError:
                return
            self.by_cpe.setdefault(criterion.cpe.vendor_product, []).append((rule, criterion))


@functools.lru_cache(maxsize=1 << 14)
def _version_predicate(status: str, text: str) -> CsafVersionRange | None:
    parsed = parse_csaf_version(text)
    op = _OPEN_ENDED.get(status)
    if op is None or parsed is None or parsed.all_versions:
        return parsed
    alternatives = parsed.range.alternatives
    if len(alternatives) == 1 and len(alternatives[0]) == 1 and alternatives[0][0][0] == "=":
        return parse_csaf_version(f"{op} {text}")
    return parsed


def _version_verdict(rule: CsafRule, version: str) -> bool | None:
    """Whether ``version`` is covered: True/False, None when it cannot be told."""
    if rule.version_text is None:
        return True  # the product as a whole, every version
    if rule.version is None or not version:
        return None
    return rule.version.contains(version)


def _evidence(rule: CsafRule, covered: bool | None, how: str, confidence: int, record_id: str) -> Evidence:
    product = rule.status.product
    details = [
        ("product_id", product.product_id),
        ("product", product.name),
        ("product_status", rule.status.status),
        ("identified_by", how),
    ]
    if rule.version_text:
        details.append(("version", rule.version_text))
    summary = f"{rule.status.status}: {product.name} (identified by {how})"
    if covered is None:
        confidence = 25
        summary += "; version wording not understood, check by hand"
        details.append(("version_check", "unknown"))
    return Evidence(
        MatchMethod.CSAF_PRODUCT, "csaf", record_id, rule.verdict, confidence, summary, tuple(details)
    )


def _hits(
    rules: Sequence[CsafRule], version: str, how: str, confidence: int, ids: Sequence[str]
) -> Iterator[tuple[int, Evidence]]:
    for rule in rules:
        covered = _version_verdict(rule, version)
        if covered is False or (covered is None and rule.verdict is not MatchStatus.AFFECTED):
            continue
        yield rule.record, _evidence(rule, covered, how, confidence, ids[rule.record])


def match_device(
    device: DeviceIdentity, index: CsafIndex, record_ids: Sequence[str]
) -> Iterator[tuple[int, Evidence]]:
    """CSAF evidence for a registered device version: model numbers, CPE, purl, then name."""
    seen: set[tuple[int, str]] = set()
    for found in _device_hits(device, index, record_ids):
        key = (found[0], found[1].details[0][1])
        if key not in seen:
            seen.add(key)
            yield found


def _device_hits(
    device: DeviceIdentity, index: CsafIndex, ids: Sequence[str]
) -> Iterator[tuple[int, Evidence]]:
    for model in device.model_numbers:
        mk = model_key(model)
        rules = list(index.by_model.get(mk, ()))
        rules += [rule for pattern, rule in index.wildcard_models if fnmatch.fnmatchcase(mk, pattern)]
        yield from _hits(rules, device.version, f"model number {model}", 85, ids)
    for text in device.cpes:
        try:
            cpe = parse_cpe(text)
        except CpeError:
            continue
        yield from _cpe_hits(cpe, index, ids, device.version)
    for purl in device.purls:
        yield from _purl_hits(purl, device.version, index, ids)
    key = name_key(device.name)
    if key:
        yield from _hits(index.by_name.get(key, ()), device.version, f"name {device.name!r}", 60, ids)


def _cpe_hits(
    cpe: Cpe, index: CsafIndex, ids: Sequence[str], version: str = ""
) -> Iterator[tuple[int, Evidence]]:
    for rule, criterion in index.by_cpe.get(cpe.vendor_product, ()):
        if not criterion.matches(cpe):
            continue
        how = f"CPE {criterion.criteria}"
        if criterion.cpe.version == ANY and rule.version_text is not None:
            # A versionless helper names the product; the branch wording says which versions.
            yield from _hits((rule,), version, how, 85, ids)
        else:
            yield rule.record, _evidence(rule, True, how, 85, ids[rule.record])


def _purl_hits(
    purl: str, version: str, index: CsafIndex, ids: Sequence[str]
) -> Iterator[tuple[int, Evidence]]:
    pkg = purl_package_key(purl)
    if pkg is None:
        return
    version = version or purl_version(purl)
    for rule, helper_version in index.by_purl.get(pkg, ()):
        if helper_version:
            if not _same_version(pkg.split(":", 1)[0], helper_version, version):
                continue
            yield rule.record, _evidence(rule, True, f"purl {purl}", 85, ids[rule.record])
        else:
            yield from _hits((rule,), version, f"purl {purl}", 85, ids)


def _same_version(ptype: str, left: str, right: str) -> bool:
    if left == right:
        return True
    try:
        scheme = get_scheme(ptype)
        a, b = scheme.key(left), scheme.key(right)
    except (KeyError, InvalidVersionError):
        return False
    return not (a < b or b < a)


def match_component(
    component: Component, cpes: Sequence[Cpe], index: CsafIndex, record_ids: Sequence[str]
) -> Iterator[tuple[int, Evidence]]:
    """CSAF evidence for an SBOM component, through purl and CPE helpers only."""
    for cpe in cpes:
        yield from _cpe_hits(cpe, index, record_ids, component.version)
    if component.purl:
        yield from _purl_hits(component.purl, component.version, index, record_ids)
