"""Interfaces of the vulnerability-intelligence feed parsers.

A parser turns one input (file, folder or archive) into a stream of :data:`FeedItem`:

* :class:`ParsedRecord` -- a core record (:class:`AdvisoryRecord`, :class:`KevEntry` or
  :class:`EpssScore`) with the raw upstream bytes it came from and where it was found;
* :class:`RecordError` -- one record could not be used (malformed JSON, schema violation,
  bad date). Parsing continues with the next record.

For cheap re-imports a parser may also offer :meth:`FeedParser.parse_pending`, which yields
:class:`PendingRecord` items -- the record's id (read without mapping) and raw bytes -- so a
store can compare a checksum of the raw bytes with what it holds and map only what changed.

Failures of the input as a whole (wrong format, truncated gzip/zip, unreadable file) raise
:class:`medvigil.core.errors.FeedParseError`. Because parsers stream, such an error can come
after records were yielded (a truncated ``.gz`` is noticed at its end), so a consumer must
treat the run as one unit and keep nothing of a run that raised.

Parsers are listed explicitly in :mod:`medvigil.core.feeds.registry`.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

from medvigil.core.errors import FeedParseError
from medvigil.core.model.advisory import AdvisoryRecord, EpssScore, KevEntry

Record = AdvisoryRecord | KevEntry | EpssScore
"""What a parser produces."""


@dataclass(frozen=True, slots=True)
class ParsedRecord:
    """A parsed record with its provenance."""

    record: Record
    """The core record."""
    raw: bytes
    """The upstream record's bytes (a JSONL line, a re-serialised JSON item, a CSV row, or the
    whole CSAF document shared by its vulnerabilities). The store keeps these compressed."""
    location: str
    """Where it was found: ``line N``, ``item N``, a zip member or file name, or a JSON pointer."""


@dataclass(frozen=True, slots=True)
class RecordError:
    """One record that could not be used; the rest of the input still parses."""

    message: str
    """What is wrong."""
    source: str
    """Input file (or upload) name."""
    location: str
    """``line N``, ``item N``, a zip member or a file in a folder."""
    field: str = ""
    """JSON pointer of the offending value (``/affected/0/ranges/0/events/1/fixed``) or the
    CSV column; empty when the record as a whole is bad (e.g. invalid JSON)."""
    record_id: str = ""
    """The record's id when it could be read."""

    def as_exception(self) -> FeedParseError:
        """Return the equivalent :class:`FeedParseError` (for raising or logging)."""
        where = f"{self.location} ({self.record_id})" if self.record_id else self.location
        return FeedParseError(self.message, source=self.source, location=where, field=self.field)

    def diagnostics(self) -> str:
        """Return ``source: location (id): field 'x': message``."""
        return self.as_exception().diagnostics()


FeedItem = ParsedRecord | RecordError
"""One item of a parser's output stream."""


@dataclass(frozen=True, slots=True)
class PendingRecord:
    """An advisory record read but not yet mapped: enough to tell whether the stored copy is the same.

    Only for :class:`AdvisoryRecord` sources (KEV and EPSS parsers yield mapped records).
    """

    record_id: str
    """The id as read from the raw bytes without mapping, "" when it could not be read cheaply.
    Only a lookup key: the mapped record's id is authoritative."""
    raw: bytes
    """The bytes :attr:`ParsedRecord.raw` will hold (same checksum)."""
    location: str
    """As :attr:`ParsedRecord.location`."""
    mapper: Callable[[], FeedItem]
    """Maps the record (a :class:`ParsedRecord`, or a :class:`RecordError` when it is unusable)."""

    def map(self) -> FeedItem:
        """Map the record: the item :meth:`FeedParser.parse` would have yielded."""
        return self.mapper()


PendingItem = PendingRecord | ParsedRecord | RecordError
"""One item of :meth:`FeedParser.parse_pending`."""


class FeedParser(ABC):
    """One vulnerability-intelligence source format."""

    source_id: ClassVar[str]
    """Registry key and ``--source`` value (``osv``, ``nvd``, ``cve5``, ``kev``, ``epss``, ``csaf``)."""
    label: ClassVar[str]
    """Human-readable name."""

    @abstractmethod
    def sniff(self, name: str, head: bytes) -> bool:
        """Return True when ``head`` (first 64 KiB, decompressed) of file ``name`` looks like this source."""

    @abstractmethod
    def parse(self, path: Path, *, source: str | None = None) -> Iterator[FeedItem]:
        """Stream the records of ``path`` (file, folder or archive as the source supports).

        ``source`` names the input in errors (default: the path). Raises
        :class:`FeedParseError` when the input as a whole is unusable.
        """

    def parse_pending(self, path: Path, *, source: str | None = None) -> Iterator[PendingItem]:
        """Like :meth:`parse`, but records may come as :class:`PendingRecord` (mapped on demand).

        The default maps everything (yields :meth:`parse`'s items); parsers whose mapping is
        costly override it so unchanged records need not be mapped at all.
        """
        yield from self.parse(path, source=source)
