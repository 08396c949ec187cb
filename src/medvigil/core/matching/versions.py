"""Version semantics per ecosystem: a registry of schemes that turn strings into sort keys.

``VERSION_SCHEMES`` maps both OSV ecosystem names (``PyPI``, ``Debian``, ``crates.io``) and
purl types (``pypi``, ``deb``, ``cargo``) to a :class:`VersionScheme`. A scheme's
:meth:`VersionScheme.key` returns a comparable object, cached per string; keys of one scheme
compare with ``<``/``<=``/``==`` and must never be compared across schemes.

Fast paths (no univers on the hot path): ``packaging.version.Version`` for PyPI, our SemVer
key for npm / Go / crates.io / Hex / Pub / generic SemVer, and our dpkg / rpmvercmp keys for Debian and
RPM distributions. Maven, NuGet, RubyGems, Packagist, Alpine and Conan use univers' version
classes wrapped in :class:`UniversKey` (total order from ``<`` and ``==`` only, because some
univers classes, e.g. the Gentoo/Alpine one, do not define ``<=`` correctly).

Invalid versions: ``key()`` raises :class:`InvalidVersionError`; nothing ever falls back to
comparing raw strings. Range evaluation reports such versions as "unknown" (``None``).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from packaging.version import InvalidVersion as _PackagingInvalid
from packaging.version import Version as _PepVersion

from medvigil.core.errors import InputError
from medvigil.core.matching.version_keys import debian_key, rpm_key, semver_key, vendor_key

__all__ = [
    "VERSION_SCHEMES",
    "InvalidVersionError",
    "UniversKey",
    "VersionKey",
    "VersionScheme",
    "compare_versions",
    "get_scheme",
]

_CACHE_SIZE = 1 << 17


class InvalidVersionError(InputError):
    """A version string is not valid in its ecosystem's scheme (so it cannot be ordered)."""


class VersionKey(Protocol):
    """What a scheme's key supports: a total order within one scheme."""

    def __lt__(self, other: Any, /) -> bool:
        """Less than, in the ecosystem's order."""

    def __le__(self, other: Any, /) -> bool:
        """Less than or equal, in the ecosystem's order."""


class UniversKey:
    """A univers ``Version`` with a total order derived from its ``<`` and ``==`` only."""

    __slots__ = ("version",)

    def __init__(self, version: Any) -> None:
        """Wrap an already-parsed univers version object."""
        self.version = version

    def __lt__(self, other: UniversKey) -> bool:
        return bool(self.version < other.version)

    def __le__(self, other: UniversKey) -> bool:
        return not bool(other.version < self.version)

    def __gt__(self, other: UniversKey) -> bool:
        return bool(other.version < self.version)

    def __ge__(self, other: UniversKey) -> bool:
        return not bool(self.version < other.version)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, UniversKey):
            return NotImplemented
        return not (self.version < other.version or other.version < self.version)

    def __hash__(self) -> int:
        return hash(str(self.version))

    def __repr__(self) -> str:
        return f"UniversKey({self.version.string!r})"


@dataclass(frozen=True, slots=True)
class VersionScheme:
    """How one ecosystem orders its versions."""

    name: str
    """Canonical scheme name (``pypi``, ``semver``, ``deb``, ``rpm``, ...)."""
    parse: Callable[[str], Any]
    """Uncached string -> key function; raises ``ValueError`` on an invalid version."""
    description: str
    """One line on the implementation (shown in docs and diagnostics)."""

    def key(self, version: str) -> VersionKey:
        """Return the cached sort key of ``version``; raise :class:`InvalidVersionError`."""
        key: VersionKey = _cached_key(self.name, version)
        return key


def _pypi(version: str) -> _PepVersion:
    try:
        return _PepVersion(version)
    except _PackagingInvalid as exc:
        raise ValueError(str(exc)) from exc


def _univers(name: str) -> Callable[[str], UniversKey]:
    """Parser of a univers version class, imported on first use (univers takes 0.1-0.4 s to
    import, which ``medvigil scan`` of a PyPI/Go SBOM would pay for nothing)."""
    loaded: list[type[Any]] = []

    def parse(version: str) -> UniversKey:
        if not loaded:
            from univers import versions

            loaded.append(getattr(versions, name))
        try:
            return UniversKey(loaded[0](version))
        except (ValueError, TypeError, AttributeError, IndexError) as exc:
            raise ValueError(f"{version!r}: {exc}") from exc

    return parse


