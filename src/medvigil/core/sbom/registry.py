"""The registry of SBOM and lockfile readers, format detection and the one entry point to read.

``READERS`` lists every reader explicitly (SBOM formats first, then lockfiles); detection asks
each reader in that order whether it recognises the first 64 KiB of the (decompressed) file.
Gzip input is decompressed transparently, streaming and capped, so a gzip bomb stops at
``max_bytes`` of output.
"""

from __future__ import annotations

from pathlib import Path

from isal import isal_zlib

from medvigil.core.errors import SbomError, SbomTooLargeError, UnsupportedFormatError
from medvigil.core.model import ParsedSbom
from medvigil.core.sbom.interface import ReaderRegistry
from medvigil.core.sbom.limits import DEFAULT_MAX_BYTES, SbomLimits, check_limits
from medvigil.core.sbom.lockfiles import LOCKFILE_READERS

_SBOM = "medvigil.core.sbom"

SBOM_READERS = ReaderRegistry([
    ("cyclonedx-json", f"{_SBOM}.cyclonedx_json:CycloneDxJsonReader"),
    ("cyclonedx-xml", f"{_SBOM}.cyclonedx_xml:CycloneDxXmlReader"),
    ("spdx3-jsonld", f"{_SBOM}.spdx3:Spdx3JsonLdReader"),
    ("spdx-json", f"{_SBOM}.spdx_json:SpdxJsonReader"),
    ("spdx-yaml", f"{_SBOM}.spdx_yaml:SpdxYamlReader"),
    ("spdx-xml", f"{_SBOM}.spdx_xml:SpdxXmlReader"),
    ("spdx-rdf", f"{_SBOM}.spdx_rdf:SpdxRdfReader"),
    ("spdx-tag-value", f"{_SBOM}.spdx_tagvalue:SpdxTagValueReader"),
])  # fmt: skip
"""SBOM readers in detection order (each module imported when its reader is first used)."""

READERS = SBOM_READERS | LOCKFILE_READERS
"""Every reader by format id: SBOM formats first, then lockfiles."""

HEAD_BYTES = 64 * 1024
_GZIP_MAGIC = b"\x1f\x8b"
_CHUNK = 1024 * 1024


def _too_large(source: str, max_bytes: int, what: str) -> SbomTooLargeError:
    return SbomTooLargeError(f"{what} is larger than the limit of {max_bytes:,} bytes", source=source)


def gunzip_capped(data: bytes, *, source: str, max_bytes: int) -> bytes:
    """Decompress gzip data (all members), refusing output over ``max_bytes``."""
    out = bytearray()
    pending = data
    while pending:
        stream = isal_zlib.decompressobj(16 + isal_zlib.MAX_WBITS)
        tail = pending
        while tail and not stream.eof:
            out += stream.decompress(tail, min(_CHUNK, max_bytes + 1 - len(out)))
            if len(out) > max_bytes:
                raise _too_large(source, max_bytes, "decompressed document")
            tail = stream.unconsumed_tail
        if not stream.eof:
            raise SbomError("gzip data is truncated", source=source)
        pending = stream.unused_data
    return bytes(out)


def _sniff_name(source: str) -> str:
    name = Path(source).name
    return name[:-3] if name.lower().endswith(".gz") else name


def detect_format(name: str, data: bytes) -> str:
    """Return the format id of ``data`` (already decompressed) named ``name``."""
    head = data[:HEAD_BYTES]
    sniff_name = _sniff_name(name)
    for format_id, reader in READERS.items():
        if reader.sniff(sniff_name, head):
            return format_id
    raise UnsupportedFormatError(
        f"not a recognised SBOM or lockfile; supported formats: {', '.join(READERS)}", source=name
    )


def read_sbom(
    data: bytes,
    *,
    source: str,
    format: str | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
    limits: SbomLimits | None = None,
) -> ParsedSbom:
    """Read one SBOM or lockfile: gunzip if needed, check size, detect or force the format, parse.

    ``limits`` (default: ``max_bytes`` and the default component and depth limits) are enforced
    for every format; see :mod:`medvigil.core.sbom.limits`.
    """
    limits = limits or SbomLimits(max_bytes=max_bytes)
    max_bytes = limits.max_bytes
    if len(data) > max_bytes:
        raise _too_large(source, max_bytes, "document")
    if data.startswith(_GZIP_MAGIC):
        data = gunzip_capped(data, source=source, max_bytes=max_bytes)
    if format is None:
        format = detect_format(source, data)
    reader = READERS.get(format)
    if reader is None:
        raise UnsupportedFormatError(
            f"unknown format {format!r}; valid formats: {', '.join(READERS)}", source=source
        )
    return check_limits(reader.read_limited(data, source=source, limits=limits), limits, source=source)


def read_sbom_file(
    path: Path,
    *,
    format: str | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
    limits: SbomLimits | None = None,
) -> ParsedSbom:
    """Read an SBOM or lockfile from disk (the file's size is checked before reading it)."""
    limits = limits or SbomLimits(max_bytes=max_bytes)
    max_bytes = limits.max_bytes
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise SbomError(f"cannot read file ({exc.strerror})", source=str(path)) from None
    if size > max_bytes:
        raise _too_large(str(path), max_bytes, "file")
    return read_sbom(path.read_bytes(), source=str(path), format=format, limits=limits)
