"""What ``medvigil sbom check`` checks, per format, in time linear in the document.

* CycloneDX JSON 1.2-1.7 and SPDX 2.2/2.3 JSON: their JSON schema, compiled by jsonschema-rs
  (python-jsonschema's ``uniqueItems`` compares every pair: 36 s at 8,000 components). A
  ``uniqueItems`` failure is re-located by hashing the array's items, so the message names the
  duplicate element (``/components/7999: equal to /components/3``), not the whole array.
* CycloneDX XML 1.0-1.7: the CycloneDX XSD through lxml (libxml2), parsed with no entities, no
  DTD and no network (the reader has already refused DTDs with defusedxml); errors carry the
  line and an XPath of local names.
* SPDX 2 tag-value, YAML, XML and RDF/XML: spdx-tools parses the document (its parse errors are
  the result), the model is converted to the JSON form and checked against the SPDX 2.3 JSON
  schema; spdx-tools' own semantic validation is added for documents of at most
  :data:`SPDX_TOOLS_MAX_ELEMENTS` packages and files (it is quadratic: 15 s at 2,000 packages).
* Every SPDX 2 document: SPDXIDs unique, relationships only between declared elements (linear).
* SPDX 3 JSON-LD (no schema is bundled): elements are objects with a type, spdxIds are unique and
  relationships name declared elements or external IRIs.
* Lockfiles have no schema: the result says the file was parsed, with its package count.

Schemas ship in ``schemas/`` (see the README there), cross-references resolve locally, never
through the network.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from typing import Any

import orjson

from medvigil.core._gc import paused_gc
from medvigil.core.errors import SbomError, UnsupportedFormatError
from medvigil.core.model import ParsedSbom
from medvigil.core.sbom._common import load_json
from medvigil.core.sbom.limits import SbomLimits
from medvigil.core.sbom.lockfiles import LOCKFILE_READERS
from medvigil.core.sbom.registry import gunzip_capped, read_sbom
from medvigil.core.unique import first_duplicate

_CYCLONEDX = {"1.2", "1.3", "1.4", "1.5", "1.6", "1.7"}
_CYCLONEDX_XML = {"1.0", "1.1", "1.2", "1.3", "1.4", "1.5", "1.6", "1.7"}
_SPDX = dict.fromkeys(("SPDX-2.0", "SPDX-2.1", "SPDX-2.2", "SPDX-2.3"), "spdx-2.3")
_SPDX_TOOLS_FORMATS = {"spdx-tag-value", "spdx-yaml", "spdx-xml", "spdx-rdf"}
MAX_MESSAGES = 200
"""At most this many problems are listed (the last line says how many more)."""
SPDX_TOOLS_MAX_ELEMENTS = 500
"""spdx-tools' semantic validation runs on SPDX documents of at most this many packages + files."""
_REF_SPECIALS = frozenset({"NONE", "NOASSERTION"})


@dataclass(frozen=True, slots=True)
class CheckResult:
    """The outcome of checking one document."""

    checked_with: str
    """What the document was checked against (``JSON schema bom-1.5.schema.json``...)."""
    problems: tuple[str, ...]
    """Located problems (``/json/pointer: message``, ``line N: ...``); empty means valid."""
    notes: tuple[str, ...] = ()
    """What was not or only partly checked, and why."""

    @property
    def valid(self) -> bool:
        """True when no problem was found."""
        return not self.problems


def _schema_bytes(name: str) -> bytes:
    return files("medvigil.core.sbom").joinpath("schemas", name).read_bytes()


def _load(name: str) -> dict[str, Any]:
    result: dict[str, Any] = orjson.loads(_schema_bytes(name))
    return result


