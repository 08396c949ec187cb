"""Join keys shared by the engine's indexes: packages, product names, model numbers."""

from __future__ import annotations

import functools
import re

from medvigil.core.ids import purl_key
from medvigil.core.matching.ranges import normalize_name

__all__ = ["model_key", "name_key", "package_key", "purl_package_key", "purl_version"]

_NON_ALNUM = re.compile(r"[^0-9a-z]+")


def package_key(purl_type: str, namespace: str | None, name: str) -> str:
    """Join key of a package: ``type:normalised name`` (``pypi:zope-interface``)."""
    ptype = purl_type.lower()
    return f"{ptype}:{normalize_name(ptype, namespace, name)}"


@functools.lru_cache(maxsize=1 << 16)
def purl_package_key(purl: str) -> str | None:
    """:func:`package_key` of a purl string (version and qualifiers ignored); None if not a purl.

    Cached: a scan asks for every component's key from candidate selection and from the matcher.
    """
    key = purl_key(purl)
    return None if key is None else package_key(key.type, key.namespace, key.name)


def purl_version(purl: str) -> str:
    """The version part of a purl (percent-decoding not needed for versions in practice)."""
    tail = purl.split("?", 1)[0].split("#", 1)[0]
    at = tail.rfind("@")
    return tail[at + 1 :] if at > tail.rfind("/") else ""


def name_key(name: str) -> str:
    """Product name for comparison: lower case, runs of other characters as one space."""
    return " ".join(_NON_ALNUM.sub(" ", name.lower()).split())


def model_key(model: str) -> str:
    """Model number for comparison: upper case without spaces."""
    return "".join(model.upper().split())
