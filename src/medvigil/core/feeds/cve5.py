"""CVE JSON 5 records (cvelistV5, CISA Vulnrichment): CNA and ADP containers.

Inputs: one record ``.json``, a folder of records (cvelistV5 layout), a ``.zip`` of records, or
``.jsonl(.gz)`` with one record per line. Records are checked structurally (required
``cveMetadata.cveId``/``state`` and ``containers.cna``), not against the full CVE 5 schema,
which would cost milliseconds per record on the 44k-record corpus.

Every container's claims are kept with its provider: ``affected`` entries carry ``provider``
(CNA or ADP short name), scores carry ``source`` and ``primary`` (True for the CNA), SSVC
decisions come from an ADP ``other`` metric of type ``ssvc``.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any, ClassVar

import orjson

from medvigil.core.feeds._io import (
    FieldError,
    JsonObj,
    iter_json_units,
    parse_datetime,
    strings,
    timestamp_at,
    unique,
)
from medvigil.core.feeds._purl import coordinates, ecosystem_for_collection_url
from medvigil.core.feeds.interface import FeedItem, FeedParser, ParsedRecord, RecordError
from medvigil.core.feeds.nvd import api_configuration
from medvigil.core.model.advisory import (
    SOURCE_CVE5,
    AdvisoryRecord,
    AffectedPackage,
    AffectedRange,
    RangeEvent,
    Reference,
    Severity,
    SsvcDecision,
)

_METRIC_TYPES = {
    "cvssV4_0": ("CVSS_V4", "4.0"),
    "cvssV3_1": ("CVSS_V3", "3.1"),
    "cvssV3_0": ("CVSS_V3", "3.0"),
    "cvssV2_0": ("CVSS_V2", "2.0"),
}
_SSVC_KEYS = {
    "exploitation": "exploitation",
    "automatable": "automatable",
    "technical impact": "technical_impact",
}


class Cve5Feed(FeedParser):
    """CVE JSON 5 records."""

    source_id: ClassVar[str] = SOURCE_CVE5
    label: ClassVar[str] = "CVE JSON 5 (cvelistV5, CISA Vulnrichment)"

    def sniff(self, name: str, head: bytes) -> bool:
        """CVE 5 records say ``CVE_RECORD`` and carry ``cveMetadata``."""
        return b'"CVE_RECORD"' in head or b'"cveMetadata"' in head

    def parse(self, path: Path, *, source: str | None = None) -> Iterator[FeedItem]:
        """Stream the records of a file, folder, ``.zip`` or ``.jsonl(.gz)``."""
        src = source or str(path)
        for location, data, _is_line in iter_json_units(path, src):
            item = parse_cve5(data, src, location or "file")
            if not location and isinstance(item, RecordError):
                raise item.as_exception()
            yield item


def parse_cve5(data: bytes, src: str, location: str) -> FeedItem:
    """Decode, check and map one CVE 5 record."""
    try:
        doc = orjson.loads(data)
    except orjson.JSONDecodeError as exc:
        return RecordError(f"not valid JSON: {exc}", src, location)
    problem = _structure_problem(doc)
    if problem:
        cve_id = doc.get("cveMetadata", {}).get("cveId", "") if isinstance(doc, dict) else ""
        return RecordError(problem[1], src, location, problem[0], str(cve_id))
    try:
        return ParsedRecord(cve5_record(doc), data, location)
    except (FieldError, TypeError, AttributeError, KeyError, ValueError) as exc:
        pointer = exc.pointer if isinstance(exc, FieldError) else ""
        return RecordError(f"cannot map record: {exc!r}", src, location, pointer, doc["cveMetadata"]["cveId"])


def _structure_problem(doc: Any) -> tuple[str, str] | None:
    if not isinstance(doc, dict) or doc.get("dataType") != "CVE_RECORD":
        return "/dataType", "not a CVE JSON 5 record (dataType is not CVE_RECORD)"
    meta = doc.get("cveMetadata")
    if not isinstance(meta, dict) or not isinstance(meta.get("cveId"), str):
        return "/cveMetadata/cveId", "missing cveMetadata.cveId"
    if meta.get("state") not in ("PUBLISHED", "REJECTED"):
        return "/cveMetadata/state", f"state must be PUBLISHED or REJECTED, not {meta.get('state')!r}"
    containers = doc.get("containers")
    if not isinstance(containers, dict) or not isinstance(containers.get("cna"), dict):
        return "/containers/cna", "missing containers.cna"
    if not isinstance(containers.get("adp", []), list):
        return "/containers/adp", "adp must be an array"
    return None


def cve5_record(doc: JsonObj) -> AdvisoryRecord:
    """Map one structurally checked CVE 5 record."""
    meta = doc["cveMetadata"]
    cna = doc["containers"]["cna"]
    adps: list[JsonObj] = doc["containers"].get("adp") or []
    rejected = meta["state"] == "REJECTED"
    modified = timestamp_at(meta, "dateUpdated", "/cveMetadata")
    containers = [(cna, True), *((adp, False) for adp in adps)]
    details = _english(cna.get("rejectedReasons") if rejected else cna.get("descriptions"))
    return AdvisoryRecord(
        source=SOURCE_CVE5,
        id=meta["cveId"],
        modified=modified,
        published=timestamp_at(meta, "datePublished", "/cveMetadata"),
        withdrawn=(timestamp_at(meta, "dateRejected", "/cveMetadata") or modified) if rejected else None,
        rejected=rejected,
        state=meta["state"],
        summary=cna.get("title"),
        details=details,
        cwes=unique(cwe for c, _ in containers for cwe in _cwes(c)),
        references=_references(c for c, _ in containers),
        severities=tuple(s for c, primary in containers for s in _severities(c, primary)),
        affected=tuple(a for c, _ in containers for a in _affected_of(c)),
        cpe_configurations=tuple(
            api_configuration(x) for c, _ in containers for x in c.get("cpeApplicability") or ()
        ),
        ssvc=_ssvc(adps),
        assigner=meta.get("assignerShortName"),
    )


def _provider(container: JsonObj) -> str:
    return str((container.get("providerMetadata") or {}).get("shortName") or "")


def _english(entries: Any) -> str | None:
    if not entries:
        return None
    for entry in entries:
        if str(entry.get("lang", "")).startswith("en"):
            return str(entry.get("value", ""))
    return str(entries[0].get("value", ""))


def _cwes(container: JsonObj) -> Iterator[str]:
    for problem in container.get("problemTypes") or ():
        for desc in problem.get("descriptions") or ():
            cwe = desc.get("cweId")
            if isinstance(cwe, str) and cwe.startswith("CWE-"):
                yield cwe


def _references(containers: Iterator[JsonObj]) -> tuple[Reference, ...]:
    seen: dict[str, Reference] = {}
    for container in containers:
        for ref in container.get("references") or ():
            url = ref.get("url")
            if url and url not in seen:
                seen[url] = Reference(url=url, tags=tuple(ref.get("tags") or ()), summary=ref.get("name"))
    return tuple(seen.values())


def _severities(container: JsonObj, primary: bool) -> Iterator[Severity]:
    provider = _provider(container)
    for metric in container.get("metrics") or ():
        for key, (stype, version) in _METRIC_TYPES.items():
            data = metric.get(key)
            if data:
                yield Severity(
                    type=stype,
                    vector=data.get("vectorString"),
                    base_score=data.get("baseScore"),
                    version=data.get("version", version),
                    rating=data.get("baseSeverity"),
                    source=provider,
                    primary=primary,
                )
        other = metric.get("other") or {}
        content = other.get("content")
        text = (content.get("text") or content.get("value")) if isinstance(content, dict) else None
        if isinstance(text, str) and other.get("type"):
            yield Severity(
                type=str(other["type"]), vector=None, rating=text, source=provider, primary=primary
            )


def _ssvc(adps: list[JsonObj]) -> SsvcDecision | None:
    for adp in adps:
        for metric in adp.get("metrics") or ():
            other = metric.get("other") or {}
            if str(other.get("type", "")).lower().startswith("ssvc") and isinstance(
                other.get("content"), dict
            ):
                return _ssvc_decision(other["content"], _provider(adp))
    return None


def _ssvc_decision(content: JsonObj, provider: str) -> SsvcDecision:
    points: dict[str, str] = {}
    options = content.get("options")
    pairs = [kv for opt in options for kv in opt.items()] if isinstance(options, list) else content.items()
    for key, value in pairs:
        name = _SSVC_KEYS.get(str(key).lower())
        if name and isinstance(value, str):
            points[name] = value.lower()
    try:
        stamp = parse_datetime(content.get("timestamp"))
    except ValueError:
        stamp = None
    return SsvcDecision(
        exploitation=points.get("exploitation"),
        automatable=points.get("automatable"),
        technical_impact=points.get("technical_impact"),
        role=content.get("role"),
        version=content.get("version"),
        timestamp=stamp,
        provider=provider,
    )


def _affected_of(container: JsonObj) -> Iterator[AffectedPackage]:
    provider = _provider(container)
    for entry in container.get("affected") or ():
        yield cve5_affected(entry, provider)


def cve5_affected(entry: JsonObj, provider: str = "") -> AffectedPackage:
    """Map one CVE 5 ``affected`` entry (see :class:`AffectedRange` for the version mapping)."""
    package_name = entry.get("packageName")
    collection = entry.get("collectionURL")
    ecosystem = ecosystem_for_collection_url(collection) if isinstance(collection, str) else None
    coords = coordinates(ecosystem, package_name) if ecosystem and isinstance(package_name, str) else None
    ranges: list[AffectedRange] = []
    versions: list[str] = []
    unaffected: list[str] = []
    for version in entry.get("versions") or ():
        _add_version(version, entry.get("versionType"), ranges, versions, unaffected)
    return AffectedPackage(
        ecosystem=ecosystem,
        name=str(package_name or entry.get("product") or ""),
        purl=coords.purl if coords else None,
        purl_type=coords.type if coords else None,
        purl_namespace=coords.namespace if coords else None,
        purl_name=coords.name if coords else None,
        ranges=tuple(ranges),
        versions=tuple(versions),
        unaffected_versions=tuple(unaffected),
        default_status=entry.get("defaultStatus"),
        vendor=entry.get("vendor"),
        product=entry.get("product"),
        cpes=strings(entry.get("cpes")),
        platforms=strings(entry.get("platforms")),
        repo=entry.get("repo"),
        provider=provider,
    )


def _add_version(
    version: JsonObj,
    default_type: Any,
    ranges: list[AffectedRange],
    versions: list[str],
    unaffected: list[str],
) -> None:
    value = str(version.get("version", ""))
    status = str(version.get("status", "unknown"))
    vtype = str(version.get("versionType") or default_type or "custom").upper()
    changes = version.get("changes") or ()
    if "lessThan" in version or "lessThanOrEqual" in version or changes:
        events = [RangeEvent("introduced", value)]
        for change in changes:
            kind = "introduced" if change.get("status") == "affected" else "fixed"
            events.append(RangeEvent(kind, str(change.get("at", ""))))
        if "lessThan" in version:
            events.append(RangeEvent("fixed", str(version["lessThan"])))
        elif "lessThanOrEqual" in version:
            events.append(RangeEvent("last_affected", str(version["lessThanOrEqual"])))
        ranges.append(AffectedRange(type=vtype, events=tuple(events), status=status))
    elif status == "affected":
        versions.append(value)
    elif status == "unaffected":
        unaffected.append(value)
    else:
        events_one = (RangeEvent("introduced", value), RangeEvent("last_affected", value))
        ranges.append(AffectedRange(type=vtype, events=events_one, status=status))
