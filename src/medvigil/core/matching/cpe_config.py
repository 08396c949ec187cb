"""NVD configuration trees evaluated against the CPEs of a product version.

The tree is read through small Protocols (:class:`ConfigNodeLike`, :class:`CpeMatchLike`)
so any advisory model can be passed in; :class:`ConfigNode` and :class:`CpeMatch` are
ready-made implementations (see :mod:`medvigil.core.matching.nvd_adapter`).

Semantics: the root nodes are alternatives (OR). A node combines its children and its
cpeMatch entries with its operator (``OR``/``AND``) and may be negated. A cpeMatch is true
when any CPE of the product version matches it. Evaluation is three-valued: when the
caller does not know the platforms the product runs on (``platforms=None``), a
non-vulnerable (running-on) entry that no known CPE matches is *unknown*, not false.
A configuration that is only unknown because of that, and in which a vulnerable entry
matched, is reported as a **partial** match so the engine can rank it lower.
A configuration never matches unless at least one ``vulnerable`` entry matched.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
from bisect import bisect_right
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Protocol

import orjson

from medvigil.core.matching.cpe import (
    ANY,
    NA,
    Cpe,
    CpeCriterion,
    CpeError,
    has_wildcard,
    parse_cpe,
    version_class,
    version_key,
)
from medvigil.core.matching.teardown import drop_at_exit

__all__ = [
    "ConfigMatch",
    "ConfigNode",
    "ConfigNodeLike",
    "CpeEvidence",
    "CpeInventory",
    "CpeMatch",
    "CpeMatchLike",
    "CpeScreen",
    "CpeTargets",
    "PreparedCpeMatch",
    "PreparedNode",
    "SCREEN_FORMAT",
    "StoredConfig",
    "StoredTrees",
    "evaluate_configurations",
    "evaluate_indexed",
    "prepare_criterion",
    "prepare_nodes",
    "prepare_stored_nodes",
    "stored_screens",
    "stored_screens_admit",
]


class CpeMatchLike(Protocol):
    """One NVD cpeMatch entry (criteria plus optional version bounds)."""

    @property
    def criteria(self) -> str:
        """CPE 2.3 formatted string (``cpe23Uri`` in NVD 1.1)."""

    @property
    def vulnerable(self) -> bool:
        """False for running-on / platform entries."""

    @property
    def version_start_including(self) -> str | None:
        """``versionStartIncluding``."""

    @property
    def version_start_excluding(self) -> str | None:
        """``versionStartExcluding``."""

    @property
    def version_end_including(self) -> str | None:
        """``versionEndIncluding``."""

    @property
    def version_end_excluding(self) -> str | None:
        """``versionEndExcluding``."""


class ConfigNodeLike(Protocol):
    """One node of an NVD configuration tree."""

    @property
    def operator(self) -> str:
        """``OR`` or ``AND``."""

    @property
    def negate(self) -> bool:
        """Invert the node's result."""

    @property
    def children(self) -> Sequence[ConfigNodeLike]:
        """Sub-nodes (NVD 1.1 ``children``; NVD 2.0 configuration ``nodes``)."""

    @property
    def cpe_matches(self) -> Sequence[CpeMatchLike]:
        """The node's cpeMatch entries."""


@dataclass(frozen=True, slots=True)
class CpeMatch:
    """A plain :class:`CpeMatchLike`."""

    criteria: str
    """CPE 2.3 formatted string."""
    vulnerable: bool = True
    """NVD's vulnerable flag."""
    version_start_including: str | None = None
    """Inclusive lower bound."""
    version_start_excluding: str | None = None
    """Exclusive lower bound."""
    version_end_including: str | None = None
    """Inclusive upper bound."""
    version_end_excluding: str | None = None
    """Exclusive upper bound."""


@dataclass(frozen=True, slots=True)
class ConfigNode:
    """A plain :class:`ConfigNodeLike`."""

    operator: str = "OR"
    """``OR`` or ``AND``."""
    negate: bool = False
    """Invert the result."""
    children: tuple[ConfigNode, ...] = ()
    """Sub-nodes."""
    cpe_matches: tuple[CpeMatch, ...] = ()
    """cpeMatch entries."""


@dataclass(frozen=True, slots=True)
class CpeEvidence:
    """One cpeMatch entry that a CPE of the product version satisfied."""

    match: CpeMatchLike
    """The entry from the advisory."""
    cpe: Cpe
    """The product version's CPE that satisfied it."""


@dataclass(frozen=True, slots=True)
class ConfigMatch:
    """Result of evaluating a vulnerability's configurations."""

    matched: bool
    """A configuration is fully satisfied."""
    partial: bool
    """No full match, but a vulnerable entry matched and only unknown platforms are missing."""
    evidence: tuple[CpeEvidence, ...]
    """Entries satisfied in the matching (or partially matching) configurations."""


@dataclass(frozen=True, slots=True)
class PreparedCpeMatch:
    """A cpeMatch entry whose criterion was prepared once, at ingest."""

    criteria: str
    """CPE 2.3 formatted string."""
    vulnerable: bool
    """NVD's vulnerable flag."""
    version_start_including: str | None
    """Inclusive lower bound."""
    version_start_excluding: str | None
    """Exclusive lower bound."""
    version_end_including: str | None
    """Inclusive upper bound."""
    version_end_excluding: str | None
    """Exclusive upper bound."""
    criterion: CpeCriterion | None
    """The prepared criterion; ``None`` when the upstream criterion is malformed."""


