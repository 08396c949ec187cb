"""Core advisory values ↔ stored JSON.

Writes use orjson's native dataclass serialisation (field names as keys, tuples as lists), so
the stored JSON is the core model's shape. Reads rebuild the core values the matcher takes
(:class:`AffectedPackage` ranges, :class:`CpeNode` trees, CSAF helpers).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from functools import lru_cache
from typing import Any

import orjson

from medvigil.core.errors import VectorError
from medvigil.core.matching.cpe import vendor_product_of
from medvigil.core.matching.cpe_config import stored_screens
from medvigil.core.model.advisory import (
    AffectedPackage,
    AffectedRange,
    CpeMatch,
    CpeNode,
    ProductHelpers,
    RangeEvent,
    Severity,
)
from medvigil.core.risk.cvss import parse_vector


def dumps(value: Any) -> str:
    """Serialise ``value`` (dataclasses, tuples, datetimes) to JSON text."""
    return orjson.dumps(value).decode()


_NODE_DEFAULTS = tuple(
    f',"{name}":null'.encode()
    for name in (
        "version_start_including", "version_start_excluding", "version_end_including",
        "version_end_excluding", "match_criteria_id",
    )
) + (b',"children":[]', b'"negate":false,')  # fmt: skip


def dumps_nodes(nodes: Sequence[CpeNode]) -> str:
    """Configuration trees as JSON without default-valued keys (a third of the size).

    orjson writes every dataclass field; removing the ``null``/``false``/``[]`` defaults with
    byte replacement is safe because a quote inside a JSON string is always escaped.
    """
    data = orjson.dumps(nodes)
    for default in _NODE_DEFAULTS:
        data = data.replace(default, b"")
    return data.decode()


def _v3_label(score: float) -> str:
    if score == 0:
        return "none"
    if score < 4:
        return "low"
    if score < 7:
        return "medium"
    if score < 9:
        return "high"
    return "critical"


def _v2_label(score: float) -> str:
    return "low" if score < 4 else "medium" if score < 7 else "high"


def _scored(sev: Severity) -> tuple[float, str, str, str] | None:
    """(score, vector, version, label) of one CVSS severity; None when it has no usable score."""
    if not sev.type.upper().startswith("CVSS"):
        return None
    score, version, rating = sev.base_score, sev.version or "", sev.rating
    if score is None:
        if not sev.vector:
            return None
        try:
            parsed = parse_vector(sev.vector)
        except VectorError:
            return None
        score, version, rating = parsed.base_score, parsed.version.value, parsed.base_severity
    if not version:
        version = "2.0" if sev.type.upper() == "CVSS_V2" else "3.1" if sev.type.upper() == "CVSS_V3" else ""
    label = rating.lower() if rating else (_v2_label(score) if version == "2.0" else _v3_label(score))
    return score, sev.vector or "", version, label


def rank(version: str, score: float) -> tuple[str, float, str]:
    """Sort key of a CVSS score: newer major version first, then the score."""
    return version[:1], score, version


def best_severity(severities: Iterable[Severity]) -> tuple[float | None, str, str, str]:
    """The record's headline CVSS score with its vector, version and rating label.

    The highest base score of the newest CVSS major version the record has (v2 and v3 scales
    differ: a v2 10.0 is "high" where the v3 9.8 is "critical"). A vector without a stated score
    is scored here; a bad vector is ignored. Returns ``(None, "", "", "")`` without CVSS data.
    """
    best: tuple[float, str, str, str] | None = None
    for sev in severities:
        scored = _scored(sev)
        if scored is not None and (best is None or rank(scored[2], scored[0]) > rank(best[2], best[0])):
            best = scored
    return best if best is not None else (None, "", "", "")


def affected_range(data: Mapping[str, Any]) -> AffectedRange:
    """Rebuild an :class:`AffectedRange` from its stored JSON."""
    return AffectedRange(
        type=data["type"],
        events=tuple(RangeEvent(e["kind"], e["value"]) for e in data.get("events", ())),
        repo=data.get("repo"),
        status=data.get("status", "affected"),
        database_specific_json=data.get("database_specific_json"),
    )


def affected_package(row: Mapping[str, Any]) -> AffectedPackage:
    """Rebuild a core :class:`AffectedPackage` from a stored row's values."""
    extra = row.get("extra") or {}
    return AffectedPackage(
        ecosystem=row["ecosystem"] or None,
        name=row["name"],
        purl=row["purl"] or None,
        purl_type=row["purl_type"] or None,
        purl_namespace=row["purl_namespace"] or None,
        purl_name=row["purl_name"] or None,
        ranges=tuple(affected_range(r) for r in row["ranges"]),
        versions=tuple(row["versions"]),
        unaffected_versions=tuple(row["unaffected"]),
        default_status=row["default_status"] or None,
        vendor=row["vendor"] or None,
        product=row["product"] or None,
        cpes=tuple(row["cpes"]),
        platforms=tuple(extra.get("platforms", ())),
        repo=extra.get("repo"),
        provider=extra.get("provider", ""),
        ecosystem_specific_json=extra.get("ecosystem_specific_json"),
        database_specific_json=extra.get("database_specific_json"),
    )


