"""CycloneDX JSON reader (specification 1.0-1.7; VEX, CBOM, HBOM, SaaSBOM documents included).

Parsing is orjson plus a hand-written mapping (see :mod:`medvigil.core.sbom._cyclonedx_map` for
the counting rule and synthetic bom-refs, and :mod:`medvigil.core.sbom._common` for the
support-level and end-of-support property names).
"""

from __future__ import annotations

from typing import ClassVar

from medvigil.core._gc import paused_gc
from medvigil.core.errors import SbomError
from medvigil.core.model import ParsedSbom
from medvigil.core.sbom._common import load_json, require_object
from medvigil.core.sbom._cyclonedx_map import build_cyclonedx
from medvigil.core.sbom.interface import SbomReader
from medvigil.core.sbom.limits import DEFAULT_LIMITS, SbomLimits


class CycloneDxJsonReader(SbomReader):
    """CycloneDX in JSON."""

    format_id: ClassVar[str] = "cyclonedx-json"
    label: ClassVar[str] = "CycloneDX JSON"

    def sniff(self, name: str, head: bytes) -> bool:
        """A JSON object with a ``bomFormat`` key."""
        return head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"{") and b'"bomFormat"' in head

    def read(self, data: bytes, *, source: str) -> ParsedSbom:
        """Parse a CycloneDX JSON document."""
        return self.read_limited(data, source=source, limits=DEFAULT_LIMITS)

    def read_limited(self, data: bytes, *, source: str, limits: SbomLimits) -> ParsedSbom:
        """Parse a CycloneDX JSON document, stopping at the component and nesting limits."""
        with paused_gc():
            doc = require_object(load_json(data, source=source), source=source, what="CycloneDX BOM")
            fmt = doc.get("bomFormat")
            if fmt != "CycloneDX":
                raise SbomError(
                    f"'bomFormat' must be \"CycloneDX\", found {fmt!r}",
                    source=source,
                    location="/bomFormat",
                    field="bomFormat",
                )
            sbom = build_cyclonedx(doc, source=source, fmt=self.format_id, limits=limits)
            del doc  # free the parsed tree before the GC comes back, or it would traverse it
        return sbom