@cache
def _registry() -> Any:
    import jsonschema_rs

    base = "http://cyclonedx.org/schema/"
    spdx, jsf = _load("spdx.schema.json"), _load("jsf-0.82.schema.json")
    crypto = _load("cryptography-defs.schema.json")
    return jsonschema_rs.Registry(
        [
            (base + "spdx.schema.json", spdx),
            (base + "spdx.SNAPSHOT.schema.json", spdx),
            (base + "jsf-0.82.schema.json", jsf),
            (base + "jsf-0.82.SNAPSHOT.schema.json", jsf),
            (base + "cryptography-defs.schema.json", crypto),
            (base + "cryptography-defs.SNAPSHOT.schema.json", crypto),
        ]
    )


@cache
def _validator(schema_file: str) -> Any:
    import jsonschema_rs

    # formats (iri-reference, date-time) are annotations in draft 7 and were never asserted here
    return jsonschema_rs.validator_for(_load(schema_file), registry=_registry(), validate_formats=False)


def _schema_file(format: str, spec_version: str, source: str) -> str:
    if format == "cyclonedx-json" and spec_version in _CYCLONEDX:
        return f"bom-{spec_version}.schema.json"
    if format in ("spdx-json", *_SPDX_TOOLS_FORMATS) and spec_version in _SPDX:
        return f"{_SPDX[spec_version]}.schema.json"
    raise UnsupportedFormatError(
        f"no schema for {format} {spec_version!r}; JSON schemas cover cyclonedx-json 1.2-1.7 "
        "and SPDX-2.2/SPDX-2.3",
        source=source,
    )


def _any(value: object) -> Any:
    """View an object of an untyped library (spdx-tools) as Any."""
    return value


def _pointer(path: Iterable[object]) -> str:
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in path)


def _short(message: str) -> str:
    return message if len(message) <= 300 else message[:297] + "..."


def _schema_errors(document: Any, schema_file: str) -> Iterator[tuple[str, str]]:
    """(pointer, message) of each violation; ``uniqueItems`` failures point at the duplicate."""
    import jsonschema_rs

    for error in _validator(schema_file).iter_errors(document):
        path = list(error.instance_path)
        if isinstance(error.kind, jsonschema_rs.ValidationErrorKind.UniqueItems):
            found = first_duplicate(error.instance) if isinstance(error.instance, list) else None
            if found is not None:
                first, later = found
                yield _pointer([*path, later]), f"equal to {_pointer([*path, first])}; items must be unique"
                continue
        yield _pointer(path) or "/", _short(error.message)


def _limited(problems: list[str]) -> tuple[str, ...]:
    if len(problems) <= MAX_MESSAGES:
        return tuple(problems)
    return (*problems[:MAX_MESSAGES], f"... and {len(problems) - MAX_MESSAGES} more problems")


def _json_schema_problems(document: Any, schema_file: str) -> list[str]:
    with paused_gc():  # the errors' instances are converted to Python objects: keep the GC off them
        found = sorted(_schema_errors(document, schema_file), key=lambda e: e[0])
    return [f"{pointer}: {message}" for pointer, message in found]


def validate_schema(data: bytes, *, source: str, format: str, spec_version: str) -> list[str]:
    """Return the JSON-schema violations of a JSON document, each as ``/json/pointer: message``.

    ``format`` and ``spec_version`` come from the reader (``ParsedSbom.format``/``spec_version``).
    An empty list means valid; at most 200 messages (the last says how many more). Raises
    :class:`UnsupportedFormatError` for formats or versions without a bundled JSON schema.
    """
    schema_file = _schema_file(format, spec_version, source)
    messages = list(_limited(_json_schema_problems(load_json(data, source=source), schema_file)))
    if spec_version == "SPDX-2.2" and messages:
        messages.insert(0, "note: SPDX-2.2 is checked against the SPDX 2.3 schema")
    return messages


# --- CycloneDX XML -------------------------------------------------------------------------------


def _xml_parser() -> Any:
    from lxml import etree  # type: ignore[import-untyped,unused-ignore]

    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, dtd_validation=False)


@cache
def _xsd(version: str) -> Any:
    from lxml import etree  # type: ignore[import-untyped,unused-ignore]

    path = files("medvigil.core.sbom").joinpath("schemas", f"bom-{version}.xsd")
    tree = etree.parse(str(path), _xml_parser())
    return etree.XMLSchema(tree)


