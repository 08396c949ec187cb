"""Enumerated affected versions as hash sets of version keys, and per-component key caches.

OSV enumerations can hold thousands of versions (TensorFlow, Django); the matcher builds them for
every candidate record, so they are kept as a ``frozenset`` of keys where the scheme's keys hash
consistently with equality (PyPI ``1.1`` == ``1.1.0`` hash alike), with the sorted look-up of
:class:`~.ranges.EnumeratedVersions` as the fallback for the other schemes.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from medvigil.core.matching.ranges import EnumeratedVersions
from medvigil.core.matching.versions import InvalidVersionError, VersionScheme, get_scheme

__all__ = ["Enumeration", "VersionKeys"]


class VersionKeys:
    """One component version parsed at most once per scheme."""

    __slots__ = ("cache", "version")

    def __init__(self, version: str) -> None:
        self.version = version
        self.cache: dict[str, Any] = {}

    def key(self, scheme: VersionScheme) -> Any:
        """The version's key in ``scheme``; None when invalid there."""
        try:
            return self.cache[scheme.name]
        except KeyError:
            pass
        try:
            value = scheme.key(self.version)
        except InvalidVersionError:
            value = None
        self.cache[scheme.name] = value
        return value


_HASHABLE_SCHEMES = frozenset({"pypi", "semver", "deb", "rpm"})
"""Schemes whose keys hash consistently with equality (``1.1`` and ``1.1.0`` hash alike)."""


_PLAIN_RELEASE = re.compile(r"[0-9]+(?:\.[0-9]+)*")
"""A PEP 440 release without epoch, pre, post, dev or local part (most versions): no parse."""


@functools.lru_cache(maxsize=1 << 17)
def _identity(scheme_name: str, version: str) -> Any:
    """A value of C-hashable parts, equal exactly when the versions are equal in the scheme;
    None when the version is invalid there. Cached per string, so building a set of thousands
    of enumerated versions that earlier records listed too stays in C (``map`` over the cache).

    PyPI: packaging's ``Version`` hashes in Python; its equality is that of (epoch, release
    without trailing zeros, pre, post, dev, local), all normalised by the parser, so that tuple
    is the identity. The other hashable schemes' keys are tuples already.
    """
    if scheme_name == "pypi" and _PLAIN_RELEASE.fullmatch(version):
        release: tuple[int, ...] = tuple(map(int, version.split(".")))  # what Version would hold
        end = len(release)
        while end and release[end - 1] == 0:
            end -= 1
        return (0, release[:end], None, None, None, None)
    try:
        key: Any = get_scheme(scheme_name).key(version)
    except InvalidVersionError:
        return None
    if scheme_name != "pypi":
        return key
    release = key.release
    end = len(release)
    while end and release[end - 1] == 0:
        end -= 1
    return (key.epoch, release[:end], key.pre, key.post, key.dev, key.local)


@dataclass(frozen=True, slots=True)
class Enumeration:
    """Enumerated affected versions, as a hash set of keys where the scheme allows (no sort)."""

    ecosystem: str
    """Ecosystem deciding version equality."""
    raw: frozenset[str]
    """The strings as given."""
    keys: frozenset[Any] | None
    """Identities (:func:`_identity`) of the valid strings; None: use :attr:`fallback` (scheme
    keys do not hash)."""
    fallback: EnumeratedVersions | None = None
    """Sorted-key look-up for the other schemes."""
    scheme: VersionScheme | None = None
    """The scheme of :attr:`keys`."""

    @classmethod
    def build(cls, versions: Sequence[str], ecosystem: str) -> Enumeration:
        """Parse the list once (keys are cached per scheme and version string)."""
        raw = frozenset(versions)
        try:
            scheme = get_scheme(ecosystem)
        except KeyError:
            return cls(ecosystem, raw, frozenset())
        if scheme.name not in _HASHABLE_SCHEMES:
            return cls(ecosystem, raw, None, EnumeratedVersions.build(raw, ecosystem))
        keys = set(map(functools.partial(_identity, scheme.name), raw))
        keys.discard(None)
        return cls(ecosystem, raw, frozenset(keys), None, scheme)

    def contains_version(self, version: str, keys: VersionKeys) -> bool:
        """:meth:`contains` (``keys``: the component's parsed keys, for the interface)."""
        return self.contains(version)

    def contains(self, version: str) -> bool:
        """Listed exactly, or as an equal version of the scheme."""
        if version in self.raw:
            return True
        if self.fallback is not None:
            return self.fallback.contains(version)
        if not self.keys or self.scheme is None:
            return False
        identity = _identity(self.scheme.name, version)
        return identity is not None and identity in self.keys
