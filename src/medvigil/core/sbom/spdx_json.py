"""SPDX 2.2/2.3 JSON reader (2.0 and 2.1 documents are read the same way).

See :mod:`medvigil.core.sbom._spdx2_map` for the mapping and counting rule.
"""

from __future__ import annotations

from typing import ClassVar

from medvigil.core._gc import paused_gc
from medvigil.core.model import ParsedSbom
from medvigil.core.sbom._common import load_json, require_object
from medvigil.core.sbom._spdx2_map import build_spdx2
from medvigil.core.sbom.interface import SbomReader


class SpdxJsonReader(SbomReader):
    """SPDX 2 in JSON."""

    format_id: ClassVar[str] = "spdx-json"
    label: ClassVar[str] = "SPDX 2 JSON"

    def sniff(self, name: str, head: bytes) -> bool:
        """A JSON object with ``spdxVersion`` or ``SPDXID`` keys (either may come late)."""
        if not head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"{"):
            return False
        return b'"spdxVersion"' in head or b'"SPDXID"' in head

    def read(self, data: bytes, *, source: str) -> ParsedSbom:
        """Parse an SPDX 2 JSON document."""
        with paused_gc():
            doc = require_object(load_json(data, source=source), source=source, what="SPDX document")
            sbom = build_spdx2(doc, source=source, fmt=self.format_id)
            del doc  # free the parsed tree before the GC comes back, or it would traverse it
        return sbom
