"""CSAF 2.0 documents (security advisories, VEX, informational advisories).

Inputs: one document (``.json`` / ``.json.gz``) or a folder of documents (a provider's
``<year>/`` tree; ``.asc``/``.sha512`` files are ignored). Each document is validated against
the CSAF 2.0 JSON schema (with the FIRST CVSS schemas, see :mod:`.validation`); a document that
violates it yields :class:`RecordError` values (JSON pointer + message) and no records;
violations inside a ``cvss_v2``/``cvss_v3`` object are labelled ``CSAF 6.1.8`` (invalid CVSS).
A schema-valid document then goes through every mandatory test of CSAF section 6.1
(:func:`medvigil.core.csaf.validate.validate_csaf`); each violation becomes a
:class:`RecordError` (``CSAF 6.1.x: ...``, field = JSON pointer, record id = tracking id) and the
document yields no records. With ``validate=False`` only 6.1.1 and 6.1.2 (product ids referred
to but undefined, or defined twice) run: the mapping relies on them.

Records: one :class:`AdvisoryRecord` per vulnerability (see its docstring for ids and aliases);
a document without vulnerabilities yields one record carrying the document facts. All records
of a document share its raw bytes and its :class:`CsafDocumentInfo`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any, ClassVar

import orjson

from medvigil.core.csaf.validate import MANDATORY_TESTS, validate_csaf
from medvigil.core.errors import FeedParseError
from medvigil.core.feeds._io import (
    FieldError,
    JsonObj,
    iter_json_units,
    timestamp_at,
    unique,
)
from medvigil.core.feeds.csaf_tree import ProductTree, product_tree
from medvigil.core.feeds.interface import FeedItem, FeedParser, ParsedRecord, RecordError
from medvigil.core.feeds.validation import csaf_validator, violations
from medvigil.core.model.advisory import (
    CSAF_STATUSES,
    SOURCE_CSAF,
    AdvisoryRecord,
    CsafDocumentInfo,
    CsafProductStatus,
    Note,
    ProductAction,
    Reference,
    Revision,
    Severity,
)

GLOBAL_ID = re.compile(r"^(CVE|GHSA|PYSEC|GO|RUSTSEC|OSV)-", re.IGNORECASE)
"""Vulnerability ``ids`` that name the vulnerability globally and so become aliases."""


class CsafFeed(FeedParser):
    """CSAF 2.0 documents."""

    source_id: ClassVar[str] = SOURCE_CSAF
    label: ClassVar[str] = "CSAF 2.0 advisories and VEX"

    def __init__(self, *, validate: bool = True) -> None:
        """``validate`` checks each document against the CSAF 2.0 schema (about 10 ms per document)."""
        self.validate = validate

    def sniff(self, name: str, head: bytes) -> bool:
        """CSAF documents state ``csaf_version``."""
        return b'"csaf_version"' in head

    def parse(self, path: Path, *, source: str | None = None) -> Iterator[FeedItem]:
        """Stream the records of one document or of every document in a folder."""
        src = source or str(path)
        for location, data, _is_line in iter_json_units(path, src):
            yield from self.parse_document(data, src, location or "file", whole_input=not location)

    def parse_document(
        self, data: bytes, src: str, location: str, *, whole_input: bool = False
    ) -> Iterator[FeedItem]:
        """Validate one document and yield its records (or its errors)."""
        try:
            doc = orjson.loads(data)
        except orjson.JSONDecodeError as exc:
            if whole_input:
                raise FeedParseError(f"not valid JSON: {exc}", source=src) from exc
            yield RecordError(f"not valid JSON: {exc}", src, location)
            return
        if not isinstance(doc, dict) or not isinstance(doc.get("document"), dict):
            if whole_input:
                raise FeedParseError("not a CSAF document (no 'document' object)", source=src)
            yield RecordError("not a CSAF document (no 'document' object)", src, location)
            return
        doc_id = str((doc["document"].get("tracking") or {}).get("id", ""))
        errors = self._problems(doc, src, location, doc_id)
        if errors:
            yield from errors
            return
        try:
            records = csaf_records(doc)
        except (FieldError, TypeError, AttributeError, KeyError, ValueError) as exc:
            pointer = exc.pointer if isinstance(exc, FieldError) else ""
            yield RecordError(f"cannot map document: {exc!r}", src, location, pointer, doc_id)
            return
        for record in records:
            yield ParsedRecord(record, data, location)

    def _problems(self, doc: JsonObj, src: str, location: str, doc_id: str) -> list[RecordError]:
        if self.validate:
            found = violations(csaf_validator(), doc)
            if found:
                return [
                    RecordError(f"{_schema_label(v.pointer)}: {v.message}", src, location, v.pointer, doc_id)
                    for v in found
                ]
        tests = AFTER_SCHEMA if self.validate else PRODUCT_ID_TESTS
        return [
            RecordError(f"CSAF {v.test_id}: {v.message}", src, location, v.pointer, doc_id)
            for v in validate_csaf(doc, tests)
        ]


_CVSS_OBJECT = re.compile(r"^/vulnerabilities/\d+/scores/\d+/cvss_v[23](/|$)")


def _schema_label(pointer: str) -> str:
    """Schema violations inside a CVSS object are mandatory test 6.1.8 (invalid CVSS)."""
    return "CSAF 6.1.8" if _CVSS_OBJECT.match(pointer) else "CSAF schema"


PRODUCT_ID_TESTS = ("6.1.1", "6.1.2")
"""Mandatory tests run even without validation: :func:`csaf_records` needs defined, unique ids."""
AFTER_SCHEMA = tuple(test_id for test_id in MANDATORY_TESTS if test_id != "6.1.8")
"""Mandatory tests run after the schema passed; it already checked the CVSS objects (6.1.8)."""


def csaf_records(doc: JsonObj) -> list[AdvisoryRecord]:
    """Map a schema-valid CSAF document to its records (one per vulnerability, at least one)."""
    info = document_info(doc["document"])
    tree = product_tree(doc.get("product_tree"))
    doc_refs = _references(doc["document"].get("references"))
    vulns = doc.get("vulnerabilities") or []
    if not vulns:
        return [
            AdvisoryRecord(
                source=SOURCE_CSAF,
                id=info.tracking_id,
                modified=info.current_release_date,
                published=info.initial_release_date,
                state=info.status,
                summary=info.title,
                references=doc_refs,
                document=info,
            )
        ]
    return [_vulnerability(v, index, info, tree, doc_refs) for index, v in enumerate(vulns)]


def document_info(document: JsonObj) -> CsafDocumentInfo:
    """Map the ``document`` object (tracking, revision history, publisher, notes)."""
    tracking = document.get("tracking") or {}
    publisher = document.get("publisher") or {}
    revisions = tuple(
        Revision(
            number=str(r.get("number", "")),
            date=timestamp_at(r, "date", f"/document/tracking/revision_history/{i}"),
            summary=str(r.get("summary", "")),
            legacy_version=r.get("legacy_version"),
        )
        for i, r in enumerate(tracking.get("revision_history") or ())
    )
    return CsafDocumentInfo(
        tracking_id=str(tracking.get("id", "")),
        title=str(document.get("title", "")),
        category=str(document.get("category", "")),
        publisher=str(publisher.get("name", "")),
        publisher_namespace=str(publisher.get("namespace", "")),
        version=str(tracking.get("version", "")),
        status=str(tracking.get("status", "")),
        initial_release_date=timestamp_at(tracking, "initial_release_date", "/document/tracking"),
        current_release_date=timestamp_at(tracking, "current_release_date", "/document/tracking"),
        revisions=revisions,
        tlp=((document.get("distribution") or {}).get("tlp") or {}).get("label"),
        notes=_notes(document.get("notes")),
    )


def _vulnerability(
    vuln: JsonObj, index: int, info: CsafDocumentInfo, tree: ProductTree, doc_refs: tuple[Reference, ...]
) -> AdvisoryRecord:
    cve = vuln.get("cve")
    ids = [(str(i.get("system_name", "")), str(i.get("text", ""))) for i in vuln.get("ids") or ()]
    aliases = unique([*([cve] if cve else []), *(text for _, text in ids if GLOBAL_ID.match(text))])
    local_ids = [f"{system}:{text}" for system, text in ids if not GLOBAL_ID.match(text)]
    key = cve or (ids[0][1] if ids else str(index))
    notes = _notes(vuln.get("notes"))
    cwe = (vuln.get("cwe") or {}).get("id")
    pointer = f"/vulnerabilities/{index}"
    return AdvisoryRecord(
        source=SOURCE_CSAF,
        id=f"{info.tracking_id}/{key}",
        modified=info.current_release_date,
        published=timestamp_at(vuln, "release_date", pointer) or info.initial_release_date,
        state=info.status,
        aliases=aliases,
        related=unique([info.tracking_id, *local_ids]),
        summary=vuln.get("title") or info.title,
        details=_details(notes),
        cwes=(cwe,) if cwe else (),
        references=unique_refs((*_references(vuln.get("references")), *doc_refs)),
        severities=_scores(vuln.get("scores"), info.publisher),
        csaf_products=_statuses(vuln.get("product_status") or {}, tree),
        notes=notes,
        actions=_actions(vuln, tree, pointer),
        document=info,
    )


def _notes(notes: Any) -> tuple[Note, ...]:
    return tuple(
        Note(category=str(n.get("category", "")), text=str(n.get("text", "")), title=n.get("title"))
        for n in notes or ()
    )


def _details(notes: tuple[Note, ...]) -> str | None:
    for wanted in ("description", "summary"):
        for note in notes:
            if note.category == wanted:
                return note.text
    return None


def _references(refs: Any) -> tuple[Reference, ...]:
    return tuple(
        Reference(url=r["url"], type=r.get("category"), summary=r.get("summary"))
        for r in refs or ()
        if r.get("url")
    )


def unique_refs(refs: tuple[Reference, ...]) -> tuple[Reference, ...]:
    """De-duplicate references by URL, keeping the first."""
    seen: dict[str, Reference] = {}
    for ref in refs:
        seen.setdefault(ref.url, ref)
    return tuple(seen.values())


def _scores(scores: Any, publisher: str) -> tuple[Severity, ...]:
    found = []
    for score in scores or ():
        products = tuple(score.get("products") or ())
        for key, stype in (("cvss_v3", "CVSS_V3"), ("cvss_v2", "CVSS_V2")):
            data = score.get(key)
            if data:
                found.append(
                    Severity(
                        type=stype,
                        vector=data.get("vectorString"),
                        base_score=data.get("baseScore"),
                        version=data.get("version"),
                        rating=data.get("baseSeverity"),
                        source=publisher,
                        product_ids=products,
                    )
                )
    return tuple(found)


def _statuses(status: JsonObj, tree: ProductTree) -> tuple[CsafProductStatus, ...]:
    return tuple(
        CsafProductStatus(product_id=pid, status=category, product=tree.products[pid])
        for category in CSAF_STATUSES
        for pid in dict.fromkeys(status.get(category) or ())
    )


def _actions(vuln: JsonObj, tree: ProductTree, pointer: str) -> tuple[ProductAction, ...]:
    found = []
    for kind, key, label in (("remediation", "remediations", "category"), ("threat", "threats", "category")):
        for i, item in enumerate(vuln.get(key) or ()):
            found.append(
                ProductAction(
                    kind=kind,
                    category=str(item.get(label, "")),
                    details=item.get("details"),
                    product_ids=tree.expand(item.get("product_ids"), item.get("group_ids")),
                    url=item.get("url"),
                    date=timestamp_at(item, "date", f"{pointer}/{key}/{i}"),
                )
            )
    for i, flag in enumerate(vuln.get("flags") or ()):
        found.append(
            ProductAction(
                kind="flag",
                category=str(flag.get("label", "")),
                product_ids=tree.expand(flag.get("product_ids"), flag.get("group_ids")),
                date=timestamp_at(flag, "date", f"{pointer}/flags/{i}"),
            )
        )
    return tuple(found)
