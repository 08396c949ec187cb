"""Helpers shared by the lockfile reader tests."""

from __future__ import annotations

from pathlib import Path

from medvigil.core.model import ParsedSbom
from medvigil.core.sbom.lockfiles import LOCKFILE_READERS
from tests.conftest import FIXTURES

LOCKFILE_FIXTURES = FIXTURES / "sbom" / "lockfiles"


def read(format_id: str, path: Path) -> ParsedSbom:
    """Read ``path`` with the registered reader ``format_id``."""
    return LOCKFILE_READERS[format_id].read(path.read_bytes(), source=path.name)


def read_bytes(format_id: str, data: bytes, source: str = "input") -> ParsedSbom:
    """Read in-memory bytes with the registered reader ``format_id``."""
    return LOCKFILE_READERS[format_id].read(data, source=source)


def purls(parsed: ParsedSbom) -> set[str]:
    """Every purl in the result."""
    return {c.purl for c in parsed.components if c.purl}


def edges(parsed: ParsedSbom) -> dict[str, set[str]]:
    """Dependency edges as ``{ref: {targets}}``."""
    return {d.ref: set(d.depends_on) for d in parsed.dependencies}