def _local_path(element: Any) -> str:
    parts = []
    while element is not None:
        name = str(element.tag).rpartition("}")[2]
        parent = element.getparent()
        if parent is not None:
            same = [c for c in parent if c.tag == element.tag]
            name += f"[{same.index(element) + 1}]" if len(same) > 1 else ""
        parts.append(name)
        element = parent
    return "/" + "/".join(reversed(parts))


def _cyclonedx_xml(data: bytes, parsed: ParsedSbom, source: str) -> CheckResult:
    from lxml import etree  # type: ignore[import-untyped,unused-ignore]

    version = parsed.spec_version
    if version not in _CYCLONEDX_XML:
        raise UnsupportedFormatError(
            f"no XSD for CycloneDX XML {version!r}; 1.0-1.7 are bundled", source=source
        )
    try:
        root = etree.fromstring(data, _xml_parser())
    except etree.XMLSyntaxError as exc:  # the reader parsed it: only a libxml2-only refusal lands here
        raise SbomError(f"not well-formed XML ({exc.msg})", source=source) from None
    schema = _xsd(version)
    schema.validate(root)
    tree = root.getroottree()
    problems: list[str] = []
    for entry in list(schema.error_log)[: MAX_MESSAGES + 1]:
        found = tree.xpath(entry.path) if entry.path else []
        where = _local_path(found[0]) if found and len(problems) < MAX_MESSAGES else entry.path
        message = entry.message.replace("{http://cyclonedx.org/schema/bom/" + version + "}", "")
        problems.append(f"line {entry.line}: {where}: {_short(message)}")
    if len(problems) > MAX_MESSAGES:
        problems[MAX_MESSAGES:] = [f"... and more problems (the first {MAX_MESSAGES} are listed)"]
    return CheckResult(f"XSD bom-{version}.xsd", tuple(problems))


# --- SPDX 2 --------------------------------------------------------------------------------------


def _spdx_tools_document(data: bytes, parsed: ParsedSbom, source: str) -> tuple[Any, list[str]]:
    """Parse with spdx-tools: (model, []) or (None, its parse errors)."""
    from spdx_tools.spdx.parser.error import SPDXParsingError
    from spdx_tools.spdx.parser.jsonlikedict.json_like_dict_parser import JsonLikeDictParser

    try:
        if parsed.format == "spdx-tag-value":
            from ply import yacc  # type: ignore[import-untyped,unused-ignore]
            from spdx_tools.spdx.parser.tagvalue.parser import Parser

            # no parsetab.py/parser.out written next to the library, no table-generation chatter
            tv = _any(Parser)(write_tables=False, debug=False, errorlog=yacc.NullLogger())
            return tv.parse(data.decode("utf-8-sig")), []
        if parsed.format == "spdx-yaml":
            from medvigil.core.sbom._yaml import load_yaml

            return _any(JsonLikeDictParser)().parse(load_yaml(data, source=source)), []
        if parsed.format == "spdx-xml":
            import xmltodict  # type: ignore[import-untyped,unused-ignore]
            from spdx_tools.spdx.parser.xml.xml_parser import _fix_list_like_fields

            doc = _fix_list_like_fields(xmltodict.parse(data, encoding="utf-8")).get("Document")
            return _any(JsonLikeDictParser)().parse(doc), []
        from rdflib import Graph
        from spdx_tools.spdx.parser.rdf.rdf_parser import translate_graph_to_document

        return translate_graph_to_document(Graph().parse(data=data, format="xml")), []
    except SPDXParsingError as exc:
        return None, [f"spdx-tools: {m}" for m in _any(exc).get_messages()]


