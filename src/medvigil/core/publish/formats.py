"""One entry point for every format: :func:`render` (bytes, file name, media type)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from medvigil.core.errors import InputError
from medvigil.core.publish.csaf import csaf_filename, csaf_security_advisory, csaf_vex, dumps
from medvigil.core.publish.model import AdvisoryInput
from medvigil.core.publish.notice import notice_html, notice_pdf
from medvigil.core.publish.stix import stix_bundle
from medvigil.core.publish.vex import cyclonedx_vex, openvex

__all__ = ["FORMATS", "Rendered", "render"]


@dataclass(frozen=True, slots=True)
class Rendered:
    """A rendered, checked document."""

    format: str
    """Format name (one of :data:`FORMATS`)."""
    content: bytes
    """The bytes."""
    filename: str
    """File name (CSAF rule 5.1 for the stem)."""
    content_type: str
    """Media type."""


def _json(write: Callable[[AdvisoryInput], dict[str, Any]]) -> Callable[[AdvisoryInput], bytes]:
    return lambda data: dumps(write(data))


_WRITERS: dict[str, tuple[Callable[[AdvisoryInput], bytes], str, str]] = {
    "csaf": (_json(csaf_security_advisory), ".json", "application/json"),
    "csaf-vex": (_json(csaf_vex), ".json", "application/json"),
    "cyclonedx-vex": (_json(cyclonedx_vex), ".cdx.json", "application/vnd.cyclonedx+json"),
    "openvex": (_json(openvex), ".openvex.json", "application/json"),
    "notice-html": (notice_html, ".html", "text/html; charset=utf-8"),
    "notice-pdf": (notice_pdf, ".pdf", "application/pdf"),
    "stix": (_json(stix_bundle), ".stix.json", "application/stix+json;version=2.1"),
}
FORMATS = tuple(_WRITERS)
"""Every format :func:`render` writes."""


def render(data: AdvisoryInput, fmt: str) -> Rendered:
    """Render ``data`` as ``fmt`` (checked; raises :class:`~medvigil.core.errors.PublishError` on failure)."""
    if fmt not in _WRITERS:
        raise InputError(f"unknown format {fmt!r} (formats: {', '.join(FORMATS)})", field="format")
    write, suffix, media = _WRITERS[fmt]
    stem = csaf_filename(data.tracking.id).removesuffix(".json")
    if fmt == "csaf-vex":
        stem += "_vex"
    return Rendered(fmt, write(data), stem + suffix, media)
