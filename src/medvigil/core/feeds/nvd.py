"""NVD CVE records: CVE API 2.0 responses and the legacy JSON 1.1 feeds.

Inputs:

* an API 2.0 response (one page, ``{"format": "NVD_CVE", "vulnerabilities": [{"cve": ...}]}``),
  ``.json`` or ``.json.gz``, or a folder of such pages;
* a JSON 1.1 feed (yearly, ``modified``, ``recent``: ``{"CVE_Items": [...]}``), ``.json(.gz)``;
* ``.jsonl(.gz)`` with one CVE item per line, either 1.1 items or API 2.0 ``{"cve": ...}`` items.

Rejection: API 2.0 ``vulnStatus`` ``Rejected``; 1.1 items whose description starts with
``** REJECT **`` (1.1 has no status field). Both set ``rejected`` and ``withdrawn`` =
last modification.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import partial
from pathlib import Path
from typing import Any, ClassVar

import orjson

from medvigil.core._json import json_error
from medvigil.core.errors import FeedParseError
from medvigil.core.feeds._io import (
    FieldError,
    JsonObj,
    Shape,
    iter_json_units,
    shape_error,
    timestamp_at,
    unique,
)
from medvigil.core.feeds.interface import (
    FeedItem,
    FeedParser,
    ParsedRecord,
    PendingItem,
    PendingRecord,
    RecordError,
)
from medvigil.core.model.advisory import (
    SOURCE_NVD,
    AdvisoryRecord,
    CpeMatch,
    CpeNode,
    Reference,
    Severity,
)

NVD_SOURCE = "nvd@nist.gov"
"""``source`` of NVD's own scores (1.1 feeds carry only NVD scores)."""
REJECT_PREFIX = "** REJECT **"

_API_METRICS = (
    ("cvssMetricV40", "CVSS_V4"),
    ("cvssMetricV31", "CVSS_V3"),
    ("cvssMetricV30", "CVSS_V3"),
    ("cvssMetricV2", "CVSS_V2"),
)


class NvdFeed(FeedParser):
    """NVD CVE API 2.0 pages and JSON 1.1 feeds."""

    source_id: ClassVar[str] = SOURCE_NVD
    label: ClassVar[str] = "NVD (CVE API 2.0, JSON 1.1 feeds)"

    def sniff(self, name: str, head: bytes) -> bool:
        """API 2.0 pages say ``NVD_CVE``; 1.1 feeds and items carry ``CVE_data_meta``."""
        return b"NVD_CVE" in head or b"CVE_data_meta" in head or b'"CVE_Items"' in head

    def parse(self, path: Path, *, source: str | None = None) -> Iterator[FeedItem]:
        """Stream the CVE records of an API page, a 1.1 feed, a folder of pages or a JSONL file."""
        for item in self.parse_pending(path, source=source):
            yield item.map() if isinstance(item, PendingRecord) else item

    def parse_pending(self, path: Path, *, source: str | None = None) -> Iterator[PendingItem]:
        """As :meth:`parse`, each record a :class:`PendingRecord` (id and raw bytes, mapped on demand).

        Raises :class:`FeedParseError` naming the input when it is not NVD data: a document that
        is neither an API response nor a 1.1 feed, or a JSONL file whose first JSON line is not
        an NVD CVE item (later bad lines are record errors).
        """
        src = source or str(path)
        checked = False
        for location, data, is_line in iter_json_units(path, src):
            if not is_line:
                yield from _document(data, src, location)
                continue
            if not checked:
                checked = _check_line(data, src, location)
            found = _LINE_ID.search(data, 0, 512)
            record_id = found.group(1).decode("utf-8", "replace") if found else ""
            yield PendingRecord(record_id, data, location, partial(_line_item, data, src, location))


_LINE_ID = re.compile(rb'"(?:id|ID)"\s*:\s*"([^"\\]{1,300})"')
"""The CVE id near the start of a JSONL item (API 2.0 ``"id"``, 1.1 ``CVE_data_meta.ID``)."""


def _check_line(data: bytes, src: str, location: str) -> bool:
    """True once a line decodes; raise when that first decodable line is not an NVD item."""
    try:
        item = orjson.loads(data)
    except orjson.JSONDecodeError:
        return False
    if not _is_cve_item(item):
        raise FeedParseError(
            "not NVD data: the first item has no 'cve' object", source=src, location=location
        )
    return True


def _is_cve_item(item: Any) -> bool:
    return isinstance(item, dict) and isinstance(item.get("cve"), dict)