_SCHEMES_BY_NAME: dict[str, VersionScheme] = {
    s.name: s
    for s in (
        VersionScheme("pypi", _pypi, "PEP 440 via packaging.version.Version"),
        VersionScheme("semver", semver_key, "SemVer 2.0 precedence, own tuple key (v/= prefix allowed)"),
        VersionScheme("deb", debian_key, "dpkg order (epoch, ~, letters < symbols), own tuple key"),
        VersionScheme("rpm", rpm_key, "rpmvercmp incl. ~ and ^, epoch and release, own tuple key"),
        VersionScheme("maven", _univers("MavenVersion"), "Maven ComparableVersion via univers"),
        VersionScheme("nuget", _univers("NugetVersion"), "NuGet SemVer 2 + 4th part via univers"),
        VersionScheme("gem", _univers("RubygemsVersion"), "Gem::Version via univers"),
        VersionScheme("composer", _univers("ComposerVersion"), "Composer (coerced SemVer) via univers"),
        VersionScheme("apk", _univers("AlpineLinuxVersion"), "apk/Gentoo vercmp via univers"),
        VersionScheme("conan", _univers("ConanVersion"), "Conan version model via univers"),
        VersionScheme("generic", vendor_key, "vendor strings: digit/letter runs, see vendor_key"),
    )
}

VERSION_SCHEMES: dict[str, VersionScheme] = {
    # OSV ecosystem names
    "PyPI": _SCHEMES_BY_NAME["pypi"],
    "npm": _SCHEMES_BY_NAME["semver"],
    "Maven": _SCHEMES_BY_NAME["maven"],
    "Go": _SCHEMES_BY_NAME["semver"],
    "crates.io": _SCHEMES_BY_NAME["semver"],
    "NuGet": _SCHEMES_BY_NAME["nuget"],
    "RubyGems": _SCHEMES_BY_NAME["gem"],
    "Packagist": _SCHEMES_BY_NAME["composer"],
    "Debian": _SCHEMES_BY_NAME["deb"],
    "Ubuntu": _SCHEMES_BY_NAME["deb"],
    "Red Hat": _SCHEMES_BY_NAME["rpm"],
    "AlmaLinux": _SCHEMES_BY_NAME["rpm"],
    "Rocky Linux": _SCHEMES_BY_NAME["rpm"],
    "openSUSE": _SCHEMES_BY_NAME["rpm"],
    "SUSE": _SCHEMES_BY_NAME["rpm"],
    "Mageia": _SCHEMES_BY_NAME["rpm"],
    "Alpine": _SCHEMES_BY_NAME["apk"],
    "ConanCenter": _SCHEMES_BY_NAME["conan"],
    "Hex": _SCHEMES_BY_NAME["semver"],  # Elixir's Version: SemVer 2.0
    "Pub": _SCHEMES_BY_NAME["semver"],  # pub_semver (its ordering of +build metadata is not modelled)
    "SEMVER": _SCHEMES_BY_NAME["semver"],
    # purl types
    "pypi": _SCHEMES_BY_NAME["pypi"],
    "maven": _SCHEMES_BY_NAME["maven"],
    "golang": _SCHEMES_BY_NAME["semver"],
    "cargo": _SCHEMES_BY_NAME["semver"],
    "nuget": _SCHEMES_BY_NAME["nuget"],
    "gem": _SCHEMES_BY_NAME["gem"],
    "composer": _SCHEMES_BY_NAME["composer"],
    "deb": _SCHEMES_BY_NAME["deb"],
    "rpm": _SCHEMES_BY_NAME["rpm"],
    "apk": _SCHEMES_BY_NAME["apk"],
    "conan": _SCHEMES_BY_NAME["conan"],
    "hex": _SCHEMES_BY_NAME["semver"],
    "pub": _SCHEMES_BY_NAME["semver"],
    "semver": _SCHEMES_BY_NAME["semver"],
    "generic": _SCHEMES_BY_NAME["generic"],
}
"""Scheme by OSV ecosystem name or purl type ("npm" is both)."""


@functools.lru_cache(maxsize=_CACHE_SIZE)
def _cached_key(scheme_name: str, version: str) -> Any:
    scheme = _SCHEMES_BY_NAME[scheme_name]
    try:
        return scheme.parse(version)
    except ValueError as exc:
        raise InvalidVersionError(
            f"invalid {scheme_name} version {version!r}: {exc}", field="version"
        ) from None


def get_scheme(ecosystem: str) -> VersionScheme:
    """Return the scheme for an OSV ecosystem (``Debian:11`` -> ``Debian``) or a purl type.

    Raises :class:`KeyError` when the ecosystem has no known version semantics.
    """
    scheme = VERSION_SCHEMES.get(ecosystem)
    if scheme is not None:
        return scheme
    base = ecosystem.split(":", 1)[0]
    scheme = VERSION_SCHEMES.get(base) or VERSION_SCHEMES.get(base.lower())
    if scheme is None:
        raise KeyError(f"no version scheme for ecosystem {ecosystem!r}")
    return scheme


def compare_versions(ecosystem: str, left: str, right: str) -> int:
    """Return -1, 0 or 1 comparing two versions of ``ecosystem``."""
    scheme = get_scheme(ecosystem)
    a, b = scheme.key(left), scheme.key(right)
    if a < b:
        return -1
    return 0 if a <= b else 1
