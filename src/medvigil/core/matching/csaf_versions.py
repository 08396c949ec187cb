"""CISA's version wording in CSAF product trees, turned into version predicates.

CISA writes product versions as prose or pseudo-``vers`` in ``product_version`` /
``product_version_range`` branch names and full product names: ``versions prior to 8.2``,
``8.1 and earlier``, ``<= 2.4A``, ``>= 1.0.0 | <= 1.3.1`` (``|`` pairs a lower with an
upper bound, as in ``vers``; otherwise it separates alternatives), ``8.x``,
``4.01 through 4.34``, ``all versions``, ``vers:generic/<8.2``.

:func:`parse_csaf_version` returns a :class:`CsafVersionRange` (the original text, what was
left out as a qualifier, and a :class:`~medvigil.core.matching.native_ranges.ConstraintRange`
over vendor version keys), or ``None`` when the wording is not understood (dates such as
``< July 1 2017``, model lists, free text). Nothing is guessed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from medvigil.core.matching.native_ranges import (
    Comparator,
    ConstraintRange,
    RangeSyntaxError,
    parse_vers,
)
from medvigil.core.matching.versions import InvalidVersionError, get_scheme

__all__ = ["CsafVersionRange", "parse_csaf_version"]

_SCHEME = "generic"
_V = r"(v?[0-9a-z][0-9a-z._\-]*(?:\s+(?:sp|service pack|build|sr|mr|d|update|patch)\s*[0-9a-z.]+)?)"
_PREFIX_RE = re.compile(r"^(?:all\s+)?(?:(?:software|firmware)\s+)?(?:versions?|releases?)(?:\s*:)?\s+(?=\S)")
_ALL_RE = re.compile(r"^(?:\*|all|all versions?|all software versions|all releases)$")
_MONTHS = re.compile(r"\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\b|\d+/\d+/\d+|\bshipped\b")
_QUALIFIER_RE = re.compile(r"\s+(?:running on|on windows|with|model|integrated|installed)\b.*$")
_PHRASES: tuple[tuple[re.Pattern[str], tuple[str, ...]], ...] = (
    (re.compile(rf"^(?:prior to|before|earlier than|older than|<)\s*(?:version\s+)?{_V}$"), ("<",)),
    (re.compile(rf"^(?:<=|up to(?: and including)?)\s*(?:version\s+)?{_V}$"), ("<=",)),
    (re.compile(rf"^(?:>=|from)\s*(?:version\s+)?{_V}$"), (">=",)),
    (re.compile(rf"^>\s*{_V}$"), (">",)),
    (re.compile(rf"^{_V}\s+(?:and|or)\s+(?:earlier|prior|below|lower|older)(?:\s+versions?)?$"), ("<=",)),
    (re.compile(rf"^{_V}\s+(?:and|or)\s+(?:later|newer|above|higher)(?:\s+versions?)?$"), (">=",)),
    (re.compile(rf"^(?:between\s+)?{_V}\s+(?:through to|through|thru|to|-)\s+{_V}$"), (">=", "<=")),
    (re.compile(rf"^between\s+{_V}\s+and\s+{_V}$"), (">=", "<=")),
    (re.compile(rf"^{_V}\s+and\s+{_V}$"), ("=", "|=")),
    (re.compile(rf"^=?\s*{_V}$"), ("=",)),
)


@dataclass(frozen=True, slots=True)
class CsafVersionRange:
    """A CSAF version phrase understood as a predicate over vendor versions."""

    text: str
    """The phrase as written."""
    range: ConstraintRange
    """The predicate (``generic`` vendor-version scheme)."""
    qualifier: str = ""
    """Text that was set aside (``(end-of-life 2011)``, ``running on Windows 2000``)."""

    @property
    def all_versions(self) -> bool:
        """True for ``all versions`` / ``*``."""
        return any(not alt for alt in self.range.alternatives)

    def contains(self, version: str) -> bool | None:
        """Whether ``version`` falls in the range (``None`` if it has no version parts)."""
        return self.range.contains(version)


def _wildcard(op: str, version: str) -> list[Comparator] | None:
    prefix = re.split(r"\.x(?:\.|$)", version, maxsplit=1)[0]
    head, _, last = prefix.rpartition(".")
    if not last.isdigit():
        return None
    bumped = f"{head}.{int(last) + 1}" if head else str(int(last) + 1)
    key = get_scheme(_SCHEME).key
    low, high = key(prefix), key(bumped)
    table: dict[str, list[Comparator]] = {
        "=": [(">=", low), ("<", high)],
        "<": [("<", low)],
        "<=": [("<", high)],
        ">=": [(">=", low)],
        ">": [(">=", high)],
    }
    return table[op]


def _comparators(op: str, version: str) -> list[Comparator] | None:
    version = version.strip()
    if version[:1] == "v" and version[1:2].isdigit():
        version = version[1:]
    if re.search(r"\.x(?:\.|$)", version):
        return _wildcard(op, version)
    try:
        return [(op, get_scheme(_SCHEME).key(version))]
    except InvalidVersionError:
        return None


def _part(text: str) -> list[tuple[Comparator, ...]] | None:
    """One ``|``-separated piece -> alternatives (each an AND of comparators)."""
    if _ALL_RE.match(text):
        return [()]
    if _MONTHS.search(text):
        return None
    for pattern, ops in _PHRASES:
        match = pattern.match(text)
        if match is None:
            continue
        comps = [_comparators(op.lstrip("|"), v) for op, v in zip(ops, match.groups(), strict=True)]
        if any(c is None for c in comps):
            return None
        if ops[-1].startswith("|"):
            return [tuple(c) for c in comps if c is not None]
        return [tuple(x for c in comps if c is not None for x in c)]
    return None


def _combine(parts: list[list[tuple[Comparator, ...]]]) -> tuple[tuple[Comparator, ...], ...]:
    """Pair a lone lower bound with a following lone upper bound (CISA's ``>= a | <= b``)."""
    out: list[tuple[Comparator, ...]] = []
    pending: tuple[Comparator, ...] | None = None
    for alts in parts:
        single = alts[0] if len(alts) == 1 and len(alts[0]) == 1 else None
        if pending is not None and single is not None and single[0][0] in ("<", "<="):
            out.append(pending + single)
            pending = None
            continue
        if pending is not None:
            out.append(pending)
            pending = None
        if single is not None and single[0][0] in (">", ">="):
            pending = single
        else:
            out.extend(alts)
    if pending is not None:
        out.append(pending)
    return tuple(out)


def _split_qualifier(text: str) -> tuple[str, str]:
    qualifiers = re.findall(r"\([^)]*\)", text)
    core = re.sub(r"\([^)]*\)", " ", text)
    match = _QUALIFIER_RE.search(core)
    if match:
        qualifiers.append(match.group().strip())
        core = core[: match.start()]
    return " ".join(core.split()), " ".join(qualifiers)


def parse_csaf_version(text: str) -> CsafVersionRange | None:
    """Parse CISA version wording; ``None`` when it is not understood."""
    stripped = text.strip()
    if stripped.lower().startswith("vers:"):
        try:
            return CsafVersionRange(text, parse_vers(stripped))
        except RangeSyntaxError:
            return None
    core, qualifier = _split_qualifier(stripped.lower())
    core = _PREFIX_RE.sub("", core)
    if not core:
        return None
    parts = [_part(p.strip()) for p in core.split("|")]
    if not parts or any(p is None for p in parts):
        return None
    alternatives = _combine([p for p in parts if p is not None])
    return CsafVersionRange(text, ConstraintRange(_SCHEME, text, alternatives), qualifier)