def _document(data: bytes, src: str, location: str) -> Iterator[PendingItem]:
    try:
        doc = orjson.loads(data)
    except orjson.JSONDecodeError as exc:
        reason, where = json_error(data, exc)
        where = f"{location} {where}" if location else where
        raise FeedParseError(f"not valid JSON: {reason}", source=src, location=where) from exc
    if isinstance(doc, dict) and isinstance(doc.get("vulnerabilities"), list):
        items, prefix = doc["vulnerabilities"], "/vulnerabilities"
    elif isinstance(doc, dict) and isinstance(doc.get("CVE_Items"), list):
        items, prefix = doc["CVE_Items"], "/CVE_Items"
    else:
        raise FeedParseError(
            "neither an NVD API 2.0 response nor a JSON 1.1 feed", source=src, location=location
        )
    where = f"{location}#" if location else ""
    for index, item in enumerate(items):
        at = f"{where}{prefix}/{index}"
        if not _is_cve_item(item):
            yield RecordError("not an NVD CVE item (no 'cve' object)", src, at)
            continue
        cve = item["cve"]
        cve_id = cve.get("id") if "id" in cve else (cve.get("CVE_data_meta") or {}).get("ID")
        raw = orjson.dumps(item)
        yield PendingRecord(str(cve_id or ""), raw, at, partial(_map, item, raw, src, at))


def _line_item(data: bytes, src: str, location: str) -> FeedItem:
    try:
        item = orjson.loads(data)
    except orjson.JSONDecodeError as exc:
        return RecordError(f"not valid JSON: {exc}", src, location)
    if not _is_cve_item(item):
        return RecordError("not an NVD CVE item (no 'cve' object)", src, location)
    return _map(item, data, src, location)


def _map(item: JsonObj, raw: bytes, src: str, location: str) -> FeedItem:
    cve = item["cve"]
    is_api = "id" in cve
    cve_id = cve.get("id") if is_api else (cve.get("CVE_data_meta") or {}).get("ID", "")
    try:
        record = api_record(cve) if is_api else legacy_record(item)
    except (FieldError, TypeError, AttributeError, KeyError, ValueError) as exc:
        found = (
            exc if isinstance(exc, FieldError) else shape_error(cve, _API_SHAPE, "/cve") if is_api else None
        )
        if found is not None:
            return RecordError(
                f"cannot map record: {found.message}", src, location, found.pointer, str(cve_id or "")
            )
        return RecordError(f"cannot map record: {exc!r}", src, location, "", str(cve_id or ""))
    return ParsedRecord(record, raw, location)


_LANG_TEXT: Shape = [{"lang": str, "value": str}]
_METRIC: Shape = [{"source": str, "cvssData": {"vectorString": str, "baseScore": float, "version": str}}]
_API_SHAPE: Shape = {
    "id": str,
    "vulnStatus": str,
    "sourceIdentifier": str,
    "published": str,
    "lastModified": str,
    "descriptions": _LANG_TEXT,
    "weaknesses": [{"source": str, "description": _LANG_TEXT}],
    "references": [{"url": str, "source": str, "tags": [str]}],
    "metrics": {key: _METRIC for key, _ in _API_METRICS},
    "configurations": [
        {"nodes": [{"operator": str, "negate": bool, "cpeMatch": [{"criteria": str, "vulnerable": bool}]}]}
    ],
}
"""Types of the API 2.0 fields the mapping reads: a record of another shape is reported at its field."""


def api_record(cve: JsonObj) -> AdvisoryRecord:
    """Map the ``cve`` object of an API 2.0 ``vulnerabilities`` entry."""
    status = cve.get("vulnStatus")
    modified = timestamp_at(cve, "lastModified", "/cve")
    rejected = status == "Rejected"
    cwes = (d.get("value", "") for w in cve.get("weaknesses") or () for d in w.get("description") or ())
    return AdvisoryRecord(
        source=SOURCE_NVD,
        id=cve["id"],
        modified=modified,
        published=timestamp_at(cve, "published", "/cve"),
        withdrawn=modified if rejected else None,
        rejected=rejected,
        state=status,
        details=_english(cve.get("descriptions")),
        cwes=unique(c for c in cwes if c.startswith("CWE-")),
        references=tuple(
            Reference(url=r["url"], type=r.get("source"), tags=tuple(r.get("tags") or ()))
            for r in cve.get("references") or ()
        ),
        severities=_api_severities(cve.get("metrics") or {}),
        cpe_configurations=tuple(api_configuration(c) for c in cve.get("configurations") or ()),
        assigner=cve.get("sourceIdentifier"),
    )


def _api_severities(metrics: JsonObj) -> tuple[Severity, ...]:
    found = []
    for key, stype in _API_METRICS:
        for metric in metrics.get(key) or ():
            data = metric.get("cvssData") or {}
            found.append(
                Severity(
                    type=stype,
                    vector=data.get("vectorString"),
                    base_score=data.get("baseScore"),
                    version=data.get("version"),
                    rating=data.get("baseSeverity") or metric.get("baseSeverity"),
                    source=metric.get("source"),
                    primary=_primary(metric.get("type")),
                )
            )
    return tuple(found)