def _spdx_ids(doc: dict[str, Any], problems: list[str]) -> dict[str, str]:
    """SPDXID -> pointer of every element; a repeated SPDXID is a problem."""
    declared: dict[str, str] = {}
    if isinstance(doc.get("SPDXID"), str):
        declared[doc["SPDXID"]] = "/SPDXID"
    for key in ("packages", "files", "snippets"):
        for i, element in enumerate(doc.get(key) or []):
            ref = element.get("SPDXID") if isinstance(element, dict) else None
            if not isinstance(ref, str):
                continue
            where = f"/{key}/{i}/SPDXID"
            if ref in declared:
                problems.append(f"{where}: SPDXID {ref!r} is already used at {declared[ref]}")
            else:
                declared[ref] = where
    return declared


def _spdx_references(doc: dict[str, Any]) -> list[str]:
    """Duplicate SPDXIDs and relationships naming undeclared elements (linear)."""
    problems: list[str] = []
    declared = _spdx_ids(doc, problems)
    for i, rel in enumerate(doc.get("relationships") or []):
        for field in ("spdxElementId", "relatedSpdxElement"):
            ref = rel.get(field) if isinstance(rel, dict) else None
            known = not isinstance(ref, str) or ref in declared or ref in _REF_SPECIALS
            if not known and not str(ref).startswith("DocumentRef-"):
                problems.append(f"/relationships/{i}/{field}: {ref!r} is not an element of this document")
    return problems


def _spdx_tools_validation(model: Any) -> tuple[list[str], list[str]]:
    """spdx-tools' semantic validation when the document is small enough, else a note."""
    size = len(model.packages) + len(model.files)
    if size > SPDX_TOOLS_MAX_ELEMENTS:
        return [], [
            f"spdx-tools' semantic validation skipped: {size:,} packages and files, more than "
            f"{SPDX_TOOLS_MAX_ELEMENTS} (its checks are quadratic); schema and references were checked"
        ]
    from spdx_tools.spdx.validation.document_validator import validate_full_spdx_document

    problems = []
    for message in validate_full_spdx_document(model):
        context = message.context
        where = context.spdx_id or (context.element_type.name if context.element_type else "document")
        problems.append(f"spdx-tools: {where}: {message.validation_message}")
    return problems, []


def _spdx2(data: bytes, parsed: ParsedSbom, source: str) -> CheckResult:
    schema_file = _schema_file(parsed.format, parsed.spec_version, source)
    notes = ["SPDX-2.2 is checked against the SPDX 2.3 schema"] if parsed.spec_version == "SPDX-2.2" else []
    if parsed.format == "spdx-json":
        doc = load_json(data, source=source)
        problems = _json_schema_problems(doc, schema_file) + _spdx_references(doc)
        if len(problems) < MAX_MESSAGES and len(doc.get("packages") or []) <= SPDX_TOOLS_MAX_ELEMENTS:
            from spdx_tools.spdx.parser.error import SPDXParsingError
            from spdx_tools.spdx.parser.jsonlikedict.json_like_dict_parser import JsonLikeDictParser

            try:
                extra, more_notes = _spdx_tools_validation(_any(JsonLikeDictParser)().parse(doc))
            except SPDXParsingError as exc:
                extra, more_notes = [f"spdx-tools: {m}" for m in _any(exc).get_messages()], []
            problems += extra
            notes += more_notes
        return CheckResult(f"JSON schema {schema_file} and SPDX references", _limited(problems), tuple(notes))
    model, problems = _spdx_tools_document(data, parsed, source)
    checked = f"spdx-tools {parsed.format} parser, JSON schema {schema_file} (on the JSON form)"
    if model is None:
        return CheckResult(checked, _limited(problems), tuple(notes))
    from spdx_tools.spdx.jsonschema.document_converter import DocumentConverter

    shape: dict[str, Any] = _any(DocumentConverter)().convert(model)
    for package in shape.get("packages") or []:  # the converter writes enum names: PACKAGE_MANAGER
        for ref in package.get("externalRefs") or []:
            ref["referenceCategory"] = str(ref.get("referenceCategory", "")).replace("_", "-")
    problems = _json_schema_problems(shape, schema_file) + _spdx_references(shape)
    extra, more_notes = _spdx_tools_validation(model)
    return CheckResult(checked, _limited(problems + extra), tuple(notes + more_notes))


