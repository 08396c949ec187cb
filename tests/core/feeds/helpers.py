"""Helpers shared by the feed parser tests."""

from __future__ import annotations

import gzip
from collections.abc import Iterable
from functools import cache
from pathlib import Path

from medvigil.core.feeds.interface import FeedItem, ParsedRecord, RecordError
from medvigil.core.feeds.registry import FEED_PARSERS
from medvigil.core.model.advisory import AdvisoryRecord
from tests.conftest import shared_path

Split = tuple[list[ParsedRecord], list[RecordError]]
"""Parsed records and record errors of one input, as :func:`split` returns them."""


def split(items: Iterable[FeedItem]) -> Split:
    """Separate parsed records from record errors."""
    records: list[ParsedRecord] = []
    errors: list[RecordError] = []
    for item in items:
        if isinstance(item, RecordError):
            errors.append(item)
        else:
            records.append(item)
    return records, errors


def advisory(item: ParsedRecord) -> AdvisoryRecord:
    """The item's record, asserting that it is an advisory (not a KEV entry or EPSS score)."""
    assert isinstance(item.record, AdvisoryRecord), item.location
    return item.record


def count_lines(path: Path) -> int:
    """Non-blank lines of a (gzipped) text file, counted independently of the parsers."""
    opener = gzip.open if path.name.endswith(".gz") else open
    with opener(path, "rb") as fh:
        return sum(1 for line in fh if line.strip())


@cache
def parsed(source_id: str, *parts: str) -> Split:
    """Parse a shared-data file once per test session with the registry's default parser."""
    return split(FEED_PARSERS[source_id].parse(shared_path(*parts)))
