"""OSV advisories (osv.dev, PyPA, Go vulndb, GHSA in OSV form).

Inputs: a single ``.json`` record (or a JSON array of records, or an osv.dev ``{"vulns": [...]}``
answer), a folder of ``.json`` files, an ecosystem ``all.zip`` as published by osv.dev, and
``.jsonl`` / ``.jsonl.gz`` with one record per line. Every record is validated against the OSV
schema (``validate=False`` skips it); violations are reported per record with the JSON pointer
of the offending value, and the record is skipped.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any, ClassVar

import orjson

from medvigil.core._json import json_error
from medvigil.core.errors import FeedParseError
from medvigil.core.feeds._io import (
    FieldError,
    JsonObj,
    canonical_json,
    iter_json_units,
    strings,
    timestamp_at,
    unique,
)
from medvigil.core.feeds._purl import coordinates, coordinates_from_purl
from medvigil.core.feeds.interface import FeedItem, FeedParser, ParsedRecord, RecordError
from medvigil.core.feeds.validation import osv_fast_check, osv_validator, violations
from medvigil.core.model.advisory import (
    SOURCE_OSV,
    AdvisoryRecord,
    AffectedPackage,
    AffectedRange,
    RangeEvent,
    Reference,
    Severity,
)

_CVSS_VERSIONS = {"CVSS:3.0": "3.0", "CVSS:3.1": "3.1", "CVSS:4.0": "4.0"}


class OsvFeed(FeedParser):
    """OSV records in any of the published packagings."""

    source_id: ClassVar[str] = SOURCE_OSV
    label: ClassVar[str] = "OSV (osv.dev, PyPA, Go vulndb, GHSA)"

    def __init__(self, *, validate: bool = True) -> None:
        """``validate`` checks every record against the OSV schema (about 1 ms per record)."""
        self.validate = validate

    def sniff(self, name: str, head: bytes) -> bool:
        """OSV records have an ``id`` plus ``modified`` or ``affected`` (checked last in the registry)."""
        return b'"id"' in head and (b'"modified"' in head or b'"affected"' in head)

    def parse(self, path: Path, *, source: str | None = None) -> Iterator[FeedItem]:
        """Stream the OSV records of a file, folder, ``.zip`` or ``.jsonl(.gz)``."""
        src = source or str(path)
        for location, data, is_line in iter_json_units(path, src):
            yield from self._parse_unit(data, src, location, is_line)

    def _parse_unit(self, data: bytes, src: str, location: str, is_line: bool) -> Iterator[FeedItem]:
        try:
            doc = orjson.loads(data)
        except orjson.JSONDecodeError as exc:
            reason, where = json_error(data, exc)
            if not location:
                raise FeedParseError(f"not valid JSON: {reason}", source=src, location=where) from exc
            yield RecordError(f"not valid JSON: {reason} at {where}", src, location)
            return
        if not location and not _is_osv_shaped(doc):
            raise FeedParseError("not an OSV record, array of records or {'vulns': [...]}", source=src)
        if not is_line and isinstance(doc, list | dict) and _is_collection(doc):
            items = doc["vulns"] if isinstance(doc, dict) else doc
            for index, item in enumerate(items):
                where = f"{location}#{index}" if location else f"item {index}"
                yield self.parse_record(item, orjson.dumps(item), src, where)
        else:
            yield self.parse_record(doc, data, src, location or "file")

    def parse_record(self, doc: Any, raw: bytes, src: str, location: str) -> FeedItem:
        """Validate and map one decoded OSV record."""
        if not isinstance(doc, dict) or not isinstance(doc.get("id"), str):
            return RecordError("not an OSV record (no string 'id')", src, location)
        if self.validate and not osv_fast_check()(doc):
            found = violations(osv_validator(), doc, limit=1)
            if found:
                v = found[0]
                return RecordError(f"OSV schema: {v.message}", src, location, v.pointer, doc["id"])
        try:
            return ParsedRecord(osv_record(doc), raw, location)
        except (FieldError, TypeError, AttributeError, KeyError) as exc:
            pointer = exc.pointer if isinstance(exc, FieldError) else ""
            return RecordError(f"cannot map record: {exc}", src, location, pointer, doc["id"])


def _is_osv_shaped(doc: Any) -> bool:
    if isinstance(doc, list):
        return True
    return isinstance(doc, dict) and (isinstance(doc.get("id"), str) or isinstance(doc.get("vulns"), list))


def _is_collection(doc: list[Any] | dict[str, Any]) -> bool:
    if isinstance(doc, list):
        return True
    return "id" not in doc and isinstance(doc.get("vulns"), list)


def osv_record(doc: JsonObj) -> AdvisoryRecord:
    """Map one decoded OSV record (assumed schema-valid) to an :class:`AdvisoryRecord`."""
    cwes = strings((doc.get("database_specific") or {}).get("cwe_ids"))
    return AdvisoryRecord(
        source=SOURCE_OSV,
        id=doc["id"],
        modified=timestamp_at(doc, "modified", ""),
        published=timestamp_at(doc, "published", ""),
        withdrawn=timestamp_at(doc, "withdrawn", ""),
        aliases=unique(strings(doc.get("aliases"))),
        related=unique(strings(doc.get("related"))),
        summary=doc.get("summary"),
        details=doc.get("details"),
        cwes=cwes,
        references=tuple(
            Reference(url=r["url"], type=r.get("type")) for r in doc.get("references") or () if r.get("url")
        ),
        severities=tuple(osv_severity(s) for s in doc.get("severity") or ()),
        affected=tuple(_affected(a) for a in doc.get("affected") or ()),
        database_specific_json=canonical_json(doc.get("database_specific")),
    )


def osv_severity(entry: JsonObj, source: str | None = None) -> Severity:
    """Map an OSV ``severity`` entry; the CVSS version comes from the vector prefix."""
    stype = entry.get("type", "")
    score = entry.get("score")
    if not stype.startswith("CVSS"):
        return Severity(type=stype, vector=None, rating=score, source=source)
    version = "2.0" if stype == "CVSS_V2" else _CVSS_VERSIONS.get(str(score).split("/", 1)[0])
    return Severity(type=stype, vector=score, version=version, source=source)


def _affected(entry: JsonObj) -> AffectedPackage:
    package = entry.get("package") or {}
    ecosystem = package.get("ecosystem")
    name = package.get("name", "")
    coords = coordinates(ecosystem, name) if ecosystem and name else None
    if coords is None and package.get("purl"):
        coords = coordinates_from_purl(package["purl"])
    return AffectedPackage(
        ecosystem=ecosystem,
        name=name,
        purl=coords.purl if coords else None,
        purl_type=coords.type if coords else None,
        purl_namespace=coords.namespace if coords else None,
        purl_name=coords.name if coords else None,
        ranges=tuple(_range(r) for r in entry.get("ranges") or ()),
        versions=strings(entry.get("versions")),
        ecosystem_specific_json=canonical_json(entry.get("ecosystem_specific")),
        database_specific_json=canonical_json(entry.get("database_specific")),
    )


def _range(entry: JsonObj) -> AffectedRange:
    events = tuple(
        RangeEvent(kind, value) for event in entry.get("events") or () for kind, value in event.items()
    )
    return AffectedRange(
        type=entry.get("type", ""),
        events=events,
        repo=entry.get("repo"),
        database_specific_json=canonical_json(entry.get("database_specific")),
    )
