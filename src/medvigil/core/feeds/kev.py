"""CISA Known Exploited Vulnerabilities catalog, JSON or CSV form.

The JSON catalog (``known_exploited_vulnerabilities.json``) yields one :class:`KevEntry` per
``vulnerabilities`` item with the catalog version; the CSV form has the same columns and no
version. Dates are ``YYYY-MM-DD``; a bad date or a missing ``cveID`` makes that entry a
:class:`RecordError`. A document whose ``vulnerabilities`` have no ``cveID`` at all (an NVD API
page, say) is not a catalog: :class:`FeedParseError`.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any, ClassVar

import orjson

from medvigil.core.errors import FeedParseError
from medvigil.core.feeds._io import JsonObj, loads_document, parse_date, read_bytes
from medvigil.core.feeds.interface import FeedItem, FeedParser, ParsedRecord, RecordError
from medvigil.core.model.advisory import SOURCE_KEV, KevEntry

CSV_HEADER_START = b"cveID,vendorProject"
_ARRAY = re.compile(rb'"vulnerabilities"\s*:\s*\[')


class KevFeed(FeedParser):
    """CISA KEV catalog."""

    source_id: ClassVar[str] = SOURCE_KEV
    label: ClassVar[str] = "CISA Known Exploited Vulnerabilities"

    def sniff(self, name: str, head: bytes) -> bool:
        """JSON: ``catalogVersion`` + a ``vulnerabilities`` array; CSV: a ``cveID,vendorProject`` header."""
        stripped = head.lstrip(b"\xef\xbb\xbf")
        is_catalog = b'"catalogVersion"' in head and _ARRAY.search(head) is not None
        return is_catalog or stripped.startswith(CSV_HEADER_START)

    def parse(self, path: Path, *, source: str | None = None) -> Iterator[FeedItem]:
        """Stream the catalog entries."""
        src = source or str(path)
        data = read_bytes(path, src)
        if data.lstrip(b"\xef\xbb\xbf").startswith(CSV_HEADER_START):
            yield from _parse_csv(data, src)
            return
        doc = loads_document(data, src)
        if not isinstance(doc, dict) or not isinstance(doc.get("vulnerabilities"), list):
            raise FeedParseError("not a KEV catalog (no 'vulnerabilities' array)", source=src)
        if doc["vulnerabilities"] and not any(
            isinstance(item, dict) and "cveID" in item for item in doc["vulnerabilities"]
        ):
            raise FeedParseError("not a KEV catalog (no entry has a 'cveID')", source=src)
        version = doc.get("catalogVersion")
        for index, item in enumerate(doc["vulnerabilities"]):
            where = f"/vulnerabilities/{index}"
            yield _entry(item, src, where, orjson.dumps(item), version)


def _parse_csv(data: bytes, src: str) -> Iterator[FeedItem]:
    reader = csv.DictReader(io.StringIO(data.decode("utf-8-sig")))
    start = 2
    for row in reader:
        row_obj: JsonObj = dict(row)
        row_obj["cwes"] = [c.strip() for c in (row.get("cwes") or "").split(",") if c.strip()]
        yield _entry(row_obj, src, f"line {start}", orjson.dumps(row), None)
        start = reader.line_num + 1


def _entry(item: Any, src: str, where: str, raw: bytes, version: str | None) -> FeedItem:
    if not isinstance(item, dict) or not isinstance(item.get("cveID"), str) or not item["cveID"]:
        return RecordError("entry has no cveID", src, where, "cveID")
    try:
        added = parse_date(item.get("dateAdded"))
    except ValueError:
        added = None
    if added is None:
        return RecordError(f"bad dateAdded {item.get('dateAdded')!r}", src, where, "dateAdded", item["cveID"])
    try:
        due = parse_date(item.get("dueDate"))
    except ValueError:
        return RecordError(f"bad dueDate {item.get('dueDate')!r}", src, where, "dueDate", item["cveID"])
    entry = KevEntry(
        cve_id=item["cveID"],
        vendor=str(item.get("vendorProject", "")),
        product=str(item.get("product", "")),
        name=str(item.get("vulnerabilityName", "")),
        date_added=added,
        due_date=due,
        known_ransomware=str(item.get("knownRansomwareCampaignUse", "")),
        required_action=str(item.get("requiredAction", "")),
        short_description=str(item.get("shortDescription", "")),
        notes=str(item.get("notes", "")),
        cwes=tuple(c for c in item.get("cwes") or () if isinstance(c, str)),
        catalog_version=version,
    )
    return ParsedRecord(entry, raw, where)
