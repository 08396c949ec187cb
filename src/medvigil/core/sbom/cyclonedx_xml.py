"""CycloneDX XML reader (namespaces ``http://cyclonedx.org/schema/bom/1.0`` to ``1.7``).

The XML is parsed with defusedxml (documents declaring a DTD or entities are refused), turned
into the JSON shape and mapped by :mod:`medvigil.core.sbom._cyclonedx_map`, so both
serialisations follow the same counting rule. Elements in other namespaces (extensions) are
ignored. Error locations are XPath-like: ``/bom/components/component[13]``.
"""

from __future__ import annotations

import re
from typing import Any, ClassVar
from xml.etree.ElementTree import Element, ParseError

import defusedxml.ElementTree as SafeET
from defusedxml import DefusedXmlException

from medvigil.core.errors import SbomError
from medvigil.core.model import ParsedSbom
from medvigil.core.sbom._cyclonedx_map import Path, build_cyclonedx
from medvigil.core.sbom.interface import SbomReader
from medvigil.core.sbom.limits import DEFAULT_LIMITS, SbomLimits

_NS = re.compile(r"^\{http://cyclonedx\.org/schema/bom/(\d+\.\d+)\}bom$")
_TEXT_FIELDS = frozenset(
    {"author", "publisher", "group", "name", "version", "description", "scope", "cpe", "purl"}
)


def parse_xml(data: bytes, *, source: str) -> Element:
    """Parse untrusted XML safely: DTDs, entities and external references are refused."""
    try:
        return SafeET.fromstring(data, forbid_dtd=True)
    except DefusedXmlException as exc:
        raise SbomError(
            f"XML with a DTD or entity declarations is refused for safety ({type(exc).__name__})",
            source=source,
        ) from None
    except ParseError as exc:
        line, col = exc.position
        raise SbomError(
            f"not well-formed XML ({exc.msg})", source=source, location=f"line {line} column {col}"
        ) from None


def xml_locator(path: Path) -> str:
    """Render a JSON-shape path as an XPath-like location (1-based indexes)."""
    out = ["/bom"]
    for i, part in enumerate(path):
        if isinstance(part, int):
            parent = path[i - 1]
            out[-1] = f"{out[-1]}/{'dependency' if parent == 'dependencies' else 'component'}[{part + 1}]"
        else:
            out.append(f"/{part}")
    return "".join(out)


class _Converter:
    """Converts CycloneDX XML elements of one namespace into JSON-shaped dicts."""

    def __init__(self, ns: str) -> None:
        self.prefix = "{" + ns + "}"

    def local(self, el: Element) -> str:
        tag = el.tag
        return tag[len(self.prefix) :] if tag.startswith(self.prefix) else ""

    def children(self, el: Element | None, name: str) -> list[Element]:
        if el is None:
            return []
        return [c for c in el if self.local(c) == name]

    def child(self, el: Element, name: str) -> Element | None:
        found = self.children(el, name)
        return found[0] if found else None

    def text(self, el: Element | None, name: str = "") -> str:
        node = el if not name or el is None else self.child(el, name)
        return (node.text or "").strip() if node is not None else ""

    def component(self, el: Element) -> dict[str, Any]:
        d: dict[str, Any] = {"type": el.get("type"), "bom-ref": el.get("bom-ref")}
        for c in el:
            tag = self.local(c)
            if tag in _TEXT_FIELDS:
                d[tag] = self.text(c)
            elif tag in ("supplier", "manufacturer"):
                d[tag] = {"name": self.text(c, "name")}
            elif tag == "hashes":
                d["hashes"] = [
                    {"alg": h.get("alg"), "content": self.text(h)} for h in self.children(c, "hash")
                ]
            elif tag == "licenses":
                d["licenses"] = self.licenses(c)
            elif tag == "externalReferences":
                d["externalReferences"] = [
                    {"type": r.get("type"), "url": self.text(r, "url")} for r in self.children(c, "reference")
                ]
            elif tag == "properties":
                d["properties"] = [
                    {"name": p.get("name"), "value": self.text(p)} for p in self.children(c, "property")
                ]
            elif tag == "components":
                d["components"] = [self.component(n) for n in self.children(c, "component")]
        return d

    def licenses(self, el: Element) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        for c in el:
            tag = self.local(c)
            if tag == "expression":
                out.append({"expression": self.text(c)})
            elif tag == "license":
                out.append({"license": {"id": self.text(c, "id"), "name": self.text(c, "name")}})
        return out

    def metadata(self, el: Element) -> dict[str, Any]:
        meta: dict[str, Any] = {"timestamp": self.text(el, "timestamp") or None}
        authors = self.child(el, "authors")
        meta["authors"] = [{"name": self.text(a, "name")} for a in self.children(authors, "author")]
        tools = self.child(el, "tools")
        if tools is not None:
            listed = self.children(tools, "tool") + self.children(
                self.child(tools, "components"), "component"
            )
            meta["tools"] = [{k: self.text(t, k) for k in ("vendor", "name", "version")} for t in listed]
        comp = self.child(el, "component")
        if comp is not None:
            meta["component"] = self.component(comp)
        return meta

    def dependencies(self, el: Element) -> list[dict[str, Any]]:
        return [
            {"ref": d.get("ref"), "dependsOn": [t.get("ref") for t in self.children(d, "dependency")]}
            for d in self.children(el, "dependency")
        ]

    def document(self, root: Element, spec: str) -> dict[str, Any]:
        doc: dict[str, Any] = {"bomFormat": "CycloneDX", "specVersion": spec}
        doc["serialNumber"] = root.get("serialNumber")
        for c in root:
            tag = self.local(c)
            if tag == "metadata":
                doc["metadata"] = self.metadata(c)
            elif tag == "components":
                doc["components"] = [self.component(n) for n in self.children(c, "component")]
            elif tag == "dependencies":
                doc["dependencies"] = self.dependencies(c)
        return doc


class CycloneDxXmlReader(SbomReader):
    """CycloneDX in XML."""

    format_id: ClassVar[str] = "cyclonedx-xml"
    label: ClassVar[str] = "CycloneDX XML"

    def sniff(self, name: str, head: bytes) -> bool:
        """An XML document in a CycloneDX namespace."""
        return b"http://cyclonedx.org/schema/bom/" in head and b"<" in head[:200]

    def read(self, data: bytes, *, source: str) -> ParsedSbom:
        """Parse a CycloneDX XML document."""
        return self.read_limited(data, source=source, limits=DEFAULT_LIMITS)

    def read_limited(self, data: bytes, *, source: str, limits: SbomLimits) -> ParsedSbom:
        """Parse a CycloneDX XML document, stopping at the component and nesting limits."""
        root = parse_xml(data, source=source)
        match = _NS.match(root.tag)
        if match is None:
            raise SbomError(
                f"root element must be <bom> in a CycloneDX namespace, found {root.tag!r}",
                source=source,
                location="/",
            )
        conv = _Converter(root.tag[1 : root.tag.index("}")])
        try:
            doc = conv.document(root, match.group(1))
        except RecursionError:
            raise SbomError("components are nested too deeply", source=source) from None
        return build_cyclonedx(doc, source=source, fmt=self.format_id, locate=xml_locator, limits=limits)
