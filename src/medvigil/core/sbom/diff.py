"""Differences between two component lists (two versions of one product's SBOM).

Components are matched by their purl without version, qualifiers or subpath when they have
one, else by (type, group, name). When several components share a key (the same library in
two versions), they are paired in order after exact (key, version) matches are taken out.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import zip_longest

from medvigil.core.model import Component

_COMPARED = (
    "version",
    "purl",
    "cpes",
    "supplier",
    "type",
    "hashes",
    "licenses",
    "support_level",
    "end_of_support",
)


@dataclass(frozen=True, slots=True)
class ComponentChange:
    """One component present in both lists with different data."""

    old: Component
    """The component in the old list."""
    new: Component
    """The component in the new list."""
    fields: tuple[str, ...]
    """Names of the :class:`Component` fields that differ (``version``, ``licenses``, ...)."""

    @property
    def old_version(self) -> str:
        """Version in the old list."""
        return self.old.version

    @property
    def new_version(self) -> str:
        """Version in the new list."""
        return self.new.version


@dataclass(frozen=True, slots=True)
class SbomDiff:
    """Result of :func:`diff_components`."""

    added: tuple[Component, ...]
    """Components only in the new list."""
    removed: tuple[Component, ...]
    """Components only in the old list."""
    changed: tuple[ComponentChange, ...]
    """Components in both lists whose compared fields differ."""

    @property
    def is_empty(self) -> bool:
        """True when the lists hold the same components."""
        return not (self.added or self.removed or self.changed)


def component_key(c: Component) -> tuple[str, ...]:
    """The identity of a component across versions."""
    if c.purl:
        base = c.purl.split("#", 1)[0].split("?", 1)[0]
        at = base.rfind("@")
        if at > base.find("/"):
            base = base[:at]
        return ("purl", base.lower())
    return ("name", c.type.value, c.group.lower(), c.name.lower())


def _group(items: Sequence[Component]) -> dict[tuple[str, ...], list[Component]]:
    groups: dict[tuple[str, ...], list[Component]] = {}
    for c in items:
        groups.setdefault(component_key(c), []).append(c)
    return groups


def _pair(olds: list[Component], news: list[Component]) -> list[tuple[Component | None, Component | None]]:
    by_version: dict[str, list[Component]] = {}
    for c in news:
        by_version.setdefault(c.version, []).append(c)
    pairs: list[tuple[Component | None, Component | None]] = []
    rest_old = []
    for c in olds:
        same = by_version.get(c.version)
        if same:
            pairs.append((c, same.pop(0)))
        else:
            rest_old.append(c)
    rest_new = [c for v in by_version.values() for c in v]
    rest_new.sort(key=news.index)
    pairs.extend(zip_longest(rest_old, rest_new))
    return pairs


def diff_components(old: Sequence[Component], new: Sequence[Component]) -> SbomDiff:
    """Compare two component lists: what was added, removed and changed (in new-list order)."""
    old_groups, new_groups = _group(old), _group(new)
    added: list[Component] = []
    removed: list[Component] = []
    changed: list[ComponentChange] = []
    for key in dict.fromkeys([*old_groups, *new_groups]):
        for before, after in _pair(old_groups.get(key, []), new_groups.get(key, [])):
            if before is None and after is not None:
                added.append(after)
            elif after is None and before is not None:
                removed.append(before)
            elif before is not None and after is not None:
                fields = tuple(f for f in _COMPARED if getattr(before, f) != getattr(after, f))
                if fields:
                    changed.append(ComponentChange(old=before, new=after, fields=fields))
    return SbomDiff(added=tuple(added), removed=tuple(removed), changed=tuple(changed))