@dataclass(frozen=True, slots=True)
class PreparedNode:
    """A configuration node whose cpeMatch entries are :class:`PreparedCpeMatch`."""

    operator: str
    """``OR`` or ``AND``."""
    negate: bool
    """Invert the result."""
    children: tuple[PreparedNode, ...]
    """Sub-nodes."""
    cpe_matches: tuple[PreparedCpeMatch, ...]
    """Prepared cpeMatch entries."""
    vulnerable_keys: frozenset[str] = field(init=False, compare=False, repr=False)
    """``vendor:product`` of the vulnerable entries of this node and its sub-nodes."""
    _plan: _Plan | None = field(init=False, default=None, compare=False, repr=False)
    _screen: CpeScreen | None = field(init=False, default=None, compare=False, repr=False)

    def __post_init__(self) -> None:
        keys = {m.criterion.cpe.vendor_product for m in self.cpe_matches if m.vulnerable and m.criterion}
        for child in self.children:
            keys |= child.vulnerable_keys
        object.__setattr__(self, "vulnerable_keys", _shared_keys(frozenset(keys)))

    @property
    def plan(self) -> _Plan:
        """The node's entries grouped for look-up (:class:`_Plan`), built on first use and kept
        (most candidate records are screened out and never need one)."""
        plan = self._plan
        if plan is None:
            plan = _Plan(self)
            object.__setattr__(self, "_plan", plan)
        return plan

    @property
    def screen(self) -> CpeScreen:
        """The :class:`CpeScreen` of this node's vulnerable entries (and its sub-nodes'), built on
        first use and kept."""
        screen = self._screen
        if screen is None:
            screen = CpeScreen((self,))
            object.__setattr__(self, "_screen", screen)
        return screen


def _prepare_match(match: CpeMatchLike) -> PreparedCpeMatch:
    return _prepare_fields(
        match.criteria,
        match.vulnerable,
        match.version_start_including,
        match.version_start_excluding,
        match.version_end_including,
        match.version_end_excluding,
    )


@functools.lru_cache(maxsize=1 << 18)
def _prepare_fields(
    criteria: str,
    vulnerable: bool,
    start_incl: str | None,
    start_excl: str | None,
    end_incl: str | None,
    end_excl: str | None,
) -> PreparedCpeMatch:
    """One prepared entry per distinct content, shared (immutable): NVD repeats the same entries
    in many records (a 10,000-component scan prepares ~240,000 entries of ~90,000 distinct ones),
    so a shared entry keeps one criterion and one copy of its strings."""
    entry = PreparedCpeMatch(criteria, vulnerable, start_incl, start_excl, end_incl, end_excl, None)
    with contextlib.suppress(CpeError):  # malformed upstream criterion: None, never matches
        object.__setattr__(entry, "criterion", _build(entry))  # set once, before it is shared
    return entry


def prepare_nodes(nodes: Sequence[ConfigNodeLike]) -> tuple[PreparedNode, ...]:
    """Prepare every criterion of configuration trees once, so evaluation only compares."""
    return tuple(
        PreparedNode(
            node.operator.upper(),
            node.negate,
            prepare_nodes(node.children),
            tuple(_prepare_match(m) for m in node.cpe_matches),
        )
        for node in nodes
    )


def prepare_stored_nodes(data: Sequence[Mapping[str, Any]]) -> tuple[PreparedNode, ...]:
    """:func:`prepare_nodes` from the plain (JSON) form of configuration nodes: ``operator``,
    ``negate``, ``children`` and ``cpe_matches`` of ``criteria``, ``vulnerable`` and the four
    ``version_*`` bounds, the field names of :class:`~medvigil.core.model.advisory.CpeNode` and
    ``CpeMatch``; the same result without building those objects first (a fresh scan prepares
    a quarter of a million entries). Nodes of the same content are one object, shared (see
    :func:`_stored_node`)."""
    return tuple(_stored_node(node) for node in data)


_SHARED_NODES: dict[bytes, PreparedNode] = {}
_SHARED_LIMIT = 200_000
"""Prepared nodes kept by content per process (then the map starts again empty)."""


def _stored_node(node: Mapping[str, Any]) -> PreparedNode:
    """One prepared node per distinct stored subtree: NVD repeats the same subtrees (a running-on
    list of operating systems or devices) in many records, ~half of a large scan's nodes; sharing
    them keeps one tree and one plan (and lets the per-run memo of a plan serve every record)."""
    digest = hashlib.blake2b(orjson.dumps(node), digest_size=16).digest()
    found = _SHARED_NODES.get(digest)
    if found is None:
        found = PreparedNode(
            str(node["operator"]).upper(),
            bool(node.get("negate", False)),
            prepare_stored_nodes(node.get("children", ())),
            tuple(
                _prepare_fields(
                    m["criteria"],
                    bool(m["vulnerable"]),
                    m.get("version_start_including"),
                    m.get("version_start_excluding"),
                    m.get("version_end_including"),
                    m.get("version_end_excluding"),
                )
                for m in node.get("cpe_matches", ())
            ),
        )
        if len(_SHARED_NODES) >= _SHARED_LIMIT:
            _SHARED_NODES.clear()
        _SHARED_NODES[digest] = found
    return found


def prepare_criterion(match: CpeMatchLike) -> CpeCriterion:
    """Turn a cpeMatch into a :class:`CpeCriterion` (parse the CPE, key the bounds)."""
    if isinstance(match, PreparedCpeMatch):
        if match.criterion is None:
            raise CpeError(f"malformed CPE criterion {match.criteria!r}")
        return match.criterion
    return _criterion(
        match.criteria,
        match.vulnerable,
        match.version_start_including,
        match.version_start_excluding,
        match.version_end_including,
        match.version_end_excluding,
    )


def _criterion(
    criteria: str,
    vulnerable: bool,
    start_incl: str | None,
    start_excl: str | None,
    end_incl: str | None,
    end_excl: str | None,
) -> CpeCriterion:
    """The criterion of :func:`_prepare_fields` (shared); raise :class:`CpeError` when it is
    malformed (built again for the error's message)."""
    entry = _prepare_fields(criteria, vulnerable, start_incl, start_excl, end_incl, end_excl)
    return _build(entry) if entry.criterion is None else entry.criterion


def _build(match: CpeMatchLike) -> CpeCriterion:
    return CpeCriterion.build(
        match.criteria,
        match.vulnerable,
        version_start_including=match.version_start_including,
        version_start_excluding=match.version_start_excluding,
        version_end_including=match.version_end_including,
        version_end_excluding=match.version_end_excluding,
    )


_Tri = bool | None


