"""Native range strings of non-OSV advisory formats: npm semver ranges and ``vers:`` URIs.

Both parse into a :class:`ConstraintRange`: an OR of AND-ed comparators whose versions are
pre-parsed keys of one :mod:`~medvigil.core.matching.versions` scheme, so evaluation is a
few tuple comparisons.

npm ranges follow node-semver's grammar (``||``, space-separated comparators, ``-``
hyphen ranges, ``~``, ``^``, ``x``/``*`` partials, loose ``v``/``=`` prefixes and spaces
after operators) with ``includePrerelease: true``, which is how npm's own audit
(``@npmcli/metavuln-calculator``) evaluates advisory ranges: a pre-release is ordered
by plain SemVer precedence and is not excluded by the prerelease-tag rule.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from medvigil.core.errors import InputError
from medvigil.core.matching.versions import InvalidVersionError, get_scheme

__all__ = ["ConstraintRange", "RangeSyntaxError", "parse_npm_range", "parse_vers"]


def _vers_from_string(text: str) -> Any:
    """univers' ``vers`` parser (imported on first use: univers is slow to import, and untyped)."""
    from univers.version_range import VersionRange

    parse: Callable[[str], Any] = VersionRange.from_string  # univers is untyped
    return parse(text)


Comparator = tuple[str, Any]
"""``(operator, key)`` with operator one of ``<``, ``<=``, ``>``, ``>=``, ``=``."""


class RangeSyntaxError(InputError):
    """A native range string (npm, vers, CSAF wording) cannot be parsed."""


@dataclass(frozen=True, slots=True)
class ConstraintRange:
    """OR of AND-ed comparators over one version scheme."""

    ecosystem: str
    """Scheme name used for the keys (``npm``, ``pypi``, ``generic``, ...)."""
    text: str
    """The range as written."""
    alternatives: tuple[tuple[Comparator, ...], ...]
    """Each alternative holds when all its comparators hold; an empty one holds always."""
    excluded: tuple[Any, ...] = ()
    """Keys that never match (``vers`` ``!=`` constraints)."""

    def contains(self, version: str) -> bool | None:
        """Whether ``version`` is in the range; ``None`` when it is invalid in the scheme."""
        try:
            key = get_scheme(self.ecosystem).key(version)
        except InvalidVersionError:
            return None
        return self.contains_key(key)

    def contains_key(self, key: Any) -> bool:
        """Evaluate for an already-parsed key."""
        for ex in self.excluded:
            if not (key < ex or ex < key):
                return False
        return any(all(_holds(key, op, bound) for op, bound in alt) for alt in self.alternatives)


def _holds(key: Any, op: str, bound: Any) -> bool:
    if op == "<":
        return bool(key < bound)
    if op == "<=":
        return not bound < key
    if op == ">":
        return bool(bound < key)
    if op == ">=":
        return not key < bound
    return not (key < bound or bound < key)


# --- npm ---------------------------------------------------------------------------------

_PARTIAL_RE = re.compile(
    r"^[v=]*(\d+|[xX*])(?:\.(\d+|[xX*])(?:\.(\d+|[xX*])"
    r"(?:-?([0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?(?:\+[0-9A-Za-z.-]+)?)?)?$"
)
_OP_RE = re.compile(r"^(<=|>=|<|>|=|~>|~|\^)?(.*)$")
_OP_SPACE_RE = re.compile(r"(<=|>=|<|>|=|~>|~|\^)\s+")
_HYPHEN_RE = re.compile(r"^\s*(\S+)\s+-\s+(\S+)\s*$")

Partial = tuple[int | None, int | None, int | None, str | None]


def _partial(text: str, source: str) -> Partial:
    match = _PARTIAL_RE.match(text)
    if match is None:
        raise RangeSyntaxError(f"bad version {text!r} in npm range {source!r}")
    parts = [None if g is None or g in "xX*" else int(g) for g in match.groups()[:3]]
    major, minor, patch = parts
    if major is None:
        minor = patch = None
    elif minor is None:
        patch = None
    return (major, minor, patch, match.group(4) if patch is not None else None)


def _v(major: int, minor: int, patch: int, pre: str | None = None) -> str:
    return f"{major}.{minor}.{patch}" + (f"-{pre}" if pre else "")


def _tilde(p: Partial) -> list[tuple[str, str]]:
    major, minor, patch, pre = p
    if major is None:
        return []
    if minor is None:
        return [(">=", _v(major, 0, 0)), ("<", _v(major + 1, 0, 0, "0"))]
    low = _v(major, minor, patch if patch is not None else 0, pre)
    return [(">=", low), ("<", _v(major, minor + 1, 0, "0"))]


def _caret(p: Partial) -> list[tuple[str, str]]:
    major, minor, patch, pre = p
    if major is None:
        return []
    if minor is None:
        return [(">=", _v(major, 0, 0, "0")), ("<", _v(major + 1, 0, 0, "0"))]
    low = _v(major, minor, patch, pre) if patch is not None else _v(major, minor, 0, "0")
    if major > 0:
        upper = _v(major + 1, 0, 0, "0")
    elif minor > 0 or patch is None:
        upper = _v(0, minor + 1, 0, "0")
    else:
        upper = _v(0, 0, patch + 1, "0")
    return [(">=", low), ("<", upper)]