def affected_extra(pkg: AffectedPackage) -> dict[str, Any]:
    """The fields of an affected package that have no column of their own."""
    extra: dict[str, Any] = {}
    if pkg.platforms:
        extra["platforms"] = pkg.platforms
    if pkg.repo:
        extra["repo"] = pkg.repo
    if pkg.provider:
        extra["provider"] = pkg.provider
    if pkg.ecosystem_specific_json:
        extra["ecosystem_specific_json"] = pkg.ecosystem_specific_json
    if pkg.database_specific_json:
        extra["database_specific_json"] = pkg.database_specific_json
    return extra


def cpe_node(data: Mapping[str, Any]) -> CpeNode:
    """Rebuild a :class:`CpeNode` tree from its stored JSON."""
    return CpeNode(
        operator=data["operator"],
        negate=bool(data.get("negate", False)),
        cpe_matches=tuple(CpeMatch(**m) for m in data.get("cpe_matches", ())),
        children=tuple(cpe_node(c) for c in data.get("children", ())),
    )


def product_helpers(data: Mapping[str, Any] | None) -> ProductHelpers | None:
    """Rebuild CSAF :class:`ProductHelpers` from stored JSON."""
    if not data:
        return None
    return ProductHelpers(
        cpe=data.get("cpe"),
        purl=data.get("purl"),
        model_numbers=tuple(data.get("model_numbers", ())),
        sbom_urls=tuple(data.get("sbom_urls", ())),
        serial_numbers=tuple(data.get("serial_numbers", ())),
        skus=tuple(data.get("skus", ())),
        x_generic_uris=tuple((a, b) for a, b in data.get("x_generic_uris", ())),
        hashes=tuple((a, b, c) for a, b, c in data.get("hashes", ())),
    )


@lru_cache(maxsize=1 << 16)
def cpe_vendor_product(criteria: str) -> tuple[str, str] | None:
    """``(vendor, product)`` of a CPE name, as the matcher keys it (canonical formatted-string
    values; see :func:`medvigil.core.matching.cpe.vendor_product_of`), None when it is not one.

    Memoised: NVD repeats the same CPE names across thousands of records.
    """
    found = vendor_product_of(criteria)
    return None if found is None else (found[0][:200], found[1][:200])


def index_rows(nodes: Sequence[CpeNode]) -> tuple[tuple[str, str, str | None], ...]:
    """The candidate-index rows of configuration trees: the sorted distinct vendor:product pairs
    of their vulnerable matches (:func:`index_entries`), each with the compact screen of its
    entries (:func:`~medvigil.core.matching.cpe_config.stored_screens`); the screens are left
    NULL when their keys are not exactly the pairs (a malformed criterion, a name cut to 200
    characters), so that a scan decodes such a record's trees instead. Computed after the import,
    by :func:`~medvigil.web.advisories.screens.cpe_screens_fill`."""
    pairs = sorted(index_entries(nodes))
    screens = stored_screens(nodes)
    if len(screens) != len(pairs) or any(f"{v}:{p}" not in screens for v, p in pairs):
        return tuple((v, p, None) for v, p in pairs)
    return tuple((v, p, screens[f"{v}:{p}"]) for v, p in pairs)


def index_entries(nodes: Sequence[CpeNode]) -> set[tuple[str, str]]:
    """The distinct vendor:product pairs of the vulnerable matches of configuration trees."""
    out: set[tuple[str, str] | None] = set()
    stack = list(nodes)
    while stack:
        node = stack.pop()
        out.update([cpe_vendor_product(m.criteria) for m in node.cpe_matches if m.vulnerable])
        if node.children:
            stack.extend(node.children)
    out.discard(None)
    return out  # type: ignore[return-value]
