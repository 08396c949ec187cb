"""Identifier helpers: a fast purl splitter and NewType ids.

``packageurl-python`` is the reference parser; :func:`purl_key` is a fast path for the hot
import loop that only needs (type, namespace, name), and the tests check it agrees with
packageurl-python on real purls.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NewType
from urllib.parse import unquote

Purl = NewType("Purl", str)
CveId = NewType("CveId", str)


@dataclass(frozen=True, slots=True)
class PurlKey:
    """The versionless identity of a package: what advisories are keyed by."""

    type: str
    """Package type, lower-case (``pypi``, ``npm``, ``maven``...)."""
    namespace: str
    """Namespace, percent-decoded (npm scope with ``@``, Maven group, Go module prefix)."""
    name: str
    """Name, percent-decoded."""


def purl_key(purl: str) -> PurlKey | None:
    """Split ``pkg:type/namespace/name@version?q#s`` into its key; None when not a purl."""
    if not purl.startswith("pkg:"):
        return None
    rest = purl[4:].lstrip("/")
    rest = rest.split("#", 1)[0].split("?", 1)[0]
    ptype, sep, path = rest.partition("/")
    if not sep or not ptype or not path:
        return None
    path = path.strip("/")
    at = path.rfind("@")
    if at > path.rfind("/"):
        path = path[:at]
    namespace, _, name = path.rpartition("/")
    if not name:
        return None
    return PurlKey(ptype.lower(), unquote(namespace), unquote(name))
