"""SPDX 2 tag-value reader: a small tolerant line parser (no spdx-tools; fast and line-located).

Each ``Tag: value`` line is read; ``<text>...</text>`` values may span lines; blank lines and
``#`` comments are skipped; tags medvigil does not use are ignored. ``PackageName`` opens a
package, ``FileName``/``SnippetSPDXID``/``LicenseID`` open sections whose tags are not package
data. The result is converted into the SPDX JSON shape and mapped by
:mod:`medvigil.core.sbom._spdx2_map`; errors are located as ``line N`` (a package's errors
point at its ``PackageName`` line).
"""

from __future__ import annotations

from typing import Any, ClassVar

from medvigil.core.errors import SbomError
from medvigil.core.model import ParsedSbom
from medvigil.core.sbom._cyclonedx_map import Path
from medvigil.core.sbom._spdx2_map import build_spdx2
from medvigil.core.sbom.interface import SbomReader

_DOC_TAGS = {
    "SPDXVersion": "spdxVersion",
    "DocumentName": "name",
    "DocumentNamespace": "documentNamespace",
}
_PKG_TAGS = {
    "SPDXID": "SPDXID",
    "PackageVersion": "versionInfo",
    "PackageSupplier": "supplier",
    "PackageOriginator": "originator",
    "PackageDownloadLocation": "downloadLocation",
    "PackageHomePage": "homepage",
    "PackageLicenseConcluded": "licenseConcluded",
    "PackageLicenseDeclared": "licenseDeclared",
    "PackageDescription": "description",
    "PackageSummary": "summary",
    "PrimaryPackagePurpose": "primaryPackagePurpose",
}
_SECTION_STARTS = frozenset({"FileName", "SnippetSPDXID", "LicenseID"})
_ANNOTATION_TAGS = {"SPDXREF": "ref", "AnnotationComment": "comment"}


def _lines(text: str, source: str) -> list[tuple[int, str, str]]:
    """Split into (line number, tag, value), joining ``<text>`` blocks."""
    out: list[tuple[int, str, str]] = []
    lines = text.splitlines()
    i = 0
    while i < len(lines):
        number, line = i + 1, lines[i].strip()
        i += 1
        if not line or line.startswith("#"):
            continue
        tag, sep, value = line.partition(":")
        if not sep or not tag or " " in tag.strip():
            raise SbomError(
                f"expected 'Tag: value', found {line[:60]!r}", source=source, location=f"line {number}"
            )
        value = value.strip()
        if value.startswith("<text>"):
            parts = [value[6:]]
            while "</text>" not in parts[-1]:
                if i >= len(lines):
                    raise SbomError("<text> is never closed", source=source, location=f"line {number}")
                parts.append(lines[i])
                i += 1
            value = "\n".join(parts)
            value = value[: value.index("</text>")].strip()
        out.append((number, tag.strip(), value))
    return out


class _Collector:
    """Builds the SPDX JSON shape from tag-value lines."""

    def __init__(self) -> None:
        self.doc: dict[str, Any] = {"packages": [], "relationships": [], "creationInfo": {"creators": []}}
        self.package_lines: list[int] = []
        self.package: dict[str, Any] | None = None
        self.annotation: dict[str, str] | None = None
        self.annotations: list[dict[str, str]] = []

    def add(self, number: int, tag: str, value: str) -> None:
        if tag == "PackageName":
            self.package = {"name": value}
            self.doc["packages"].append(self.package)
            self.package_lines.append(number)
        elif tag in _SECTION_STARTS:
            self.package = None
        elif tag == "Annotator":
            self.annotation = {}
            self.annotations.append(self.annotation)
        elif tag in _ANNOTATION_TAGS and self.annotation is not None:
            self.annotation[_ANNOTATION_TAGS[tag]] = value
        elif tag in ("Relationship", "ExternalRef", "PackageChecksum", "Creator", "Created"):
            self.add_structured(tag, value)
        elif self.package is not None and tag in _PKG_TAGS:
            self.package[_PKG_TAGS[tag]] = value
        elif tag in _DOC_TAGS:
            self.doc[_DOC_TAGS[tag]] = value

    def add_structured(self, tag: str, value: str) -> None:
        parts = value.split()
        if tag == "Relationship" and len(parts) >= 3:
            rel = {"spdxElementId": parts[0], "relationshipType": parts[1], "relatedSpdxElement": parts[2]}
            self.doc["relationships"].append(rel)
        elif tag == "ExternalRef" and self.package is not None and len(parts) >= 3:
            ref = {"referenceCategory": parts[0], "referenceType": parts[1], "referenceLocator": parts[2]}
            self.package.setdefault("externalRefs", []).append(ref)
        elif tag == "PackageChecksum" and self.package is not None:
            alg, _, digest = value.partition(":")
            checksum = {"algorithm": alg.strip(), "checksumValue": digest.strip()}
            self.package.setdefault("checksums", []).append(checksum)
        elif tag == "Creator":
            self.doc["creationInfo"]["creators"].append(value)
        elif tag == "Created":
            self.doc["creationInfo"]["created"] = value

    def finish(self) -> dict[str, Any]:
        by_ref = {p.get("SPDXID"): p for p in self.doc["packages"]}
        for note in self.annotations:
            target = by_ref.get(note.get("ref"))
            if target is not None:
                target.setdefault("annotations", []).append({"comment": note.get("comment", "")})
        return self.doc


class SpdxTagValueReader(SbomReader):
    """SPDX 2 tag-value (``.spdx``)."""

    format_id: ClassVar[str] = "spdx-tag-value"
    label: ClassVar[str] = "SPDX 2 tag-value"

    def sniff(self, name: str, head: bytes) -> bool:
        """Text with an ``SPDXVersion:`` tag."""
        return b"SPDXVersion:" in head

    def read(self, data: bytes, *, source: str) -> ParsedSbom:
        """Parse an SPDX 2 tag-value document."""
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            line = data[: exc.start].count(b"\n") + 1
            raise SbomError("not UTF-8 text", source=source, location=f"line {line}") from None
        collector = _Collector()
        for number, tag, value in _lines(text, source):
            collector.add(number, tag, value)
        doc = collector.finish()
        if "spdxVersion" not in doc:
            raise SbomError("no SPDXVersion tag", source=source, location="line 1", field="SPDXVersion")
        lines = collector.package_lines

        def locate(path: Path) -> str:
            if len(path) >= 2 and path[0] == "packages" and isinstance(path[1], int):
                return f"line {lines[path[1]]}"
            return ""

        return build_spdx2(doc, source=source, fmt=self.format_id, locate=locate)
