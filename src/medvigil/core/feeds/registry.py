"""The explicit registry of feed parsers and input-format detection.

``FEED_PARSERS`` lists every parser module's class by source id. Detection asks each parser's
``sniff`` in :data:`DETECTION_ORDER` (most specific first; OSV, which recognises any JSON with
``id`` and ``modified``, comes last).
"""

from __future__ import annotations

from pathlib import Path

from medvigil.core.errors import FeedParseError
from medvigil.core.feeds._io import HEAD_SIZE, read_head, zip_head
from medvigil.core.feeds.csaf import CsafFeed
from medvigil.core.feeds.cve5 import Cve5Feed
from medvigil.core.feeds.epss import EpssFeed
from medvigil.core.feeds.interface import FeedParser
from medvigil.core.feeds.kev import KevFeed
from medvigil.core.feeds.nvd import NvdFeed
from medvigil.core.feeds.osv import OsvFeed

FEED_PARSERS: dict[str, FeedParser] = {
    "osv": OsvFeed(),
    "nvd": NvdFeed(),
    "cve5": Cve5Feed(),
    "kev": KevFeed(),
    "epss": EpssFeed(),
    "csaf": CsafFeed(),
}
"""Source id -> parser (default options)."""

DETECTION_ORDER: tuple[str, ...] = ("csaf", "cve5", "nvd", "kev", "epss", "osv")
"""Order in which ``sniff`` is asked."""


def input_head(path: Path) -> tuple[str, bytes]:
    """Return the name and first decompressed bytes that represent ``path`` for sniffing.

    A folder is represented by its first ``.json``/``.json.gz`` file (sorted, recursive), a
    ``.zip`` by its first ``.json`` member.
    """
    if path.is_dir():
        for file in sorted(path.rglob("*")):
            if file.is_file() and file.name.lower().endswith((".json", ".json.gz")):
                return file.name, read_head(file, HEAD_SIZE)
        return path.name, b""
    if path.name.lower().endswith(".zip"):
        return path.name, zip_head(path, HEAD_SIZE)
    return path.name, read_head(path, HEAD_SIZE)


def detect_source(path: Path) -> str:
    """Return the source id of the input at ``path``; raise :class:`FeedParseError` when unknown."""
    if not path.exists():
        raise FeedParseError("no such file or folder", source=str(path))
    name, head = input_head(path)
    for source_id in DETECTION_ORDER:
        if FEED_PARSERS[source_id].sniff(name, head):
            return source_id
    raise FeedParseError(
        "unrecognised feed format (expected OSV, NVD, CVE 5, KEV, EPSS or CSAF)", source=str(path)
    )


def parser_for(path: Path, source_id: str | None = None) -> FeedParser:
    """Return the parser named by ``source_id``, or the detected one."""
    key = source_id or detect_source(path)
    try:
        return FEED_PARSERS[key]
    except KeyError:
        raise FeedParseError(f"unknown feed source {key!r}", source=str(path)) from None
