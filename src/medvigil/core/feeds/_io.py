"""Shared input helpers of the feed parsers: files, gzip, JSON lines, dates, JSON pointers.

Gzip goes through ``isal.igzip`` (about 2-3x faster than :mod:`gzip`); any decompression
failure (truncated or corrupt file) becomes a :class:`FeedParseError` for the whole input.

Decompression is bounded (:class:`ArchiveLimits`): a gzip stream or a zip member may expand to
at most ``max_member_bytes``, all members of one zip together to ``max_total_bytes``; past that
the input fails naming the archive, the member and the limit (a small "zip bomb" cannot take
the memory of the machine). The web layer sets the limits from its settings.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
import zlib
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import orjson
from isal import igzip

from medvigil.core._json import json_error
from medvigil.core.errors import FeedParseError

HEAD_SIZE = 65536
"""Bytes of (decompressed) input handed to ``sniff``."""

_STREAM_ERRORS = (EOFError, OSError, zlib.error, igzip.BadGzipFile)

JsonObj = dict[str, Any]
"""A decoded JSON object."""


MIB = 1024 * 1024


@dataclass(frozen=True, slots=True)
class ArchiveLimits:
    """Largest decompressed size of one gzip stream or zip member, and of a whole zip (bytes)."""

    max_member_bytes: int = 256 * MIB
    max_total_bytes: int = 4096 * MIB


_limits = ArchiveLimits()


def archive_limits() -> ArchiveLimits:
    """The limits in force."""
    return _limits


def set_archive_limits(limits: ArchiveLimits) -> None:
    """Set the limits every later read uses (the web layer does, from its settings)."""
    global _limits  # noqa: PLW0603 - process-wide configuration, set once at start-up
    _limits = limits


def _over_member_limit(archive: str, member: str, limit: int) -> FeedParseError:
    return FeedParseError(
        f"archive member {member!r} expands to more than the limit of {limit} bytes (archive member limit)",
        source=archive,
    )


class _BoundedReader(io.RawIOBase):
    """Reads a decompressing stream, failing once more than ``limit`` bytes came out."""

    def __init__(self, inner: IO[bytes], archive: str, member: str, limit: int) -> None:
        super().__init__()
        self._inner, self._archive, self._member, self._limit = inner, archive, member, limit
        self._count = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        data = self._inner.read(len(buffer))
        self._count += len(data)
        if self._count > self._limit:
            raise _over_member_limit(self._archive, self._member, self._limit)
        buffer[: len(data)] = data
        return len(data)

    def close(self) -> None:
        self._inner.close()
        super().close()


def is_gzip_name(name: str) -> bool:
    """Return True when the file name says gzip."""
    return name.lower().endswith(".gz")


@contextmanager
def open_input(path: Path, source: str) -> Iterator[IO[bytes]]:
    """Open ``path`` for binary reading, decompressing ``.gz`` transparently."""
    try:
        if is_gzip_name(path.name):
            stream: IO[bytes] = igzip.open(path, "rb")  # type: ignore[no-untyped-call]
            limit = _limits.max_member_bytes
            bounded = _BoundedReader(stream, source, path.name, limit)
            fh: IO[bytes] = io.BufferedReader(bounded, buffer_size=1 << 20)
        else:
            fh = path.open("rb")
    except OSError as exc:
        raise FeedParseError(f"cannot open: {exc}", source=source) from exc
    try:
        yield fh
    except _STREAM_ERRORS as exc:
        raise FeedParseError(f"truncated or corrupt input: {exc}", source=source) from exc
    finally:
        fh.close()


def read_bytes(path: Path, source: str) -> bytes:
    """Return the whole (decompressed) content of ``path``."""
    with open_input(path, source) as fh:
        return fh.read()


def read_head(path: Path, size: int = HEAD_SIZE) -> bytes:
    """Return the first ``size`` decompressed bytes of ``path`` (empty when unreadable)."""
    try:
        with open_input(path, str(path)) as fh:
            return fh.read(size)
    except FeedParseError:
        return b""


def iter_lines(path: Path, source: str) -> Iterator[tuple[int, bytes]]:
    """Yield ``(line number, line)`` for the non-blank lines of a (gzipped) JSONL/CSV file."""
    with open_input(path, source) as fh:
        yield from _numbered(fh)


def iter_text_lines(data: bytes) -> Iterator[tuple[int, bytes]]:
    """Yield ``(line number, line)`` for the non-blank lines of in-memory ``data``."""
    yield from _numbered(data.splitlines())


def _numbered(lines: Iterable[bytes]) -> Iterator[tuple[int, bytes]]:
    for number, line in enumerate(lines, start=1):
        stripped = line.strip()
        if stripped:
            yield number, stripped


def loads_document(data: bytes, source: str, location: str = "") -> Any:
    """Decode a JSON document that must be valid as a whole (raise :class:`FeedParseError`)."""
    try:
        return orjson.loads(data)
    except orjson.JSONDecodeError as exc:
        reason, where = json_error(data, exc)
        where = f"{location} {where}" if location else where
        raise FeedParseError(f"not valid JSON: {reason}", source=source, location=where) from exc


def parse_datetime(value: Any) -> dt.datetime | None:
    """Parse an ISO 8601 / RFC 3339 timestamp as aware UTC; None for missing values.

    Raises ValueError for text that is not a timestamp. Naive values are read as UTC;
    fractions longer than microseconds are cut.
    """
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise ValueError(f"not a timestamp: {value!r}")
    try:
        parsed = dt.datetime.fromisoformat(value)
    except ValueError:
        parsed = dt.datetime.fromisoformat(_cut_fraction(value))
    if parsed.tzinfo is None:
        return parsed.replace(tzinfo=dt.UTC)
    return parsed.astimezone(dt.UTC)


def _cut_fraction(value: str) -> str:
    head, dot, rest = value.partition(".")
    if not dot:
        raise ValueError(f"not a timestamp: {value!r}")
    digits = len(rest) - len(rest.lstrip("0123456789"))
    return f"{head}.{rest[: min(digits, 6)]}{rest[digits:]}"


def parse_date(value: Any) -> dt.date | None:
    """Parse ``YYYY-MM-DD`` (or a timestamp, keeping its date); None for missing values."""
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise ValueError(f"not a date: {value!r}")
    if len(value) == 10:
        return dt.date.fromisoformat(value)
    stamp = parse_datetime(value)
    return stamp.date() if stamp else None


def canonical_json(value: Any) -> str | None:
    """Return ``value`` as canonical JSON text (sorted keys); None for missing/empty values."""
    if value is None or value == {} or value == []:
        return None
    return orjson.dumps(value, option=orjson.OPT_SORT_KEYS).decode()


def json_pointer(parts: Iterable[str | int]) -> str:
    """Return the RFC 6901 JSON pointer of a path (``/affected/0/ranges``)."""
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in parts)


def strings(value: Any) -> tuple[str, ...]:
    """Return the strings of a JSON array (non-strings skipped); () for anything else."""
    if not isinstance(value, list):
        return ()
    return tuple(v for v in value if isinstance(v, str))


def unique(values: Iterable[str]) -> tuple[str, ...]:
    """De-duplicate, keeping first-seen order."""
    return tuple(dict.fromkeys(values))


Shape = type | dict[str, "Shape"] | list["Shape"]
"""Expected JSON shape: a type, an object with known keys, or ``[item shape]`` for an array."""

_KINDS = {dict: "an object", list: "an array", str: "a string", bool: "a boolean", int: "a number"}


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    return _KINDS.get(type(value), type(value).__name__)


def shape_error(value: Any, shape: Shape, pointer: str = "") -> FieldError | None:
    """The first value that does not have its expected JSON type (absent and null values pass)."""
    if value is None:
        return None
    if isinstance(shape, dict):
        return _object_error(value, shape, pointer)
    if isinstance(shape, list):
        if not isinstance(value, list):
            return FieldError(pointer, f"expected an array, got {_kind(value)}")
        found = (shape_error(item, shape[0], f"{pointer}/{i}") for i, item in enumerate(value))
        return next((f for f in found if f is not None), None)
    wanted = (int, float) if shape is float else shape
    if not isinstance(value, wanted) or (shape is not bool and isinstance(value, bool)):
        return FieldError(pointer, f"expected {_KINDS.get(shape, shape.__name__)}, got {_kind(value)}")
    return None


def _object_error(value: Any, shape: dict[str, Shape], pointer: str) -> FieldError | None:
    if not isinstance(value, dict):
        return FieldError(pointer, f"expected an object, got {_kind(value)}")
    found = (shape_error(value.get(key), sub, f"{pointer}/{key}") for key, sub in shape.items())
    return next((f for f in found if f is not None), None)


class FieldError(ValueError):
    """A record-level problem at a JSON pointer; parsers turn it into a ``RecordError``."""

    def __init__(self, pointer: str, message: str) -> None:
        """Record where (``pointer``) and what (``message``)."""
        super().__init__(message)
        self.pointer = pointer
        self.message = message


def timestamp_at(obj: JsonObj, key: str, pointer: str) -> dt.datetime | None:
    """Parse ``obj[key]`` as a timestamp, raising :class:`FieldError` at ``pointer/key``."""
    try:
        return parse_datetime(obj.get(key))
    except ValueError as exc:
        raise FieldError(f"{pointer}/{key}", f"bad timestamp {obj.get(key)!r}") from exc


def is_jsonl_name(name: str) -> bool:
    """Return True for ``.jsonl`` / ``.jsonl.gz`` / ``.ndjson`` names."""
    lowered = name.lower().removesuffix(".gz")
    return lowered.endswith((".jsonl", ".ndjson"))


def iter_json_units(path: Path, source: str) -> Iterator[tuple[str, bytes, bool]]:
    """Yield ``(location, bytes, is_line)`` for each JSON unit of an input.

    A unit is one line of a ``.jsonl(.gz)`` file (``is_line`` True), one ``.json`` member of a
    ``.zip``, one ``.json(.gz)`` file of a folder (sorted, recursive), or the whole file.
    """
    if path.is_dir():
        for file in sorted(path.rglob("*")):
            if file.is_file() and file.name.lower().endswith((".json", ".json.gz")):
                yield str(file.relative_to(path)), read_bytes(file, f"{source}/{file.name}"), False
    elif path.name.lower().endswith(".zip"):
        yield from _zip_units(path, source)
    elif is_jsonl_name(path.name):
        for number, line in iter_lines(path, source):
            yield f"line {number}", line, True
    else:
        yield "", read_bytes(path, source), False


def _zip_units(path: Path, source: str) -> Iterator[tuple[str, bytes, bool]]:
    try:
        with zipfile.ZipFile(path) as archive:
            members = [
                i for i in archive.infolist() if not i.is_dir() and i.filename.lower().endswith(".json")
            ]
            check_zip_sizes(members, source)
            for info in members:
                yield info.filename, read_zip_member(archive, info, source), False
    except (zipfile.BadZipFile, *_STREAM_ERRORS) as exc:
        raise FeedParseError(f"truncated or corrupt zip archive: {exc}", source=source) from exc


def check_zip_sizes(members: Iterable[zipfile.ZipInfo], archive: str) -> None:
    """Refuse a zip whose members (as their headers declare) expand past the limits."""
    total = 0
    for info in members:
        if info.file_size > _limits.max_member_bytes:
            raise _over_member_limit(archive, info.filename, _limits.max_member_bytes)
        total += info.file_size
        if total > _limits.max_total_bytes:
            raise FeedParseError(
                f"archive members expand to more than the limit of {_limits.max_total_bytes} bytes in total "
                f"(at member {info.filename!r}; archive total limit)",
                source=archive,
            )


def read_zip_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo, source: str) -> bytes:
    """A member's bytes, never more than the member limit (whatever its header claims)."""
    limit = _limits.max_member_bytes
    with archive.open(info) as member:
        data = member.read(limit + 1)
    if len(data) > limit:
        raise _over_member_limit(source, info.filename, limit)
    return data


def zip_head(path: Path, size: int = HEAD_SIZE) -> bytes:
    """Return the first bytes of the first ``.json`` member of a zip (empty when none/unreadable)."""
    try:
        with zipfile.ZipFile(path) as archive:
            for info in archive.infolist():
                if info.filename.lower().endswith(".json"):
                    with archive.open(info) as member:
                        return member.read(size)
    except (zipfile.BadZipFile, *_STREAM_ERRORS):
        return b""
    return b""
