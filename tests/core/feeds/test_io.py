"""Decompression limits of feed inputs: a small archive that expands past a limit is refused,
naming the archive, the member and the limit, without expanding it into memory."""

from __future__ import annotations

import gzip
import resource
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from medvigil.core.errors import FeedParseError
from medvigil.core.feeds import _io
from medvigil.core.feeds.osv import OsvFeed
from medvigil.core.feeds.sync.osv import _zip_newest

MIB = 1024 * 1024
RECORD = b'{"id": "GHSA-xxxx", "modified": "2026-01-01T00:00:00Z"}'


@pytest.fixture
def small_limits() -> Iterator[None]:
    before = _io.archive_limits()
    _io.set_archive_limits(_io.ArchiveLimits(max_member_bytes=4 * MIB, max_total_bytes=6 * MIB))
    yield
    _io.set_archive_limits(before)


def _zip(path: Path, members: dict[str, int]) -> Path:
    """A zip of JSON members padded with ``size`` bytes of spaces each (highly compressible)."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        for name, size in members.items():
            with archive.open(name, "w", force_zip64=True) as out:
                out.write(RECORD[:-1])
                left = size - len(RECORD)
                chunk = b" " * MIB
                while left > 0:
                    out.write(chunk[: min(left, MIB)])
                    left -= MIB
                out.write(b"}")
    return path


def _peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def test_a_zip_member_of_1_gib_with_the_default_limits_is_refused_unread(tmp_path: Path) -> None:
    bomb = _zip(tmp_path / "all.zip", {"ok.json": 1000, "GHSA-bomb.json": 1024 * MIB})
    assert bomb.stat().st_size < 8 * MIB  # small compressed, 1 GiB expanded
    before = _peak_rss_mib()
    with pytest.raises(FeedParseError) as caught:
        list(OsvFeed().parse(bomb))
    message = caught.value.diagnostics()
    assert "all.zip" in message and "'GHSA-bomb.json'" in message and str(256 * MIB) in message
    assert _peak_rss_mib() - before < 200


def test_zip_members_over_the_total_limit_are_refused(tmp_path: Path, small_limits: None) -> None:
    bomb = _zip(tmp_path / "all.zip", {"a.json": 3 * MIB, "b.json": 3 * MIB + MIB // 2, "c.json": 100})
    with pytest.raises(FeedParseError, match=r"more than the limit of 6291456 bytes in total.*'b.json'"):
        list(OsvFeed().parse(bomb))


def test_members_within_the_limits_are_read(tmp_path: Path, small_limits: None) -> None:
    fine = _zip(tmp_path / "all.zip", {"a.json": 3 * MIB, "b.json": 2 * MIB})
    assert [location for location, _, _ in _io.iter_json_units(fine, "all.zip")] == ["a.json", "b.json"]


def test_a_gzip_stream_over_the_member_limit_is_refused(tmp_path: Path, small_limits: None) -> None:
    lines = tmp_path / "osv.jsonl.gz"
    lines.write_bytes(gzip.compress(b"\n".join([RECORD] * 100_000), compresslevel=1))
    with pytest.raises(FeedParseError, match=r"osv.jsonl.gz.*expands to more than the limit of 4194304"):
        list(OsvFeed().parse(lines))
    whole = tmp_path / "GHSA-big.json.gz"
    whole.write_bytes(gzip.compress(RECORD[:-1] + b" " * (5 * MIB) + b"}", compresslevel=1))
    with pytest.raises(FeedParseError, match="GHSA-big.json.gz"):
        _io.read_bytes(whole, str(whole))


def test_the_osv_sync_reads_no_oversized_member(tmp_path: Path, small_limits: None) -> None:
    bomb = _zip(tmp_path / "all.zip", {"GHSA-bomb.json": 5 * MIB})
    with pytest.raises(FeedParseError, match="GHSA-bomb.json"):
        _zip_newest(str(bomb))


def test_json_that_is_not_utf8_names_the_byte_offset(tmp_path: Path) -> None:
    record = tmp_path / "GHSA-bad.json"
    record.write_bytes(b'{"id": "GHSA-1",\n "summary": "' + b"a" * 90 + b'\xfe"}')
    with pytest.raises(FeedParseError) as caught:
        list(OsvFeed().parse(record))
    assert caught.value.location == "line 2 column 104 (byte 120)"
    assert "not UTF-8: byte 0xfe" in caught.value.diagnostics()
