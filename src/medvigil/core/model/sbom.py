"""The result of reading one SBOM or lockfile."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from medvigil.core.model.component import Component, Dependency


@dataclass(frozen=True, slots=True)
class ParsedSbom:
    """Everything a reader extracted from one document."""

    format: str
    """Reader id from the registry (``cyclonedx-json``, ``spdx-tag-value``, ``package-lock``...)."""
    spec_version: str
    """Specification or lockfile version (``1.4``, ``SPDX-2.3``, ``3``); empty when none."""
    components: tuple[Component, ...]
    """All components, nested ones included, in document order (the counting rule)."""
    subject: Component | None = None
    """What the document describes (CycloneDX ``metadata.component``); not counted."""
    dependencies: tuple[Dependency, ...] = ()
    """Dependency edges by bom_ref."""
    warnings: tuple[str, ...] = ()
    """Non-fatal problems, each naming its location."""
    serial_number: str = ""
    """CycloneDX serialNumber or SPDX documentNamespace."""
    created: dt.datetime | None = None
    """Document timestamp when given."""
    authors: tuple[str, ...] = ()
    """Authors of the SBOM data (NTIA element)."""
    name: str = ""
    """Document name when given."""
