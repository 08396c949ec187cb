"""FIRST EPSS scores, CSV (plain or gzipped).

Two layouts are read:

* the official FIRST daily file: ``#model_version:v2023.03.01,score_date:2025-02-20T00:00:00+0000``
  then ``cve,epss,percentile`` then comma-separated rows; ``score_date`` and ``model_version``
  come from the first line;
* the headerless ``CVE-ID;epss;percentile`` semicolon variant (e.g. EMBA's EPSS-data), which
  carries no date: pass ``EpssFeed(score_date=...)``, else ``score_date`` is None.

A date given by the caller is used only when the file has none. The file is streamed line by
line; a row with a bad CVE id or number becomes a :class:`RecordError`. Input whose first line
after the header is not a CVE row (another source's JSON, say) raises :class:`FeedParseError`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import ClassVar

from medvigil.core.errors import FeedParseError
from medvigil.core.feeds._io import iter_lines, parse_date
from medvigil.core.feeds.interface import FeedItem, FeedParser, ParsedRecord, RecordError
from medvigil.core.model.advisory import SOURCE_EPSS, EpssScore


class EpssFeed(FeedParser):
    """FIRST EPSS CSV."""

    source_id: ClassVar[str] = SOURCE_EPSS
    label: ClassVar[str] = "FIRST EPSS scores"

    def __init__(self, *, score_date: dt.date | None = None) -> None:
        """``score_date`` applies to files whose header states none."""
        self.score_date = score_date

    def sniff(self, name: str, head: bytes) -> bool:
        """Header ``#model_version`` / ``cve,epss``, or ``CVE-...;0.1;0.5`` rows."""
        first = head.lstrip(b"\xef\xbb\xbf")[:64].lower()
        if first.startswith((b"#model_version", b"cve,epss")):
            return True
        return first.startswith(b"cve-") and first.count(b";") >= 2

    def parse(self, path: Path, *, source: str | None = None) -> Iterator[FeedItem]:
        """Stream one :class:`EpssScore` per row."""
        src = source or str(path)
        model_version: str | None = None
        score_date = self.score_date
        rows = 0
        for number, line in iter_lines(path, src):
            if number == 1:
                line = line.removeprefix(b"\xef\xbb\xbf")
            if line.startswith(b"#"):
                model_version, score_date = _header(line, src, model_version, score_date)
                continue
            if line[:4].lower() != b"cve-":
                if not rows:
                    if line[:3].lower() == b"cve":
                        continue  # the column header line
                    raise FeedParseError(
                        "not EPSS data: expected CVE id, epss and percentile rows",
                        source=src,
                        location=f"line {number}",
                    )
                yield RecordError("row does not start with a CVE id", src, f"line {number}", "cve")
                continue
            rows += 1
            yield _row(line, src, number, score_date, model_version)


def _header(
    line: bytes, src: str, model_version: str | None, score_date: dt.date | None
) -> tuple[str | None, dt.date | None]:
    for part in line.lstrip(b"#").decode("utf-8", "replace").split(","):
        key, _, value = part.partition(":")
        if key.strip() == "model_version":
            model_version = value.strip()
        elif key.strip() == "score_date":
            try:
                score_date = parse_date(value.strip()[:10])
            except ValueError as exc:
                raise FeedParseError(f"bad score_date {value!r}", source=src, location="line 1") from exc
    return model_version, score_date


def _row(
    line: bytes, src: str, number: int, score_date: dt.date | None, model_version: str | None
) -> FeedItem:
    parts = line.split(b";") if b";" in line else line.split(b",")
    cve_id = parts[0].decode("ascii", "replace").strip()
    if len(parts) < 3:
        return RecordError("expected cve, epss and percentile", src, f"line {number}", "", cve_id)
    try:
        epss = float(parts[1])
        percentile = float(parts[2])
    except ValueError:
        return RecordError("epss or percentile is not a number", src, f"line {number}", "epss", cve_id)
    score = EpssScore(cve_id, epss, percentile, score_date, model_version)
    return ParsedRecord(score, line, f"line {number}")
