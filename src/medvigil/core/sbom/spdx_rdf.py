"""SPDX 2 RDF/XML reader, through spdx-tools (rdflib) and its JSON converter.

The document is first checked with defusedxml (DTDs and entities refused), then spdx-tools
builds its model, which is converted into the JSON shape and mapped by
:mod:`medvigil.core.sbom._spdx2_map`. This path is slower than the JSON reader (rdflib) and
stricter: spdx-tools rejects documents that violate the specification; its messages are kept.
"""

from __future__ import annotations

from typing import Any, ClassVar

from medvigil.core.errors import SbomError
from medvigil.core.model import ParsedSbom
from medvigil.core.sbom._spdx2_map import build_spdx2
from medvigil.core.sbom.cyclonedx_xml import parse_xml
from medvigil.core.sbom.interface import SbomReader


def _to_json_shape(data: bytes, source: str) -> dict[str, Any]:
    from rdflib import Graph
    from spdx_tools.spdx.jsonschema.document_converter import DocumentConverter
    from spdx_tools.spdx.parser.error import SPDXParsingError
    from spdx_tools.spdx.parser.rdf.rdf_parser import translate_graph_to_document

    graph = Graph()
    try:
        graph.parse(data=data, format="xml")
        document = translate_graph_to_document(graph)
    except SPDXParsingError as exc:
        messages = exc.get_messages()  # type: ignore[no-untyped-call,unused-ignore]
        problems = "; ".join(str(m) for m in messages[:5])
        raise SbomError(f"invalid SPDX RDF/XML: {problems}", source=source) from None
    except Exception as exc:  # rdflib raises plain exceptions for bad RDF
        raise SbomError(f"invalid SPDX RDF/XML ({type(exc).__name__}: {exc})", source=source) from None
    result: dict[str, Any] = DocumentConverter().convert(document)  # type: ignore[no-untyped-call,unused-ignore]
    return result


class SpdxRdfReader(SbomReader):
    """SPDX 2 in RDF/XML."""

    format_id: ClassVar[str] = "spdx-rdf"
    label: ClassVar[str] = "SPDX 2 RDF/XML"

    def sniff(self, name: str, head: bytes) -> bool:
        """An RDF/XML document using the SPDX 2 vocabulary."""
        return b"rdf:RDF" in head and b"http://spdx.org/rdf/terms" in head

    def read(self, data: bytes, *, source: str) -> ParsedSbom:
        """Parse an SPDX 2 RDF/XML document."""
        parse_xml(data, source=source)  # refuses DTDs/entities before rdflib sees the bytes
        return build_spdx2(_to_json_shape(data, source), source=source, fmt=self.format_id)
