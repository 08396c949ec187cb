r"""CPE names: 2.3 formatted strings and 2.2 URIs, and NVD cpeMatch criteria.

A :class:`Cpe` keeps its eleven attributes in one canonical formatted-string form (NISTIR 7695
6.2: each value unbound, then bound back): lower case, ``*`` ANY, ``-`` NA, every character
other than ``a-z0-9_.-`` quoted with ``\``, and unquoted ``*``/``?`` wildcards only at the
beginning or end of a value. Whatever the spelling (``c\+\+`` or the sloppy ``c++``, a 2.2 URI's
``%2b%2b``), one name gives one :class:`Cpe`, on the advisory side and the inventory side alike,
and :func:`vendor_product_of` is the one candidate key of both.

Attribute matching follows CPE name matching (NISTIR 7696) as used for vulnerability
look-ups: a criterion attribute that is ANY matches anything; NA matches only NA (or an
unknown ANY target); a value matches an equal value (or a target left as ANY); a criterion
value with wildcards matches by NISTIR 7696's string comparison; a target (component) name
with a wildcard compares *undefined*, so it matches nothing. Versions
are the exception: a criterion with ``versionStart*``/``versionEnd*`` bounds needs a
concrete target version, compared with :func:`~medvigil.core.matching.version_keys.vendor_key`
(``2.4a`` > ``2.4``, ``8.1 SP2`` < ``8.2``).
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote

from medvigil.core.errors import InputError
from medvigil.core.matching.teardown import drop_at_exit
from medvigil.core.matching.version_keys import vendor_key

__all__ = [
    "ATTRIBUTES",
    "Cpe",
    "CpeCriterion",
    "CpeError",
    "has_wildcard",
    "parse_cpe",
    "quote_value",
    "split_key",
    "vendor_product_of",
    "version_class",
    "version_key",
]

ATTRIBUTES = (
    "part",
    "vendor",
    "product",
    "version",
    "update",
    "edition",
    "language",
    "sw_edition",
    "target_sw",
    "target_hw",
    "other",
)
"""The eleven WFN attributes, in formatted-string order."""

ANY, NA = "*", "-"


class CpeError(InputError):
    """A string is not a CPE 2.3 formatted string or 2.2 URI."""


@dataclass(frozen=True, slots=True)
class Cpe:
    """A CPE name; each attribute in lower-cased formatted-string form (``*`` ANY, ``-`` NA)."""

    part: str
    """``a`` application, ``o`` operating system, ``h`` hardware (or ANY)."""
    vendor: str
    """Vendor, e.g. ``medtronic``."""
    product: str
    """Product, e.g. ``minimed_508_firmware``."""
    version: str
    """Version as written, e.g. ``2.4a``."""
    update: str = ANY
    """Update / service pack, e.g. ``sp1``."""
    edition: str = ANY
    """Legacy edition."""
    language: str = ANY
    """Language tag."""
    sw_edition: str = ANY
    """Software edition."""
    target_sw: str = ANY
    """Target software (platform), e.g. ``android``."""
    target_hw: str = ANY
    """Target hardware, e.g. ``x64``."""
    other: str = ANY
    """Other."""
    wild: bool = field(init=False, compare=False, repr=False)
    """Some attribute has a wildcard besides ANY: as a target (a component's CPE) such a name
    compares *undefined* with every criterion (NISTIR 7696), so it never matches."""

    def __post_init__(self) -> None:
        values = (
            *(self.part, self.vendor, self.product, self.version, self.update, self.edition),
            *(self.language, self.sw_edition, self.target_sw, self.target_hw, self.other),
        )
        joined = "".join(values)  # most names: no '?' and no '*' besides the ANY values
        wild = ("?" in joined or joined.count("*") != values.count(ANY)) and any(
            ("*" in v or "?" in v) and v != ANY and _has_wildcard(v) for v in values
        )
        object.__setattr__(self, "wild", wild)

    def values(self) -> tuple[str, ...]:
        """The eleven attributes in order."""
        return tuple(getattr(self, a) for a in ATTRIBUTES)

    def to_fs(self) -> str:
        """The CPE 2.3 formatted string."""
        return "cpe:2.3:" + ":".join(self.values())

    @property
    def vendor_product(self) -> str:
        """``vendor:product`` in canonical formatted-string form (a ``:`` in a value stays quoted,
        so the key splits unambiguously, see :func:`split_key`): the candidate-index key."""
        return f"{self.vendor}:{self.product}"


def split_key(key: str) -> tuple[str, str]:
    """``(vendor, product)`` of a :attr:`Cpe.vendor_product` key (split on its unquoted colon)."""
    if "\\" not in key:
        vendor, _, product = key.partition(":")
        return vendor, product
    vendor, product, *_ = [*_split_fs(key), ""]
    return vendor, product


def _split_fs(text: str) -> list[str]:
    if "\\" not in text:
        return text.split(":")  # nothing quoted: every colon separates (most names)
    parts: list[str] = []
    current: list[str] = []
    chars = iter(text)
    for c in chars:
        if c == "\\":
            current.append(c)
            current.append(next(chars, ""))
        elif c == ":":
            parts.append("".join(current))
            current = []
        else:
            current.append(c)
    parts.append("".join(current))
    return parts


@functools.lru_cache(maxsize=1 << 16)
def _unescape(value: str) -> str:
    if "\\" not in value:
        return value
    return _QUOTED_RE.sub(r"\1", value)


_QUOTED_RE = re.compile(r"\\(.)", re.DOTALL)
_SAFE = frozenset("abcdefghijklmnopqrstuvwxyz0123456789_.-")
"""Characters a formatted string leaves unquoted (NISTIR 7695 6.2.2: alphanumerics, ``_``, ``.``, ``-``)."""
_ONE, _MULTI = "\x01", "\x02"  # the wildcards ? and * in a logical value (literal characters as themselves)


def _bind(logical: str, where: str) -> str:
    """Bind a logical value (lower case; ``\x01``/``\x02`` for ``?``/``*``) to its canonical
    formatted-string form: special characters quoted, wildcards unquoted (NISTIR 7695 5.3.2: a
    single ``*``, or a run of ``?``, only at the beginning and/or the end)."""
    inner = logical[1:] if logical.startswith(_MULTI) else logical.lstrip(_ONE)
    inner = inner[:-1] if inner.endswith(_MULTI) else inner.rstrip(_ONE)
    if _ONE in inner or _MULTI in inner:
        raise CpeError(f"an unquoted '*' or '?' may only begin or end a value: {where!r}")
    if logical == NA:
        return "\\-"  # a literal hyphen, not the logical value NA
    out = []
    for c in logical:
        if c in _SAFE:
            out.append(c)
        elif c == _ONE:
            out.append("?")
        elif c == _MULTI:
            out.append("*")
        else:
            out.append("\\" + c)
    return "".join(out)


@functools.lru_cache(maxsize=1 << 17)
def _fs_value(raw: str) -> str:
    """One formatted-string attribute unbound (NISTIR 7695 6.2.3) and bound back canonically.

    ``*`` is ANY and ``-`` NA; ``\\x`` is the literal ``x``; an unquoted ``*``/``?`` is a wildcard;
    any other character is literal, quoted or not (``c++`` and ``c\\+\\+`` are the same value, as
    sloppy producers leave special characters unquoted). Case is folded (NISTIR 7696 compares
    lower case)."""
    if raw in ("", ANY):
        return ANY
    if raw == NA:
        return NA
    if _SAFE.issuperset(raw):
        return raw
    text = raw.lower()
    if _SAFE.issuperset(text):
        return text
    logical: list[str] = []
    chars = iter(text)
    for c in chars:
        if c == "\\":
            quoted = next(chars, None)
            if quoted is None:
                raise CpeError(f"a value cannot end with a lone backslash: {raw!r}")
            logical.append(quoted)
        elif c == "*":
            logical.append(_MULTI)
        elif c == "?":
            logical.append(_ONE)
        else:
            logical.append(c)
    return _bind("".join(logical), raw)


def quote_value(text: str) -> str:
    """A literal value (e.g. a component's version) as a canonical formatted-string attribute;
    ``*`` (ANY) when empty, ``-`` (NA) for a lone hyphen."""
    literal = text.strip().lower()
    if not literal:
        return ANY
    if literal == NA:
        return NA  # as in a formatted string: a lone hyphen is "not applicable"
    return _bind(literal.replace(_ONE, "").replace(_MULTI, ""), text)


def _uri_value(raw: str) -> str:
    """One CPE 2.2 URI component unbound (NISTIR 7695 6.1.3: ``%01`` ``?``, ``%02`` ``*``, other
    percent-encodings literal) and bound canonically."""
    if raw == "":
        return ANY
    if raw == NA:
        return NA
    decoded = unquote(raw.replace("%01", _ONE).replace("%02", _MULTI), errors="strict")
    return _bind(decoded.lower(), raw)


def _parse_uri(text: str) -> Cpe:
    """CPE 2.2 URI: part:vendor:product:version:update:edition:language, ``~``-packed edition."""
    fields = text[5:].split(":")
    if len(fields) > 7:
        raise CpeError(f"too many components in CPE 2.2 URI {text!r}")
    fields += [""] * (7 - len(fields))
    packed = [fields[5], "", "", "", ""]
    if fields[5].startswith("~"):
        packed = (fields[5][1:].split("~") + [""] * 5)[:5]
    values = [*fields[:5], packed[0], fields[6], *packed[1:]]
    try:
        return Cpe(*(_uri_value(v) for v in values))
    except UnicodeDecodeError:
        raise CpeError(f"bad percent-encoding in CPE 2.2 URI {text!r}") from None


@functools.lru_cache(maxsize=1 << 18)
def parse_cpe(text: str) -> Cpe:
    """Parse a CPE 2.3 formatted string (``cpe:2.3:...``) or a 2.2 URI (``cpe:/...``).

    Each attribute is unbound and bound back canonically (:func:`_fs_value`), so two spellings of
    one name (``c\\+\\+`` / ``c++``, upper / lower case, a 2.2 URI / a formatted string) give
    equal :class:`Cpe` values."""
    stripped = text.strip()
    if stripped.lower().startswith("cpe:/"):
        return _parse_uri(stripped)
    if not stripped.lower().startswith("cpe:2.3:"):
        raise CpeError(f"not a CPE 2.3 formatted string or 2.2 URI: {text!r}")
    parts = _split_fs(stripped)[2:]
    if len(parts) > 11 or not parts[0]:
        raise CpeError(f"CPE 2.3 name must have 11 components: {text!r}")
    parts += [ANY] * (11 - len(parts))
    try:
        return Cpe(*map(_fs_value, parts))
    except CpeError as exc:
        raise CpeError(f"{exc.message} in {text!r}") from None


def vendor_product_of(text: str) -> tuple[str, str] | None:
    """``(vendor, product)`` of a CPE name as :attr:`Cpe.vendor_product` spells them (canonical);
    ``None`` when ``text`` is not a well-formed CPE name. The candidate-index key of both sides:
    advisory criteria and inventory CPEs."""
    try:
        if text[:8].lower() == "cpe:2.3:" and "\\" not in text:  # fast path (most names)
            fields = text.split(":")
            if len(fields) < 5 or len(fields) > 13:
                return None
            return _fs_value(fields[3]), _fs_value(fields[4])
        cpe = parse_cpe(text)
    except CpeError:
        return None
    return cpe.vendor, cpe.product


@functools.lru_cache(maxsize=1 << 16)
def _has_wildcard(value: str) -> bool:
    """Whether a canonical value has an unquoted ``*`` or ``?`` (ANY is ``*``)."""
    if "*" not in value and "?" not in value:
        return False
    chars = iter(value)
    for c in chars:
        if c == "\\":
            next(chars, None)
        elif c in "*?":
            return True
    return False


@functools.lru_cache(maxsize=1 << 14)
def _wildcard_regex(value: str) -> re.Pattern[str]:
    """NISTIR 7696 string comparison as a regex: ``*`` any run of characters, each ``?`` of a
    leading or trailing run zero or one character."""
    out: list[str] = []
    chars = iter(value)
    for c in chars:
        if c == "\\":
            out.append(re.escape(next(chars, "")))
        elif c == "*":
            out.append(".*")
        elif c == "?":
            out.append(".?")
        else:
            out.append(re.escape(c))
    return re.compile("".join(out), re.DOTALL)


def attribute_matches(source: str, target: str) -> bool:
    """Whether a criterion attribute ``source`` matches a component attribute ``target``."""
    if source in (ANY, target):
        return True
    if target == ANY:
        return True
    if source == NA or target == NA:
        return False
    if _has_wildcard(source):
        return _wildcard_regex(source).fullmatch(_unescape(target)) is not None
    return _unescape(source) == _unescape(target)


@functools.lru_cache(maxsize=1 << 17)
def _version_key(value: str) -> Any:
    try:
        return vendor_key(_unescape(value))
    except ValueError:
        return None


@dataclass(frozen=True, slots=True)
class CpeCriterion:
    """An NVD cpeMatch prepared for evaluation (criteria parsed, bounds keyed)."""

    criteria: str
    """The criteria CPE string as given."""
    cpe: Cpe
    """Parsed criteria."""
    vulnerable: bool
    """NVD's ``vulnerable`` flag (False for running-on platform entries)."""
    start: tuple[Any, bool] | None = None
    """Lower bound key and whether it is inclusive."""
    end: tuple[Any, bool] | None = None
    """Upper bound key and whether it is inclusive."""
    key: str | None = field(init=False, compare=False)
    """The ``vendor:product`` a matching CPE has (unless its vendor or product is ANY); ``None``
    when the criterion's vendor or product has a wildcard (any CPE may match)."""
    version_class: object = field(init=False, compare=False)
    """For an exact version (no bounds, no wildcard, not ANY/NA): the :func:`version_class` a
    matching CPE's version has (unless it is ANY); else ``None`` (any version may match)."""
    others: tuple[tuple[str, str], ...] = field(init=False, compare=False, repr=False)
    """``(attribute, value)`` of the criterion's attributes after the version that are not ANY
    (what :meth:`matches` compares besides part, vendor, product and version; most have none)."""

    def __post_init__(self) -> None:
        cpe = self.cpe
        others = tuple((a, v) for a in _OTHERS if (v := getattr(cpe, a)) != ANY)
        object.__setattr__(self, "others", others)
        vendor, product, version = self.cpe.vendor, self.cpe.product, self.cpe.version
        wild = _has_wildcard(vendor) or _has_wildcard(product)
        object.__setattr__(self, "key", None if wild else self.cpe.vendor_product)
        exact = self.start is None and self.end is None and version != NA and not _has_wildcard(version)
        object.__setattr__(self, "version_class", version_class(version) if exact else None)

    @classmethod
    def build(
        cls,
        criteria: str,
        vulnerable: bool,
        *,
        version_start_including: str | None = None,
        version_start_excluding: str | None = None,
        version_end_including: str | None = None,
        version_end_excluding: str | None = None,
    ) -> CpeCriterion:
        """Prepare a cpeMatch from NVD's fields; raise :class:`CpeError` on bad input."""
        start = end = None
        if version_start_including or version_start_excluding:  # most entries have no bounds
            start = _bound(version_start_including, True) or _bound(version_start_excluding, False)
        if version_end_including or version_end_excluding:
            end = _bound(version_end_including, True) or _bound(version_end_excluding, False)
        return cls(criteria, parse_cpe(criteria), vulnerable, start, end)

    def matches(self, target: Cpe) -> bool:
        """Whether the component CPE ``target`` satisfies this criterion."""
        if target.wild:
            return False
        src = self.cpe
        # Equal or ANY source values match without the general rule (the common case; this is
        # the innermost loop of CPE evaluation): only other pairs go to attribute_matches.
        s, t = src.product, target.product
        if s != t and s != ANY and not attribute_matches(s, t):
            return False
        s, t = src.vendor, target.vendor
        if s != t and s != ANY and not attribute_matches(s, t):
            return False
        s, t = src.part, target.part
        if s != t and s != ANY and not attribute_matches(s, t):
            return False
        for name, s in self.others:  # an ANY attribute matches every value: only the others
            t = getattr(target, name)
            if s != t and not attribute_matches(s, t):
                return False
        return self._version_matches(target.version)

    def _version_matches(self, version: str) -> bool:
        if self.start is None and self.end is None:
            if attribute_matches(self.cpe.version, version):
                return True
            if _has_wildcard(self.cpe.version) or version in (ANY, NA) or self.cpe.version == NA:
                return False
            key, other = _version_key(version), _version_key(self.cpe.version)
            return key is not None and key == other
        if version in (ANY, NA) or not attribute_matches(self.cpe.version, version):
            return False
        key = _version_key(version)
        if key is None:
            return False
        if self.start is not None:
            low, inclusive = self.start
            if key < low or (not inclusive and key == low):
                return False
        if self.end is not None:
            high, inclusive = self.end
            if high < key or (not inclusive and key == high):
                return False
        return True


_OTHERS = ATTRIBUTES[4:]
"""The attributes after the version (update ... other)."""


def has_wildcard(value: str) -> bool:
    """Whether a canonical attribute value has an unquoted ``*`` or ``?`` (ANY is ``*``)."""
    return _has_wildcard(value)


def version_key(version: str) -> Any:
    """The vendor version key (:func:`~medvigil.core.matching.version_keys.vendor_key`) a range
    compares a canonical CPE version with; ``None`` when it has none."""
    return _version_key(version)


@functools.lru_cache(maxsize=1 << 17)
def version_class(version: str) -> object:
    """The class of versions an exact criterion version matches (besides ANY): versions with its
    vendor key (``1.0`` = ``1.0.0``), or only itself when it has none (see ``_version_matches``)."""
    key = _version_key(version)
    return ("s", version) if key is None else ("k", key)


def _bound(value: str | None, inclusive: bool) -> tuple[Any, bool] | None:
    if value is None or value == "":
        return None
    key = _version_key(value)
    if key is None:
        raise CpeError(f"version bound {value!r} has no version components", field="version")
    return (key, inclusive)


drop_at_exit(
    _unescape.cache_clear, _fs_value.cache_clear, parse_cpe.cache_clear, _has_wildcard.cache_clear,
    _wildcard_regex.cache_clear, _version_key.cache_clear, version_class.cache_clear,
)  # fmt: skip
