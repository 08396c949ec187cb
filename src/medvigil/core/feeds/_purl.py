"""Package coordinates for advisories: OSV ecosystem + name -> purl type/namespace/name.

Names are normalised the way the ecosystems compare them (PyPI: PEP 503 lower-dash; Go: module
path split at its last ``/``; Maven ``group:artifact``; npm ``@scope/name``), so the matcher can
join on ``(purl_type, purl_namespace, purl_name)``. Results are cached: the same packages recur
across thousands of advisories.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import NamedTuple

from packageurl import PackageURL

ECOSYSTEM_PURL_TYPES: dict[str, str] = {
    "PyPI": "pypi",
    "Go": "golang",
    "npm": "npm",
    "Maven": "maven",
    "crates.io": "cargo",
    "RubyGems": "gem",
    "NuGet": "nuget",
    "Packagist": "composer",
    "Hex": "hex",
    "Pub": "pub",
    "Hackage": "hackage",
    "CRAN": "cran",
    "Debian": "deb",
    "Ubuntu": "deb",
    "Alpine": "apk",
    "Rocky Linux": "rpm",
    "AlmaLinux": "rpm",
    "Red Hat": "rpm",
    "SUSE": "rpm",
    "openSUSE": "rpm",
}
"""OSV ecosystem (part before ``:``) -> purl type."""

_DISTRO_NAMESPACES = {
    "Debian": "debian",
    "Ubuntu": "ubuntu",
    "Alpine": "alpine",
    "Rocky Linux": "rocky-linux",
    "AlmaLinux": "almalinux",
    "Red Hat": "redhat",
    "SUSE": "suse",
    "openSUSE": "opensuse",
}

COLLECTION_URL_ECOSYSTEMS: dict[str, str] = {
    "pypi.org": "PyPI",
    "pypi.python.org": "PyPI",
    "registry.npmjs.org": "npm",
    "www.npmjs.com": "npm",
    "repo.maven.apache.org": "Maven",
    "repo1.maven.org": "Maven",
    "pkg.go.dev": "Go",
    "proxy.golang.org": "Go",
    "crates.io": "crates.io",
    "rubygems.org": "RubyGems",
    "www.nuget.org": "NuGet",
    "api.nuget.org": "NuGet",
    "packagist.org": "Packagist",
    "hex.pm": "Hex",
    "pub.dev": "Pub",
}
"""CVE 5 ``collectionURL`` host -> OSV ecosystem (package registries only)."""

_PEP503 = re.compile(r"[-_.]+")


class Coordinates(NamedTuple):
    """Normalised package coordinates and the versionless purl built from them."""

    type: str
    namespace: str | None
    name: str
    purl: str


def ecosystem_for_collection_url(url: str) -> str | None:
    """Return the OSV ecosystem of a CVE 5 ``collectionURL`` when it is a known registry."""
    host = url.split("://", 1)[-1].split("/", 1)[0].lower()
    return COLLECTION_URL_ECOSYSTEMS.get(host)


@lru_cache(maxsize=65536)
def coordinates(ecosystem: str, name: str) -> Coordinates | None:
    """Return the coordinates of package ``name`` in OSV ``ecosystem`` (None when unmapped)."""
    base = ecosystem.split(":", 1)[0]
    ptype = ECOSYSTEM_PURL_TYPES.get(base)
    if ptype is None or not name:
        return None
    namespace, pname = _split(ptype, base, name)
    if not pname:
        return None
    purl = PackageURL(type=ptype, namespace=namespace, name=pname).to_string()
    return Coordinates(ptype, namespace, pname, purl)


def _split(ptype: str, base: str, name: str) -> tuple[str | None, str]:
    if ptype == "pypi":
        return None, _PEP503.sub("-", name).lower()
    if ptype == "maven" and ":" in name:
        group, _, artifact = name.partition(":")
        return group, artifact
    if ptype in ("golang", "composer") or (ptype == "npm" and name.startswith("@")):
        namespace, _, last = name.rpartition("/")
        if ptype == "composer":
            return (namespace.lower() or None), last.lower()
        return (namespace or None), last
    if base in _DISTRO_NAMESPACES:
        return _DISTRO_NAMESPACES[base], name
    return None, name


@lru_cache(maxsize=65536)
def coordinates_from_purl(purl: str) -> Coordinates | None:
    """Parse a purl into coordinates, dropping version, qualifiers and subpath (None if invalid)."""
    try:
        parsed = PackageURL.from_string(purl)
    except ValueError:
        return None
    bare = PackageURL(type=parsed.type, namespace=parsed.namespace, name=parsed.name).to_string()
    return Coordinates(parsed.type, parsed.namespace or None, parsed.name, bare)