class _Plan:
    """A node's cpeMatch entries grouped by ``vendor:product``, exact-version class and version
    bounds, so that evaluation tests only the entries some candidate CPE can satisfy (the others
    keep the value an unmatched entry has) instead of every entry of e.g. a 300-version list or
    of the dozens of ``linux_kernel`` ranges of one CVE."""

    __slots__ = (
        "and_", "cacheable", "children", "criteria", "entries", "groups", "hard", "keys", "negate", "soft",
        "wild",
    )  # fmt: skip

    def __init__(self, node: ConfigNodeLike) -> None:
        self.and_ = node.operator.upper() == "AND"
        self.negate = node.negate
        self.children = tuple(c.plan if isinstance(c, PreparedNode) else _Plan(c) for c in node.children)
        # kept per run by the shared inventory (see _Evaluator.planned) only when the plan is kept
        # on its prepared node: a plan built for a plain node is built again at every evaluation
        self.cacheable = isinstance(node, PreparedNode)
        entries: list[CpeMatchLike] = []
        criteria: list[CpeCriterion] = []
        groups: dict[str, tuple[dict[object, list[int]], list[int], list[int], list[_Ranged]]] = {}
        wild: list[int] = []
        self.soft = self.hard = 0  # unmatched value None (running-on, platforms unknown) / False
        for entry in node.cpe_matches:
            try:
                criterion = prepare_criterion(entry)
            except CpeError:
                self.hard += 1  # malformed upstream criterion: never matches (ingest reports it)
                continue
            index = len(entries)
            entries.append(entry)
            criteria.append(criterion)
            if entry.vulnerable:
                self.hard += 1
            else:
                self.soft += 1
            if criterion.key is None:
                wild.append(index)
                continue
            exact, other, unbounded, ranged = groups.setdefault(criterion.key, ({}, [], [], []))
            if criterion.start is not None or criterion.end is not None:
                ranged.append((index, criterion.start, criterion.end))
                continue
            unbounded.append(index)
            if criterion.version_class is None:
                other.append(index)
            else:
                exact.setdefault(criterion.version_class, []).append(index)
        # kept as tuples (empty ones shared): a 10,000-component scan keeps ~80,000 plans
        given = node.cpe_matches
        # the node's own tuple when no entry was left out (most nodes): one tuple less per plan
        self.entries: tuple[CpeMatchLike, ...] = (
            given if isinstance(given, tuple) and len(given) == len(entries) else tuple(entries)
        )
        self.criteria: tuple[CpeCriterion, ...] = tuple(criteria)
        """The prepared criterion of each entry."""
        self.wild: tuple[int, ...] = tuple(wild)
        self.groups: dict[str, _Group] = {
            key: (
                {c: tuple(i) for c, i in exact.items()} if exact else _NO_EXACT,
                tuple(other),
                tuple(unbounded),
                tuple(ranged),
            )
            for key, (exact, other, unbounded, ranged) in groups.items()
        }
        # every entry's vendor:product in this subtree, None when some entry has a wildcard name
        keys: frozenset[str] | None = None if wild else _shared_keys(frozenset(groups))
        for child in self.children:
            sub: frozenset[str] | None = child.keys
            keys = None if keys is None or sub is None else _shared_keys(keys | sub)
        self.keys: frozenset[str] | None = keys


_KEY_SETS: dict[frozenset[str], frozenset[str]] = {}


def _shared_keys(keys: frozenset[str]) -> frozenset[str]:
    """One object per distinct set of ``vendor:product`` keys (nodes and plans hold ~200,000
    sets, most of them of one key)."""
    return _KEY_SETS.setdefault(keys, keys)


_Bound = tuple[Any, bool]
_Ranged = tuple[int, "_Bound | None", "_Bound | None"]
_Group = tuple[Mapping[object, tuple[int, ...]], tuple[int, ...], tuple[int, ...], tuple[_Ranged, ...]]
"""A plan's entries of one ``vendor:product``: exact-version entries by version class, the other
unbounded entries, every unbounded entry, and the entries with version bounds (index, start, end)."""
_NO_EXACT: Mapping[object, tuple[int, ...]] = MappingProxyType({})


def _within(key: Any, start: _Bound | None, end: _Bound | None) -> bool:
    """Whether a version key lies within a cpeMatch's bounds (as :meth:`CpeCriterion.matches`)."""
    if start is not None:
        low, inclusive = start
        if key < low or (not inclusive and key == low):
            return False
    if end is not None:
        high, inclusive = end
        if high < key or (not inclusive and key == high):
            return False
    return True


_NO_CLASSES: frozenset[object] = frozenset()


class _KeyScreen:
    """The vulnerable entries of one ``vendor:product`` in a configuration tree, reduced to what a
    target version must satisfy for one of them to match (see :class:`CpeScreen`)."""

    __slots__ = ("any_version", "classes", "end", "lows", "na", "spans", "start", "unbounded")

    def __init__(self) -> None:
        self.any_version = False  # an entry without bounds whose version is ANY or has a wildcard
        self.unbounded = False  # some entry without bounds (a target version ANY matches it)
        self.na = False  # an entry with version NA (matches NA and ANY)
        self.classes: frozenset[object] = _NO_CLASSES  # version classes of exact-version entries
        self.end: _Bound | None = None  # the highest bound of the entries with only an upper bound
        self.start: _Bound | None = None  # the lowest bound of the entries with only a lower bound
        self.spans: list[tuple[_Bound, _Bound]] | tuple[()] = ()  # entries with both bounds, by lower bound
        self.lows: list[Any] | tuple[()] = ()  # their lower bound keys (for bisect)

    def add(self, criterion: CpeCriterion) -> None:
        start, end = criterion.start, criterion.end
        if start is None and end is None:
            self.unbounded = True
            version = criterion.cpe.version
            if version == NA:
                self.na = True
            elif version == ANY or has_wildcard(version):
                self.any_version = True
            else:
                self.classes = self.classes | {criterion.version_class}
        elif start is None:
            assert end is not None
            if self.end is None or self.end[0] < end[0] or (self.end[0] == end[0] and end[1]):
                self.end = end
        elif end is None:
            if self.start is None or start[0] < self.start[0] or (self.start[0] == start[0] and start[1]):
                self.start = start
        else:
            self.spans = [*self.spans, (start, end)]

    def seal(self) -> None:
        if self.spans:
            self.spans = sorted(self.spans, key=lambda span: span[0][0])
            self.lows = [low for (low, _), _ in self.spans]

    def admits(self, version: str, vclass: object, key: Any) -> bool:
        """Whether some entry may match a target of this ``vendor:product`` with this version
        (canonical ``version``, its :func:`version_class` and vendor ``key``, None if it has none)."""
        if self.any_version:
            return True
        if version == ANY:
            return self.unbounded  # a bounded entry needs a concrete version; the others match ANY
        if version == NA:
            return self.na
        if vclass in self.classes:
            return True
        return key is not None and self._in_ranges(key)  # a bounded entry needs a version key

    def _in_ranges(self, key: Any) -> bool:
        if self.end is not None:
            high, inclusive = self.end
            if key < high or (inclusive and key == high):
                return True
        if self.start is not None:
            low, inclusive = self.start
            if low < key or (inclusive and key == low):
                return True
        for (low, low_incl), (high, high_incl) in self.spans[: bisect_right(self.lows, key)]:
            if (low < key or (low_incl and key == low)) and (key < high or (high_incl and key == high)):
                return True
        return False


