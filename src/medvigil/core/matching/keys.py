"""Join keys shared by the engine's indexes: packages, product names, model numbers.

:func:`package_key` is the only package key: the engine's index, the database's stored
``AffectedPackage.package_key`` column (the candidate query), the components' ``MatchKey`` rows
and re-match triggers all call it, so an advisory and a component meet exactly when their keys
are equal. Changing a rule here needs a migration that recomputes the stored column (see
``web/advisories/migrations/0004_affected_package_key.py``).
"""

from __future__ import annotations

import functools
import re

from medvigil.core.ids import purl_key

__all__ = ["model_key", "name_key", "package_key", "purl_package_key", "purl_version"]

_NON_ALNUM = re.compile(r"[^0-9a-z]+")
_PEP503 = re.compile(r"[-_.]+")
_CASE_INSENSITIVE = frozenset(
    {"npm", "nuget", "composer", "hex", "pub", "deb", "apk", "conan", "github", "bitbucket"}
)
"""purl types whose names (and namespaces) compare without case; the rest keep case."""


def package_key(purl_type: str, namespace: str | None, name: str) -> str:
    """Join key of a package: ``type:normalised name`` (``pypi:zope-interface``).

    The equivalence each ecosystem's registry applies to names (tests/core/matching/
    package_name_cases.py gives the sources and the cases):

    * ``pypi``: PEP 503 (lower case, runs of ``-_.`` become ``-``).
    * ``cargo``: lower case with ``_`` as ``-`` (crates.io names are case-insensitive and
      ``-``/``_`` equivalent).
    * ``npm``: ``@scope/name`` lower case (purl and the purl libraries lower-case npm names; new
      names cannot have upper case), punctuation kept.
    * ``maven``: ``group:artifact``, case kept. ``golang``: full module path, case kept.
    * ``nuget``, ``composer``, ``hex``, ``pub``, ``deb``, ``apk``, ``conan``: ``namespace/name``
      lower case. Others (``gem``, ``rpm``, ``hackage``, ``cran``, ...): ``namespace/name`` as given.
    """
    ptype = purl_type.lower()
    ns = (namespace or "").strip("/")
    if ptype == "pypi":
        full = _PEP503.sub("-", name).lower()
    elif ptype == "cargo":
        full = name.lower().replace("_", "-")
    elif ptype == "maven":
        full = f"{ns}:{name}" if ns else name
    elif ptype == "npm" and ns and not ns.startswith("@"):
        full = f"@{ns}/{name}"
    else:
        full = f"{ns}/{name}" if ns else name
    return f"{ptype}:{full.lower() if ptype in _CASE_INSENSITIVE else full}"


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
