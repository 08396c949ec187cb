"""Interfaces for SBOM and lockfile readers.

A reader turns the bytes of one document into a :class:`ParsedSbom`. Readers are listed
explicitly in :mod:`medvigil.core.sbom.registry`; detection asks each reader whether it
recognises a document (``sniff``) in registry order.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import ClassVar

from medvigil.core.model import ParsedSbom
from medvigil.core.sbom.limits import SbomLimits


class SbomReader(ABC):
    """One SBOM or lockfile format."""

    format_id: ClassVar[str]
    """Registry key and ``--format`` value, e.g. ``cyclonedx-json``."""
    label: ClassVar[str]
    """Human-readable name."""

    @abstractmethod
    def sniff(self, name: str, head: bytes) -> bool:
        """Return True when ``head`` (first 64 KiB, decompressed) of file ``name`` looks like this format."""

    @abstractmethod
    def read(self, data: bytes, *, source: str) -> ParsedSbom:
        """Parse ``data``; raise :class:`~medvigil.core.errors.SbomError` naming source and location."""

    def read_limited(self, data: bytes, *, source: str, limits: SbomLimits) -> ParsedSbom:
        """Parse ``data`` within ``limits``; readers that can stop early override this.

        The registry checks the component count of every result afterwards, so the default only
        parses.
        """
        return self.read(data, source=source)