class CpeTargets:
    """A component's own CPEs prepared once for :meth:`CpeScreen.admits` (version keys parsed
    once per component, not once per comparison)."""

    __slots__ = ("any_name", "by_key")

    def __init__(self, cpes: Sequence[Cpe]) -> None:
        self.any_name = False  # a CPE with vendor or product ANY (it may match any entry)
        self.by_key: dict[str, list[tuple[str, object, Any]]] = {}
        for cpe in cpes:
            if cpe.wild:
                continue  # a target with a wildcard matches nothing (NISTIR 7696: undefined)
            if cpe.vendor == ANY or cpe.product == ANY:
                self.any_name = True
                continue
            version = cpe.version
            concrete = version not in (ANY, NA)
            target = (
                version,
                version_class(version) if concrete else None,
                version_key(version) if concrete else None,
            )
            self.by_key.setdefault(cpe.vendor_product, []).append(target)


class CpeScreen:
    """A necessary condition for a configuration tree to yield a finding for a component.

    A record yields a finding only when one of its *vulnerable* entries matches one of the
    component's own CPEs (:func:`~medvigil.core.matching.engine.match`). The screen keeps those
    entries by ``vendor:product`` and by version: exact versions as :func:`version_class` sets,
    one-sided ranges as their widest bound, two-sided ones sorted by lower bound (bisect). When
    :meth:`admits` is False no vulnerable entry can match an own CPE and the tree need not be
    evaluated; when it is True the tree is evaluated as before (other attributes, e.g. the
    update or target_sw, and running-on entries are left to the evaluation). Conservative: an
    entry whose vendor or product has a wildcard admits every target."""

    __slots__ = ("keys", "wild")

    def __init__(self, nodes: Sequence[PreparedNode]) -> None:
        self.wild = False
        self.keys: dict[str, _KeyScreen] = {}
        self._fill(entry.criterion for entry in _entries(nodes) if entry.vulnerable)

    @classmethod
    def of_criteria(cls, criteria: Iterable[CpeCriterion]) -> CpeScreen:
        """The screen of these vulnerable entries' criteria (as :class:`CpeScreen` of the nodes
        holding them, without the nodes)."""
        screen = cls(())
        screen._fill(criteria)
        return screen

    def _fill(self, criteria: Iterable[CpeCriterion | None]) -> None:
        for criterion in criteria:
            if criterion is None:
                continue  # malformed upstream: never matches
            if criterion.key is None:
                self.wild = True
                continue
            found = self.keys.get(criterion.key)
            if found is None:
                found = self.keys[criterion.key] = _KeyScreen()
            found.add(criterion)
        for screen in self.keys.values():
            screen.seal()

    def admits(self, targets: CpeTargets) -> bool:
        """Whether some vulnerable entry may match one of ``targets``."""
        if self.wild or targets.any_name:
            return True
        keys = self.keys
        for key, versions in targets.by_key.items():
            screen = keys.get(key)
            if screen is not None:
                for version, vclass, vkey in versions:
                    if screen.admits(version, vclass, vkey):
                        return True
        return False


def _entries(nodes: Sequence[PreparedNode]) -> Iterator[PreparedCpeMatch]:
    stack = list(nodes)
    while stack:
        node = stack.pop()
        stack.extend(node.children)
        yield from node.cpe_matches


def _stored_vulnerable(data: Sequence[Mapping[str, Any]]) -> Iterator[CpeCriterion | None]:
    """The criteria of the vulnerable entries of stored (JSON) configuration nodes, prepared as
    :func:`prepare_stored_nodes` prepares them (``None`` for a malformed one)."""
    stack = list(data)
    while stack:
        node = stack.pop()
        stack.extend(node.get("children", ()))
        for m in node.get("cpe_matches", ()):
            if m["vulnerable"]:
                try:
                    yield _criterion(
                        m["criteria"],
                        True,
                        m.get("version_start_including"),
                        m.get("version_start_excluding"),
                        m.get("version_end_including"),
                        m.get("version_end_excluding"),
                    )
                except CpeError:
                    yield None


class StoredTrees:
    """Configuration trees in their stored JSON form (see :func:`prepare_stored_nodes`), prepared
    when first asked for and then kept (the text is then dropped)."""

    __slots__ = ("_nodes", "_text")

    def __init__(self, text: str | bytes) -> None:
        self._text: str | bytes | None = text
        self._nodes: tuple[PreparedNode, ...] | None = None

    @property
    def prepared(self) -> bool:
        """Whether :attr:`nodes` was built."""
        return self._nodes is not None

    @property
    def nodes(self) -> tuple[PreparedNode, ...]:
        """The prepared root nodes."""
        nodes = self._nodes
        if nodes is None:
            assert self._text is not None
            nodes = self._nodes = prepare_stored_nodes(orjson.loads(self._text))
            self._text = None
        return nodes


