"""SPDX 2 XML reader (the ``<Document>`` serialisation with JSON field names as elements).

The XML is parsed with defusedxml (DTDs and entities refused), converted into the JSON shape
(repeated elements become arrays; the fields that are arrays in JSON always do) and mapped by
:mod:`medvigil.core.sbom._spdx2_map`. Error locations use JSON pointers of that shape.
"""

from __future__ import annotations

from typing import Any, ClassVar
from xml.etree.ElementTree import Element

from medvigil.core.errors import SbomError
from medvigil.core.model import ParsedSbom
from medvigil.core.sbom._spdx2_map import build_spdx2
from medvigil.core.sbom.cyclonedx_xml import parse_xml
from medvigil.core.sbom.interface import SbomReader

# Fields that are arrays in SPDX JSON (the list spdx-tools uses for the same conversion).
LIST_FIELDS = frozenset(
    {
        "creators", "externalDocumentRefs", "hasExtractedLicensingInfos", "seeAlsos", "annotations",
        "relationships", "snippets", "reviewers", "fileTypes", "licenseInfoFromFiles",
        "licenseInfoInFiles", "artifactOf", "fileContributors", "fileDependencies", "files",
        "documentDescribes", "packages", "checksums", "hasFiles", "externalRefs", "ranges",
        "licenseInfoInSnippets", "packageVerificationCodeExcludedFiles", "attributionTexts",
    }
)  # fmt: skip


def _local(tag: object) -> str:
    text = str(tag)
    return text.rpartition("}")[2]


def element_to_json(el: Element) -> Any:
    """Convert an element into a JSON-shaped value (text for leaves, objects otherwise)."""
    if len(el) == 0:
        return (el.text or "").strip()
    out: dict[str, Any] = {}
    for child in el:
        key = _local(child.tag)
        value = element_to_json(child)
        if key in out:
            if not isinstance(out[key], list) or key not in LIST_FIELDS:
                out[key] = [out[key]] if not isinstance(out[key], list) else out[key]
            out[key].append(value)
        else:
            out[key] = [value] if key in LIST_FIELDS else value
    return out


class SpdxXmlReader(SbomReader):
    """SPDX 2 in XML."""

    format_id: ClassVar[str] = "spdx-xml"
    label: ClassVar[str] = "SPDX 2 XML"

    def sniff(self, name: str, head: bytes) -> bool:
        """An XML document with SPDX 2 element names."""
        return b"<Document" in head and (b"<spdxVersion>" in head or b"<SPDXID>" in head)

    def read(self, data: bytes, *, source: str) -> ParsedSbom:
        """Parse an SPDX 2 XML document."""
        root = parse_xml(data, source=source)
        if _local(root.tag) != "Document":
            raise SbomError(f"root element must be <Document>, found <{_local(root.tag)}>", source=source)
        try:
            doc = element_to_json(root)
        except RecursionError:
            raise SbomError("elements are nested too deeply", source=source) from None
        if not isinstance(doc, dict):
            raise SbomError("<Document> is empty", source=source)
        return build_spdx2(doc, source=source, fmt=self.format_id)
