"""SPDX 2 YAML reader: the YAML serialisation uses the JSON field names, so it shares the mapping."""

from __future__ import annotations

from typing import ClassVar

from medvigil.core.errors import SbomError
from medvigil.core.model import ParsedSbom
from medvigil.core.sbom._common import require_object
from medvigil.core.sbom._spdx2_map import build_spdx2
from medvigil.core.sbom.interface import SbomReader


class SpdxYamlReader(SbomReader):
    """SPDX 2 in YAML."""

    format_id: ClassVar[str] = "spdx-yaml"
    label: ClassVar[str] = "SPDX 2 YAML"

    def sniff(self, name: str, head: bytes) -> bool:
        """A YAML mapping with an unquoted ``spdxVersion:`` key."""
        return b"\nspdxVersion:" in head or head.startswith(b"spdxVersion:")

    def read(self, data: bytes, *, source: str) -> ParsedSbom:
        """Parse an SPDX 2 YAML document (safe loader, alias expansion capped)."""
        import yaml  # here, not at import: PyYAML costs every fresh process (e.g. `scan`) ~20 ms

        from medvigil.core.sbom._yaml import load_yaml

        try:
            doc = load_yaml(data, source=source)
        except yaml.MarkedYAMLError as exc:
            mark = exc.problem_mark
            where = f"line {mark.line + 1} column {mark.column + 1}" if mark else ""
            raise SbomError(f"not valid YAML ({exc.problem})", source=source, location=where) from None
        except yaml.YAMLError as exc:
            raise SbomError(f"not valid YAML ({exc})", source=source) from None
        doc = require_object(doc, source=source, what="SPDX document")
        # YAML turns unquoted timestamps into datetimes; the mapping expects strings.
        info = doc.get("creationInfo")
        if isinstance(info, dict) and not isinstance(info.get("created"), str | None):
            info["created"] = info["created"].isoformat()
        return build_spdx2(doc, source=source, fmt=self.format_id)