class StoredConfig:
    """A record's configuration trees in their stored JSON form (see :func:`prepare_stored_nodes`),
    screened without being prepared: the :attr:`screen` and the :attr:`vulnerable_keys` come from
    the criteria of the vulnerable entries only (or from the compact screens stored at import,
    :meth:`of_screens`); the trees themselves (:attr:`nodes`) when first asked for, i.e. when the
    screen admitted a component (most candidate records of a scan are screened out, and a record's
    running-on lists can hold hundreds of entries)."""

    __slots__ = ("roots", "screen", "trees", "vulnerable_keys")

    def __init__(self, text: str | bytes, trees: StoredTrees | None = None) -> None:
        data = orjson.loads(text)
        self.trees: StoredTrees = StoredTrees(text) if trees is None else trees
        """The trees, prepared on first use (shareable between configurations of one text)."""
        self.roots: int = len(data)
        """Number of root nodes (alternatives)."""
        criteria = [c for c in _stored_vulnerable(data) if c is not None]
        self.screen: CpeScreen = CpeScreen.of_criteria(criteria)
        """The screen of every root (a component is admitted when one root admits it)."""
        self.vulnerable_keys: frozenset[str] = frozenset(c.cpe.vendor_product for c in criteria)
        """``vendor:product`` of the vulnerable entries (the index keys)."""

    @classmethod
    def of_screens(cls, trees: StoredTrees, screens: Mapping[str, str]) -> StoredConfig | None:
        """The configuration from the compact screens :func:`stored_screens` wrote at import for
        some of its ``vendor:product`` keys (the keys of the components being matched: its other
        keys cannot admit them), without decoding the trees; ``None`` when a screen is not in the
        current format (stored by another version: decode the trees instead)."""
        parts = _screens_of(tuple(sorted(screens.items())))
        if parts is None:
            return None
        config = cls.__new__(cls)
        config.trees = trees
        config.roots, config.screen, config.vulnerable_keys = parts
        return config

    @property
    def prepared(self) -> bool:
        """Whether :attr:`nodes` was built."""
        return self.trees.prepared

    @property
    def nodes(self) -> tuple[PreparedNode, ...]:
        """The prepared root nodes, built on first use and kept."""
        return self.trees.nodes


SCREEN_FORMAT = 1
"""Version of the compact screens of :func:`stored_screens` (another version is not read)."""
_ANY_VERSION, _UNBOUNDED, _NA, _WILD = 1, 2, 4, 8
_RawBound = tuple[str, bool]


class _ScreenText:
    """A :class:`_KeyScreen` being built with the bound strings kept (to store it as text)."""

    __slots__ = ("classes", "end", "flags", "spans", "start")

    def __init__(self) -> None:
        self.flags = 0
        self.classes: dict[object, str] = {}
        self.end: tuple[_Bound, _RawBound] | None = None
        self.start: tuple[_Bound, _RawBound] | None = None
        self.spans: dict[tuple[_RawBound, _RawBound], None] = {}

    def add(
        self, version: str, start: _Bound | None, end: _Bound | None, raw_start: _RawBound | None,
        raw_end: _RawBound | None,
    ) -> None:  # fmt: skip
        """As :meth:`_KeyScreen.add` (a criterion's canonical version and keyed bounds), keeping
        the strings of the bounds."""
        if start is None and end is None:
            self.flags |= _UNBOUNDED
            if version == NA:
                self.flags |= _NA
            elif version == ANY or has_wildcard(version):
                self.flags |= _ANY_VERSION
            else:
                self.classes.setdefault(version_class(version), version)
        elif start is None:
            assert end is not None and raw_end is not None
            if self.end is None or self.end[0][0] < end[0] or (self.end[0][0] == end[0] and end[1]):
                self.end = (end, raw_end)
        elif end is None:
            assert raw_start is not None
            low = self.start
            if low is None or start[0] < low[0][0] or (low[0][0] == start[0] and start[1]):
                self.start = (start, raw_start)
        else:
            assert raw_start is not None and raw_end is not None
            self.spans[raw_start, raw_end] = None

    def text(self, roots: int, wild: bool) -> str:
        flags = self.flags | (_WILD if wild else 0)
        return orjson.dumps([
            SCREEN_FORMAT, roots, flags, list(self.classes.values()),
            None if self.end is None else self.end[1], None if self.start is None else self.start[1],
            [[*low, *high] for low, high in self.spans],
        ]).decode()  # fmt: skip


def _raw_bound(including: str | None, excluding: str | None) -> _RawBound | None:
    """The bound string :meth:`CpeCriterion.build` keys (the inclusive one when it is given)."""
    if including is not None and including != "":
        return (including, True)
    if excluding is not None and excluding != "":
        return (excluding, False)
    return None


def stored_screens(nodes: Sequence[ConfigNodeLike]) -> dict[str, str]:
    """The compact screen of configuration trees per ``vendor:product`` of their vulnerable
    entries (the keys of :attr:`StoredConfig.vulnerable_keys`), as JSON text to store at import
    beside the candidate index, so that a scan screens a candidate record without decoding and
    preparing its trees (:meth:`StoredConfig.of_screens` reads them back: the same screen as
    :class:`StoredConfig` builds from the trees)."""
    built: dict[str, _ScreenText] = {}
    wild = False
    stack = list(nodes)
    while stack:
        node = stack.pop()
        stack.extend(node.children)
        for m in node.cpe_matches:
            if not m.vulnerable:
                continue
            # what CpeCriterion.build reads, without building one (an import screens every entry)
            name = _screen_name(m.criteria)
            raw_start = _raw_bound(m.version_start_including, m.version_start_excluding)
            raw_end = _raw_bound(m.version_end_including, m.version_end_excluding)
            try:
                start = None if raw_start is None else _bound_key(*raw_start)
                end = None if raw_end is None else _bound_key(*raw_end)
            except CpeError:
                continue  # malformed upstream: never matches
            if name is None:
                continue
            key, wild_name, version = name
            found = built.get(key)
            if found is None:
                found = built[key] = _ScreenText()
            if wild_name:
                wild = True  # a wildcard name: admits every target (its key only indexes it)
                continue
            found.add(version, start, end, raw_start, raw_end)
    return {key: screen.text(len(nodes), wild) for key, screen in built.items()}


_parse_uncached = parse_cpe.__wrapped__


@functools.lru_cache(maxsize=1 << 17)
def _screen_name(criteria: str) -> tuple[str, bool, str] | None:
    """``(vendor:product, whether the vendor or product has a wildcard, version)`` of a criterion
    as :func:`parse_cpe` reads it, ``None`` when it rejects it; only these small values are kept
    (not the ``Cpe``: the import's worker process screens every vulnerable entry once)."""
    try:
        cpe = _parse_uncached(criteria)
    except CpeError:
        return None
    return cpe.vendor_product, has_wildcard(cpe.vendor) or has_wildcard(cpe.product), cpe.version


