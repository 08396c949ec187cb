"""OSV affected ranges and enumerated versions, prepared once and evaluated many times.

Inputs are primitives (range type, ``(kind, value)`` events, ecosystem name) so that the
advisory model can adapt to them. Evaluation follows the OSV schema's ``IsVulnerable``
pseudocode exactly: events sorted by version (``introduced: "0"`` first), then walked with
``introduced`` -> affected when ``v >= introduced``, ``fixed`` -> not affected when
``v >= fixed``, ``last_affected`` -> not affected when ``v > last_affected``; a version
must also be below at least one ``limit`` when limits exist (``"*"`` is infinity).

Events at the same version keep their order in the record (a stable sort on the version
only, which is what osv.dev's enumerations reflect): ``fixed: X`` listed before
``introduced: X`` joins ``[a, X)`` and ``[X, b)``, while ``introduced: X`` listed before
``fixed: X`` is empty. PYSEC-2023-72 relies on both in one range; see
docs/matching-accuracy.md.

Results are tri-state: ``True`` / ``False``, or ``None`` when the question cannot be
answered from version strings (GIT ranges, an ecosystem without known version semantics,
an event or a queried version that is invalid in the scheme).
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from medvigil.core.matching.versions import InvalidVersionError, VersionScheme, get_scheme

__all__ = [
    "EVENT_KINDS",
    "EnumeratedVersions",
    "PreparedRange",
    "is_affected",
]

INTRODUCED, FIXED, LAST_AFFECTED, LIMIT = "introduced", "fixed", "last_affected", "limit"
EVENT_KINDS = (INTRODUCED, FIXED, LAST_AFFECTED, LIMIT)
"""The OSV event kinds."""
_R_FIXED, _R_INTRODUCED, _R_LAST_AFFECTED = 0, 1, 2
_RANK = {FIXED: _R_FIXED, INTRODUCED: _R_INTRODUCED, LAST_AFFECTED: _R_LAST_AFFECTED}
_GIT_REASON = "GIT ranges need the repository's commit graph; use the enumerated versions"


def _scheme_for(range_type: str, ecosystem: str) -> VersionScheme:
    return get_scheme("SEMVER" if range_type == "SEMVER" else ecosystem)


@dataclass(frozen=True, slots=True)
class PreparedRange:
    """One OSV range with its event versions parsed into sort keys (build at ingest)."""

    range_type: str
    """``ECOSYSTEM``, ``SEMVER`` or ``GIT``."""
    ecosystem: str
    """OSV ecosystem or purl type the versions belong to."""
    events: tuple[tuple[str, str], ...]
    """The events as given, ``(kind, value)``, for evidence and display."""
    steps: tuple[tuple[int, Any], ...]
    """Sorted ``(rank, key)`` walk; ``key`` is ``None`` for ``introduced: "0"``."""
    limits: tuple[Any, ...]
    """Keys of the finite ``limit`` events (empty: no limit)."""
    unknown_reason: str = ""
    """Why the range cannot be evaluated; empty when it can."""

    @classmethod
    def build(cls, range_type: str, events: Iterable[tuple[str, str]], ecosystem: str) -> PreparedRange:
        """Parse ``events`` once; a range that cannot be evaluated gets ``unknown_reason``."""
        given = tuple((kind, value) for kind, value in events)
        if range_type == "GIT":
            return cls(range_type, ecosystem, given, (), (), _GIT_REASON)
        try:
            scheme = _scheme_for(range_type, ecosystem)
            steps, limits = _prepare(scheme, given)
        except KeyError as exc:
            return cls(range_type, ecosystem, given, (), (), str(exc.args[0]))
        except InvalidVersionError as exc:
            return cls(range_type, ecosystem, given, (), (), f"event {exc.message}")
        return cls(range_type, ecosystem, given, steps, limits)

    @property
    def evaluable(self) -> bool:
        """Whether :meth:`contains` can answer True/False."""
        return not self.unknown_reason

    def contains(self, version: str) -> bool | None:
        """Whether ``version`` is affected by this range; ``None`` when it cannot be told."""
        if self.unknown_reason:
            return None
        try:
            key = _scheme_for(self.range_type, self.ecosystem).key(version)
        except InvalidVersionError:
            return None
        return self.contains_key(key)

    def contains_key(self, key: Any) -> bool:
        """The OSV walk over pre-sorted events for an already-parsed version key."""
        if self.limits and not any(key < limit for limit in self.limits):
            return False
        affected = False
        for rank, event_key in self.steps:
            if event_key is None:
                affected = True
                continue
            if key < event_key:
                break
            if rank == _R_INTRODUCED:
                affected = True
            elif rank == _R_FIXED or event_key < key:
                affected = False
        return affected


def _prepare(
    scheme: VersionScheme, events: tuple[tuple[str, str], ...]
) -> tuple[tuple[tuple[int, Any], ...], tuple[Any, ...]]:
    zero: list[tuple[int, Any]] = []
    keyed: list[tuple[Any, int]] = []
    limits: list[Any] = []
    for kind, value in events:
        if kind == LIMIT:
            if value != "*":
                limits.append(scheme.key(value))
        elif kind not in _RANK:
            raise InvalidVersionError(f"unknown event kind {kind!r}", field="events")
        elif kind == INTRODUCED and value == "0":
            zero.append((_R_INTRODUCED, None))
        else:
            keyed.append((scheme.key(value), _RANK[kind]))
    keyed.sort(key=_SortKey)  # stable: equal versions keep the record's order
    return tuple(zero + [(rank, key) for key, rank in keyed]), tuple(limits)


class _SortKey:
    """Sort (key, rank) pairs by key using only ``<`` (univers keys lack full ordering)."""

    __slots__ = ("item",)

    def __init__(self, item: tuple[Any, int]) -> None:
        self.item = item

    def __lt__(self, other: _SortKey) -> bool:
        return bool(self.item[0] < other.item[0])


@dataclass(frozen=True, slots=True)
class EnumeratedVersions:
    """An OSV ``versions`` list, matched by exact string or by equal version key."""

    ecosystem: str
    """Ecosystem whose scheme decides equality (PyPI ``1.0`` == ``1.0.0``)."""
    raw: frozenset[str]
    """The strings as given."""
    keys: tuple[Any, ...]
    """Sorted keys of the strings valid in the scheme."""

    @classmethod
    def build(cls, versions: Iterable[str], ecosystem: str) -> EnumeratedVersions:
        """Parse the list once; strings invalid in the scheme still match exactly."""
        raw = frozenset(versions)
        try:
            scheme = get_scheme(ecosystem)
        except KeyError:
            return cls(ecosystem, raw, ())
        keys: list[Any] = []
        for version in raw:
            try:
                keys.append(scheme.key(version))
            except InvalidVersionError:
                continue
        keys.sort(key=_lt_key)
        return cls(ecosystem, raw, tuple(keys))

    def contains(self, version: str) -> bool:
        """Whether ``version`` is listed (exactly, or as an equal version in the scheme)."""
        if version in self.raw:
            return True
        if not self.keys:
            return False
        try:
            key = get_scheme(self.ecosystem).key(version)
        except (KeyError, InvalidVersionError):
            return False
        return self.contains_key(key)

    def contains_key(self, key: Any) -> bool:
        """Whether an already-parsed key equals one of the listed versions."""
        i = bisect.bisect_left(self.keys, key)
        return i < len(self.keys) and not (key < self.keys[i])


def _lt_key(key: Any) -> _SortKey:
    return _SortKey((key, 0))


def is_affected(
    version: str, ranges: Sequence[PreparedRange], versions: EnumeratedVersions | None = None
) -> bool | None:
    """OSV ``IsVulnerable`` for one affected entry: listed or inside any range.

    Returns ``None`` when no check says yes and some range could not be evaluated; GIT
    ranges do not count as unknown when an enumerated list is present (OSV requires the
    list to cover them).
    """
    if versions is not None and versions.contains(version):
        return True
    unknown = False
    for prepared in ranges:
        result = prepared.contains(version)
        if result:
            return True
        if result is None and not (prepared.range_type == "GIT" and versions is not None):
            unknown = True
    return None if unknown else False