def _xrange(op: str, p: Partial) -> list[tuple[str, str]]:
    major, minor, patch, pre = p
    if major is None:
        return [("<", "0.0.0-0")] if op in ("<", ">") else []
    if patch is not None:
        return [(op or "=", _v(major, minor or 0, patch, pre))]
    if op in ("", "="):
        if minor is None:
            return [(">=", _v(major, 0, 0, "0")), ("<", _v(major + 1, 0, 0, "0"))]
        return [(">=", _v(major, minor, 0, "0")), ("<", _v(major, minor + 1, 0, "0"))]
    bump = (major + 1, 0) if minor is None else (major, minor + 1)
    if op == ">":
        return [(">=", _v(*bump, 0, "0"))]
    if op == "<=":
        return [("<", _v(*bump, 0, "0"))]
    return [(op, _v(major, minor or 0, 0, "0"))]


def _hyphen(low: Partial, high: Partial) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    if low[0] is not None:
        out.append((">=", _v(low[0], low[1] or 0, low[2] or 0, low[3] if low[2] is not None else "0")))
    hmaj, hmin, hpat, hpre = high
    if hmaj is None:
        return out
    if hmin is None:
        out.append(("<", _v(hmaj + 1, 0, 0, "0")))
    elif hpat is None:
        out.append(("<", _v(hmaj, hmin + 1, 0, "0")))
    else:
        out.append(("<=", _v(hmaj, hmin, hpat, hpre)))
    return out


def _npm_set(text: str, source: str) -> list[tuple[str, str]]:
    hyphen = _HYPHEN_RE.match(text)
    if hyphen:
        return _hyphen(_partial(hyphen.group(1), source), _partial(hyphen.group(2), source))
    out: list[tuple[str, str]] = []
    for token in _OP_SPACE_RE.sub(r"\1", text).split():
        match = _OP_RE.match(token)
        op, rest = (match.group(1) or "", match.group(2)) if match else ("", token)
        if op and not rest:
            raise RangeSyntaxError(f"operator without version in npm range {source!r}")
        p = _partial(rest, source)
        if op in ("~", "~>"):
            out.extend(_tilde(p))
        elif op == "^":
            out.extend(_caret(p))
        else:
            out.extend(_xrange(op, p))
    return out


def parse_npm_range(text: str) -> ConstraintRange:
    """Parse an npm semver range (``>=1.2.3 <2.0.0 || ^3.1``); raise :class:`RangeSyntaxError`."""
    scheme = get_scheme("npm")
    alternatives = []
    for part in text.split("||"):
        try:
            comps = tuple((op, scheme.key(v)) for op, v in _npm_set(part.strip(), text))
        except InvalidVersionError as exc:
            raise RangeSyntaxError(f"{exc.message} in npm range {text!r}") from None
        alternatives.append(comps)
    return ConstraintRange("npm", text, tuple(alternatives))


# --- vers --------------------------------------------------------------------------------


def parse_vers(text: str) -> ConstraintRange:
    """Parse a ``vers:<scheme>/<constraints>`` string (validated by univers).

    The constraints are re-keyed with our scheme of the same name and turned into
    intervals following the vers containment rules (``=`` and ``!=`` first, then each
    lower bound paired with the next upper bound). ``vers:all/*`` matches everything.
    """
    try:
        parsed = _vers_from_string(text)
    except (ValueError, TypeError) as exc:
        raise RangeSyntaxError(f"bad vers range {text!r}: {exc}") from None
    scheme_name = text.split(":", 1)[1].split("/", 1)[0].strip().lower()
    if scheme_name in ("all", "none"):
        alts: tuple[tuple[Comparator, ...], ...] = ((),) if scheme_name == "all" else ()
        return ConstraintRange("generic", text, alts)
    try:
        scheme = get_scheme(scheme_name)
        items = [(str(c.comparator), scheme.key(c.version.string)) for c in parsed.constraints]
    except (KeyError, InvalidVersionError) as exc:
        raise RangeSyntaxError(f"unsupported vers range {text!r}: {exc}") from None
    return _vers_intervals(scheme_name, text, items)


def _by_key(a: tuple[str, Any], b: tuple[str, Any]) -> int:
    return -1 if a[1] < b[1] else (1 if b[1] < a[1] else 0)


def _vers_intervals(scheme: str, text: str, items: list[tuple[str, Any]]) -> ConstraintRange:
    items = sorted(items, key=functools.cmp_to_key(_by_key))
    if any(op == "*" for op, _ in items):
        return ConstraintRange(scheme, text, ((),))
    alts: list[tuple[Comparator, ...]] = [(("=", k),) for op, k in items if op == "="]
    excluded = tuple(k for op, k in items if op == "!=")
    lower: Comparator | None = None
    for op, key in items:
        if op in (">", ">="):
            if lower is not None:
                alts.append((lower,))
            lower = (op, key)
        elif op in ("<", "<="):
            alts.append((lower, (op, key)) if lower else ((op, key),))
            lower = None
    if lower is not None:
        alts.append((lower,))
    return ConstraintRange(scheme, text, tuple(alts), excluded)