@functools.lru_cache(maxsize=1 << 17)
def _parse_key_screen(text: str) -> tuple[int, bool, _KeyScreen | None] | None:
    """``(roots, wild, screen)`` of one text of :func:`stored_screens` (screen ``None`` when the
    key has only wildcard-name entries), ``None`` if it is not in the current format. Cached:
    the same rows come back in every scan."""
    try:
        version, roots, flags, classes, end, start, spans = orjson.loads(text)
        if version != SCREEN_FORMAT:
            return None
        screen = _KeyScreen()
        screen.any_version = bool(flags & _ANY_VERSION)
        screen.unbounded = bool(flags & _UNBOUNDED)
        screen.na = bool(flags & _NA)
        if classes:
            screen.classes = frozenset(version_class(v) for v in classes)
        screen.end = None if end is None else _bound_key(*end)
        screen.start = None if start is None else _bound_key(*start)
        if spans:
            screen.spans = [(_bound_key(a, b), _bound_key(c, d)) for a, b, c, d in spans]
        screen.seal()
    except (ValueError, TypeError, CpeError):
        return None
    empty = not (flags & (_ANY_VERSION | _UNBOUNDED)) and screen.end is None and screen.start is None
    return int(roots), bool(flags & _WILD), None if empty and not spans else screen


@functools.lru_cache(maxsize=1 << 16)
def _screens_of(items: tuple[tuple[str, str], ...]) -> tuple[int, CpeScreen, frozenset[str]] | None:
    """``(roots, screen, keys)`` of a configuration from its stored screens (``(key, text)``
    sorted), ``None`` when one is not in the current format. One (read-only) screen per distinct
    set: many candidate records have the same screens (a 10,000-component scan screens ~45,000
    records)."""
    screen = CpeScreen(())
    roots = -1
    for key, text in items:
        parsed = _parse_key_screen(text)
        if parsed is None or roots not in (-1, parsed[0]):
            return None
        roots, wild, key_screen = parsed
        screen.wild = screen.wild or wild
        if key_screen is not None:
            screen.keys[key] = key_screen
    return max(roots, 0), screen, _shared_keys(frozenset(key for key, _ in items))


def stored_screens_admit(screens: Mapping[str, str | None], targets: CpeTargets) -> bool:
    """Whether a record whose stored screens (:func:`stored_screens`, per ``vendor:product`` of
    the components being matched) are ``screens`` may yield a finding for some component whose own
    CPEs are among ``targets`` (the own CPEs of every component of a scan): what
    :meth:`StoredConfig.of_screens` would admit for one of them, read before the record's trees
    are loaded. Conservative: a screen not filled yet (``None``), empty or in another format, a
    wildcard name, and a target whose vendor or product is ANY admit."""
    if targets.any_name:
        return True
    by_key = targets.by_key
    for key, text in screens.items():
        parsed = _parse_key_screen(text) if text else None
        if parsed is None:
            return True  # decoded instead of screened: decided when matched
        _, wild, key_screen = parsed
        if wild:
            return True
        if key_screen is not None:
            for version, vclass, vkey in by_key.get(key, ()):
                if key_screen.admits(version, vclass, vkey):
                    return True
    return False


def _bound_key(value: str, inclusive: bool) -> _Bound:
    key = version_key(value)
    if key is None:
        raise CpeError(f"version bound {value!r} has no version components", field="version")
    return (key, bool(inclusive))