# --- SPDX 3 --------------------------------------------------------------------------------------


def _spdx3_relationships(elements: list[Any], declared: dict[str, int]) -> list[str]:
    """Relationship ends that are neither declared elements nor external IRIs."""
    problems = []
    for i, element in enumerate(elements):
        if not isinstance(element, dict) or not str(element.get("type", "")).endswith("Relationship"):
            continue
        targets = element.get("to")
        ends = [("from", element.get("from"))]
        ends += [("to", t) for t in (targets if isinstance(targets, list) else [targets])]
        for field, value in ends:
            if value is None or (isinstance(value, str) and value in declared):
                continue
            problems.append(
                f"/@graph/{i}/{field}: {value!r} is neither an element of this document nor imported"
            )
    return problems


def _spdx3(data: bytes, source: str) -> CheckResult:
    doc = load_json(data, source=source)
    graph = doc.get("@graph") if isinstance(doc, dict) else None
    problems: list[str] = []
    declared: dict[str, int] = {}
    elements = graph if isinstance(graph, list) else []
    for i, element in enumerate(elements):
        if not isinstance(element, dict):
            problems.append(f"/@graph/{i}: an element must be an object")
            continue
        if not (element.get("type") or element.get("@type")):
            problems.append(f"/@graph/{i}: element has no type")
        ref = element.get("spdxId") or element.get("@id")
        if isinstance(ref, str):
            if ref in declared:
                problems.append(f"/@graph/{i}/spdxId: {ref!r} is already the id of /@graph/{declared[ref]}")
            declared.setdefault(ref, i)
    for element in elements:  # elements of other documents named in an import (ExternalMap)
        for external in element.get("import") or [] if isinstance(element, dict) else []:
            if isinstance(external, dict) and isinstance(external.get("externalSpdxId"), str):
                declared.setdefault(external["externalSpdxId"], -1)
    problems += _spdx3_relationships(elements, declared)
    return CheckResult(
        "SPDX 3 structure (types, unique spdxIds, relationship ends)",
        _limited(problems),
        ("no SPDX 3 JSON schema is bundled: the document's structure was checked, not its schema",),
    )


# --- entry point ---------------------------------------------------------------------------------


def check_sbom(
    data: bytes, *, source: str, format: str | None = None, limits: SbomLimits | None = None
) -> tuple[ParsedSbom, CheckResult]:
    """Read a document (gzip allowed) within ``limits`` as ``sbom import`` does, then check it."""
    limits = limits or SbomLimits()
    parsed = read_sbom(data, source=source, format=format, limits=limits)
    if data.startswith(b"\x1f\x8b"):
        data = gunzip_capped(data, source=source, max_bytes=limits.max_bytes)
    return parsed, check_document(data, parsed, source=source)


def check_document(data: bytes, parsed: ParsedSbom, *, source: str) -> CheckResult:
    """Check a document the reader has already parsed (``data`` decompressed), by its format."""
    fmt = parsed.format
    if fmt in LOCKFILE_READERS:
        return CheckResult(
            f"{fmt} parser (a lockfile has no schema)",
            (),
            (f"parsed {len(parsed.components):,} packages; lockfiles are checked by parsing only",),
        )
    if fmt == "cyclonedx-json":
        schema_file = _schema_file(fmt, parsed.spec_version, source)
        problems = _json_schema_problems(load_json(data, source=source), schema_file)
        return CheckResult(f"JSON schema {schema_file}", _limited(problems))
    if fmt == "cyclonedx-xml":
        return _cyclonedx_xml(data, parsed, source)
    if fmt == "spdx3-jsonld":
        return _spdx3(data, source)
    if fmt == "spdx-json" or fmt in _SPDX_TOOLS_FORMATS:
        return _spdx2(data, parsed, source)
    raise UnsupportedFormatError(f"no check for format {fmt!r}", source=source)