def _primary(value: str | None) -> bool | None:
    return None if value is None else value == "Primary"


def api_configuration(config: JsonObj) -> CpeNode:
    """Map an API 2.0 configuration (or CVE 5 ``cpeApplicability`` entry) to a root node."""
    nodes = tuple(_api_node(n) for n in config.get("nodes") or ())
    if len(nodes) == 1 and "operator" not in config and not config.get("negate"):
        return nodes[0]
    return CpeNode(operator=config.get("operator", "OR"), negate=bool(config.get("negate")), children=nodes)


def _api_node(node: JsonObj) -> CpeNode:
    return CpeNode(
        operator=node.get("operator", "OR"),
        negate=bool(node.get("negate")),
        cpe_matches=tuple(_cpe_match(m, m["criteria"]) for m in node.get("cpeMatch") or ()),
        children=tuple(_api_node(c) for c in node.get("children") or ()),
    )


_MATCHES: dict[tuple[Any, ...], CpeMatch] = {}
"""Interned CPE matches: NVD repeats them (a yearly feed has about three uses per distinct one)."""
_MATCHES_MAX = 200_000


def _cpe_match(match: JsonObj, criteria: str) -> CpeMatch:
    get = match.get  # positional arguments: this runs for every CPE match of every record
    key = (
        criteria,
        bool(get("vulnerable")),
        get("versionStartIncluding"),
        get("versionStartExcluding"),
        get("versionEndIncluding"),
        get("versionEndExcluding"),
        get("matchCriteriaId"),
    )
    try:
        found = _MATCHES.get(key)
    except TypeError:  # a malformed bound (a list, say) is kept as it is, uninterned
        return CpeMatch(*key)
    if found is None:
        if len(_MATCHES) >= _MATCHES_MAX:
            _MATCHES.clear()
        found = _MATCHES[key] = CpeMatch(*key)
    return found


def legacy_record(item: JsonObj) -> AdvisoryRecord:
    """Map one JSON 1.1 ``CVE_Items`` entry."""
    cve = item["cve"]
    meta = cve.get("CVE_data_meta") or {}
    details = _english((cve.get("description") or {}).get("description_data"))
    modified = timestamp_at(item, "lastModifiedDate", "")
    rejected = bool(details and details.startswith(REJECT_PREFIX))
    problems = (cve.get("problemtype") or {}).get("problemtype_data") or ()
    cwes = (d.get("value", "") for p in problems for d in p.get("description") or ())
    return AdvisoryRecord(
        source=SOURCE_NVD,
        id=meta["ID"],
        modified=modified,
        published=timestamp_at(item, "publishedDate", ""),
        withdrawn=modified if rejected else None,
        rejected=rejected,
        state="Rejected" if rejected else None,
        details=details,
        cwes=unique(c for c in cwes if c.startswith("CWE-")),
        references=tuple(
            Reference(
                url=r["url"], type=r.get("refsource"), tags=tuple(r.get("tags") or ()), summary=r.get("name")
            )
            for r in (cve.get("references") or {}).get("reference_data") or ()
        ),
        severities=_legacy_severities(item.get("impact") or {}),
        cpe_configurations=tuple(
            _legacy_node(n) for n in (item.get("configurations") or {}).get("nodes") or ()
        ),
        assigner=meta.get("ASSIGNER"),
    )


def _legacy_severities(impact: JsonObj) -> tuple[Severity, ...]:
    found = []
    v3 = impact.get("baseMetricV3")
    if v3 and v3.get("cvssV3"):
        data = v3["cvssV3"]
        found.append(_nvd_score("CVSS_V3", data, data.get("baseSeverity")))
    v2 = impact.get("baseMetricV2")
    if v2 and v2.get("cvssV2"):
        found.append(_nvd_score("CVSS_V2", v2["cvssV2"], v2.get("severity")))
    return tuple(found)


def _nvd_score(stype: str, data: JsonObj, rating: str | None) -> Severity:
    return Severity(
        type=stype,
        vector=data.get("vectorString"),
        base_score=data.get("baseScore"),
        version=data.get("version"),
        rating=rating,
        source=NVD_SOURCE,
        primary=True,
    )


def _legacy_node(node: JsonObj) -> CpeNode:
    matches = node.get("cpe_match")
    children = node.get("children")
    return CpeNode(
        node.get("operator", "OR"),
        bool(node.get("negate")),
        tuple([_cpe_match(m, m.get("cpe23Uri") or m["cpe22Uri"]) for m in matches]) if matches else (),
        tuple([_legacy_node(c) for c in children]) if children else (),
    )


def _english(entries: Any) -> str | None:
    if not entries:
        return None
    for entry in entries:
        if entry.get("lang") in ("en", "eng"):
            return str(entry.get("value", ""))
    return str(entries[0].get("value", ""))