class CpeInventory:
    """CPEs indexed for leaf evaluation (build once, query for many cpeMatch entries).

    :meth:`candidates` returns, in the original order, every CPE a criterion could match: those
    with the criterion's ``vendor:product`` (:attr:`CpeCriterion.key`) and, for an exact-version
    criterion, only those of its :attr:`CpeCriterion.version_class` or with version ANY; plus
    those whose vendor or product is ANY (a target left ANY matches any value). A criterion whose
    vendor or product has a wildcard gets every CPE. Only candidates are then compared.
    """

    __slots__ = (
        "_by_key",
        "_by_version",
        "_classes",
        "_fallback",
        "_fixed",
        "_hits",
        "_keyed",
        "_keyed_versions",
        "_merged",
        "_tests",
        "_version_keys",
        "cpes",
    )

    def __init__(self, cpes: Sequence[Cpe]) -> None:
        self.cpes: tuple[Cpe, ...] = tuple(cpes)
        self._by_key: dict[str, list[int]] = {}
        self._by_version: dict[tuple[str, object], list[int]] = {}
        self._fallback: list[int] = []
        for pos, cpe in enumerate(self.cpes):
            if cpe.vendor == ANY or cpe.product == ANY:
                self._fallback.append(pos)
                continue
            key = cpe.vendor_product
            self._by_key.setdefault(key, []).append(pos)
            version = cpe.version
            slot = (key, ANY if version == ANY else version_class(version) if version != NA else NA)
            self._by_version.setdefault(slot, []).append(pos)
        self._merged: dict[object, tuple[Cpe, ...]] = {}
        self._keyed = {key: tuple(self.cpes[p] for p in positions) for key, positions in self._by_key.items()}
        self._version_keys: dict[str, tuple[Any, ...]] = {}
        self._keyed_versions: dict[str, tuple[tuple[Cpe, Any], ...]] = {}
        self._tests: dict[_Plan, frozenset[int]] = {}
        self._hits: dict[_Plan, Mapping[int, Cpe]] = {}
        self._fixed: dict[tuple[_Plan, bool], tuple[_Tri, tuple[CpeEvidence, ...], bool]] = {}
        self._classes: dict[str, tuple[bool, frozenset[object]]] = {}
        for key, vclass in self._by_version:
            any_version, classes = self._classes.get(key, (False, frozenset()))
            if vclass == ANY:
                any_version = True
            elif vclass != NA:
                classes = classes | {vclass}
            self._classes[key] = (any_version, classes)

    @property
    def has_fallback(self) -> bool:
        """Some CPE has vendor or product ANY (it may match any entry)."""
        return bool(self._fallback)

    def shares_key(self, keys: frozenset[str]) -> bool:
        """Whether a CPE (with a concrete vendor and product) has one of these ``vendor:product``."""
        return not keys.isdisjoint(self._keyed)

    def vendor_products(self) -> Iterator[str]:
        """The ``vendor:product`` keys of the CPEs (those with a concrete vendor and product)."""
        return iter(self._keyed)

    def keyed(self, key: str) -> tuple[Cpe, ...]:
        """The CPEs with this ``vendor:product``, in inventory order."""
        return self._keyed.get(key, ())

    def version_classes(self, key: str) -> tuple[bool, frozenset[object]]:
        """Whether a CPE with this key has version ANY, and the version classes of the others."""
        return self._classes.get(key, (False, frozenset()))

    def version_keys(self, key: str) -> tuple[Any, ...]:
        """The distinct vendor version keys of the concrete versions of the CPEs with this
        ``vendor:product`` (what a bounded entry compares; parsed once per inventory)."""
        found = self._version_keys.get(key)
        if found is None:
            keys = (version_key(c.version) for c in self._keyed.get(key, ()) if c.version not in (ANY, NA))
            found = self._version_keys[key] = tuple(dict.fromkeys(k for k in keys if k is not None))
        return found

    def keyed_versions(self, key: str) -> tuple[tuple[Cpe, Any], ...]:
        """The CPEs with this ``vendor:product`` and the vendor key of each one's concrete version
        (``None`` for ANY, NA or a version without one), in inventory order."""
        found = self._keyed_versions.get(key)
        if found is None:
            found = self._keyed_versions[key] = tuple(
                (c, None if c.version in (ANY, NA) else version_key(c.version))
                for c in self._keyed.get(key, ())
            )
        return found

    def first_match(self, criterion: CpeCriterion) -> Cpe | None:
        """The first CPE (inventory order) ``criterion`` matches, comparing only candidates: those
        of :meth:`candidates` and, for a bounded criterion, only those whose version key lies within
        the bounds (the version test of :meth:`CpeCriterion.matches`, done first and cheaply)."""
        start, end = criterion.start, criterion.end
        if criterion.key is None or self._fallback or (start is None and end is None):
            for cpe in self.candidates(criterion):
                if criterion.matches(cpe):
                    return cpe
            return None
        for cpe, key in self.keyed_versions(criterion.key):
            if key is not None and _within(key, start, end) and criterion.matches(cpe):
                return cpe
        return None

    def plan_tests(self, plan: _Plan, *, keep: bool = False) -> frozenset[int]:
        """Entries of ``plan`` (besides its wildcard-name ones) that a CPE of this inventory may
        satisfy, as :meth:`candidates` selects them: for a version ANY every unbounded entry of
        its ``vendor:product``, else the entries of its version class and the other unbounded
        ones; a bounded entry only when some version key lies within its bounds (ANY, NA or a
        version without a key never does). ``keep``: remember the answer for this plan (for an
        inventory shared by many evaluations)."""
        if not self._keyed:
            return _NO_TESTS
        found = self._tests.get(plan) if keep else None
        if found is None:
            found = self._plan_tests(plan)
            if keep:
                self._tests[plan] = found
        return found

    def plan_hits(self, plan: _Plan) -> Mapping[int, Cpe]:
        """The entries of ``plan`` a CPE of this inventory satisfies, each with the first such CPE
        (:meth:`first_match`), kept for a plan kept on its prepared node (for an inventory shared
        by many evaluations, e.g. the platform CPEs of an SBOM)."""
        if not self.cpes:
            return _NO_HITS
        found = self._hits.get(plan)
        if found is None:
            tests = self.plan_tests(plan).union(plan.wild) if plan.wild else self.plan_tests(plan)
            hits = {i: cpe for i in tests if (cpe := self.first_match(plan.criteria[i])) is not None}
            found = hits or _NO_HITS
            if plan.cacheable:
                self._hits[plan] = found
        return found

    def _plan_tests(self, plan: _Plan) -> frozenset[int]:
        groups = plan.groups
        keys = self._keyed if len(self._keyed) < len(groups) else groups
        test: set[int] = set()
        for key in keys:
            group = groups.get(key)
            if group is None or key not in self._keyed:
                continue  # no CPE has this vendor:product: every entry keeps its unmatched value
            exact, other, unbounded, ranged = group
            any_version, classes = self.version_classes(key)
            if any_version:
                test.update(unbounded)
            else:
                test.update(other)
                if len(exact) < len(classes):
                    for vclass, indexes in exact.items():
                        if vclass in classes:
                            test.update(indexes)
                else:
                    for vclass in classes:
                        test.update(exact.get(vclass, ()))
            if ranged:
                versions = self.version_keys(key)
                if versions:
                    test.update(
                        i for i, start, end in ranged if any(_within(k, start, end) for k in versions)
                    )
        return frozenset(test) if test else _NO_TESTS

    def candidates(self, criterion: CpeCriterion) -> Sequence[Cpe]:
        """The CPEs ``criterion`` may match, in inventory order."""
        key = criterion.key
        if key is None:
            return self.cpes
        vclass = criterion.version_class
        slot = key if vclass is None else (key, vclass)
        found = self._merged.get(slot)
        if found is None:
            if vclass is None:
                positions = self._by_key.get(key, [])
            else:
                exact = self._by_version.get((key, vclass), [])
                positions = sorted((*exact, *self._by_version.get((key, ANY), ())))
            if self._fallback:
                positions = sorted((*positions, *self._fallback))
            found = self._merged[slot] = tuple(self.cpes[p] for p in positions)
        return found

    def __len__(self) -> int:
        return len(self.cpes)


_NO_TESTS: frozenset[int] = frozenset()
_NO_HITS: Mapping[int, Cpe] = MappingProxyType({})
_EMPTY = CpeInventory(())


