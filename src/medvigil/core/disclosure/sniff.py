"""What an uploaded file really is, from its first bytes (never from its name or declared type).

Allowed: PDF, PNG, JPEG, ZIP and plain UTF-8 text without control characters. Anything else
(HTML, SVG, executables, office macros, ...) is refused.
"""

from __future__ import annotations

from medvigil.core.errors import InputError

__all__ = ["ALLOWED", "sniff"]

ALLOWED = {
    "application/pdf": "PDF",
    "image/png": "PNG",
    "image/jpeg": "JPEG",
    "application/zip": "ZIP",
    "text/plain": "plain text",
}
_MAGIC = (
    (b"%PDF-", "application/pdf"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"PK\x03\x04", "application/zip"),
    (b"PK\x05\x06", "application/zip"),  # empty archive
)
_TEXT_CONTROLS = set(range(32)) - {9, 10, 12, 13}
_MARKUP = (b"<!doctype", b"<html", b"<script", b"<svg", b"<?xml", b"<body", b"<iframe")


def _is_text(content: bytes) -> bool:
    try:
        text = content.decode("utf-8")
    except UnicodeDecodeError:
        return False
    if any(ord(ch) in _TEXT_CONTROLS for ch in text):
        return False
    head = content[:1024].lstrip().lower()
    return not head.startswith(_MARKUP)


def sniff(name: str, content: bytes) -> str:
    """The content type of ``content``; raises ``InputError`` naming the file when not allowed."""
    for magic, kind in _MAGIC:
        if content.startswith(magic):
            return kind
    if content and _is_text(content):
        return "text/plain"
    allowed = ", ".join(ALLOWED.values())
    raise InputError(f"this file type is not accepted (allowed: {allowed})", source=name, field="attachments")