class _Evaluator:
    """One root node's evaluation: a leaf is true when an ``own`` CPE, else a ``shared`` one, matches
    (the first in that order is the evidence)."""

    def __init__(self, own: CpeInventory, shared: CpeInventory, platforms_known: bool) -> None:
        self.own = own
        self.shared = shared
        self.platforms_known = platforms_known
        self.evidence: list[CpeEvidence] = []
        self.vulnerable_hit = False

    def match(self, entry: CpeMatchLike) -> _Tri:
        try:
            criterion = prepare_criterion(entry)
        except CpeError:
            return False  # malformed upstream criterion: never matches (ingest reports it)
        for cpe in self.own.candidates(criterion):
            if criterion.matches(cpe):
                return self._hit(entry, cpe)
        if self.shared.cpes:
            for cpe in self.shared.candidates(criterion):
                if criterion.matches(cpe):
                    return self._hit(entry, cpe)
        if not entry.vulnerable and not self.platforms_known:
            return None
        return False

    def _hit(self, entry: CpeMatchLike, cpe: Cpe) -> bool:
        self.evidence.append(CpeEvidence(entry, cpe))
        self.vulnerable_hit = self.vulnerable_hit or entry.vulnerable
        return True

    def planned(self, plan: _Plan) -> _Tri:
        """:meth:`node` through the node's plan (same values and evidence, in entry order).

        A subtree none of whose entries has the ``vendor:product`` of an own CPE (nor a wildcard
        name) depends on the shared inventory only, e.g. the running-on half of an AND: its value
        and evidence are the same for every component, so the shared inventory keeps them for
        the run instead of evaluating the subtree again for each one."""
        keys = plan.keys
        if keys is None or not plan.cacheable or not self.shared.cpes:
            return self._planned(plan)
        if self.own.shares_key(keys):
            return self._planned(plan)
        slot = (plan, self.platforms_known)
        fixed = self.shared._fixed.get(slot)  # noqa: SLF001 - the inventory's per-run memo
        if fixed is None:
            mark, hit_before = len(self.evidence), self.vulnerable_hit
            self.vulnerable_hit = False
            result = self._planned(plan)
            self.shared._fixed[slot] = (result, tuple(self.evidence[mark:]), self.vulnerable_hit)  # noqa: SLF001
            self.vulnerable_hit = self.vulnerable_hit or hit_before
            return result
        result, evidence, hit = fixed
        if evidence:
            self.evidence.extend(evidence)
        self.vulnerable_hit = self.vulnerable_hit or hit
        return result

    def _planned(self, plan: _Plan) -> _Tri:
        values = [self.planned(child) for child in plan.children]
        own = self.own
        # Entries some own CPE may satisfy (plan_tests; wildcard names: any CPE), and what the
        # shared inventory satisfies, the same for every component (kept per plan for the run).
        own_tests = own.plan_tests(plan).union(plan.wild) if plan.wild else own.plan_tests(plan)
        shared_hits = self.shared.plan_hits(plan)
        soft_hits = hard_hits = 0
        for index in sorted(own_tests.union(shared_hits)):
            entry, criterion = plan.entries[index], plan.criteria[index]
            hit = own.first_match(criterion) if index in own_tests else None
            if hit is None:
                hit = shared_hits.get(index)
            if hit is not None:
                self._hit(entry, hit)
                if entry.vulnerable:
                    hard_hits += 1
                else:
                    soft_hits += 1
        soft, hard = plan.soft - soft_hits, plan.hard - hard_hits  # unmatched entries
        if self.platforms_known:
            hard, soft = hard + soft, 0
        if plan.and_:
            result: _Tri = False if hard or False in values else None if soft or None in values else True
        else:
            matched = soft_hits or hard_hits or True in values
            result = True if matched else None if soft or None in values else False
        if plan.negate and result is not None:
            return not result
        return result

    def node(self, node: ConfigNodeLike) -> _Tri:
        values = [self.node(child) for child in node.children]
        values += [self.match(entry) for entry in node.cpe_matches]
        result = _all(values) if node.operator.upper() == "AND" else _any(values)
        if node.negate and result is not None:
            return not result
        return result


def _any(values: list[_Tri]) -> _Tri:
    if any(v is True for v in values):
        return True
    return None if any(v is None for v in values) else False


def _all(values: list[_Tri]) -> _Tri:
    if any(v is False for v in values):
        return False
    return None if any(v is None for v in values) else True


def evaluate_configurations(
    nodes: Sequence[ConfigNodeLike],
    cpes: Sequence[Cpe],
    platforms: Sequence[Cpe] | None = None,
) -> ConfigMatch:
    """Evaluate root configuration ``nodes`` (alternatives) for a product version.

    ``cpes`` are the component's own CPEs; ``platforms`` the CPEs of what it runs on
    (operating system, hardware), or ``None`` when they are not known. Both sets are used
    for every entry (the vulnerable part may be the platform, e.g. BlueKeep on Windows 7).
    """
    shared = CpeInventory(platforms) if platforms else _EMPTY
    return evaluate_indexed(nodes, cpes, shared, platforms_known=platforms is not None)


def evaluate_indexed(
    nodes: Sequence[ConfigNodeLike],
    own: Sequence[Cpe] | CpeInventory,
    shared: CpeInventory,
    *,
    platforms_known: bool = False,
) -> ConfigMatch:
    """:func:`evaluate_configurations` against a component's ``own`` CPEs (tried first, in order)
    and an inventory indexed once for many components (e.g. every platform CPE of an SBOM):
    each entry is compared with its ``vendor:product`` candidates only. ``platforms_known``
    False makes an unmatched running-on entry unknown (a partial match), as ``platforms=None``."""
    partial: ConfigMatch | None = None
    own_index = own if isinstance(own, CpeInventory) else CpeInventory(own)
    per_entry = own_index.has_fallback or shared.has_fallback  # an ANY vendor/product CPE: no grouping
    for root in nodes:
        ev = _Evaluator(own_index, shared, platforms_known)
        if per_entry:
            result = ev.node(root)
        else:
            result = ev.planned(root.plan if isinstance(root, PreparedNode) else _Plan(root))
        if result is True and ev.vulnerable_hit:
            return ConfigMatch(True, False, tuple(ev.evidence))
        if result is None and ev.vulnerable_hit and partial is None:
            partial = ConfigMatch(False, True, tuple(ev.evidence))
    return partial or ConfigMatch(False, False, ())


drop_at_exit(
    _SHARED_NODES.clear, _KEY_SETS.clear, _prepare_fields.cache_clear, _screen_name.cache_clear,
    _parse_key_screen.cache_clear, _screens_of.cache_clear,
)  # fmt: skip
