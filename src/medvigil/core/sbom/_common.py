"""Helpers shared by the SBOM readers: JSON loading, support fields, licences, types.

Support level and end of support (FDA PRE-SBOM-2) are read from component properties
(CycloneDX ``properties``, SPDX 2 annotations written by medvigil). A property counts as:

* support level when its name is ``medvigil:support_level`` or ends (case-insensitively) in
  ``support-level``, ``support_level`` or ``supportLevel``;
* end of support when its name is ``medvigil:end_of_support`` or ends in ``end-of-support``,
  ``end_of_support``, ``endOfSupport`` or ``eos``.

Support-level values map onto :class:`SupportLevel` after lower-casing and turning ``_`` and
spaces into ``-``: ``actively-maintained``/``active``/``maintained``/``supported`` → actively
maintained; ``no-longer-maintained``/``unmaintained``/``end-of-life``/``eol``/``deprecated`` →
no longer maintained; ``abandoned`` → abandoned; anything else → unknown (with a warning).
End-of-support values are ISO dates (``2027-12-31``; a datetime's date part is used).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import orjson

from medvigil.core._json import json_error
from medvigil.core.errors import SbomError
from medvigil.core.model import ComponentType, SupportLevel

SUPPORT_LEVEL_PROPERTY = "medvigil:support_level"
"""Property name the exporters write for the support level."""
END_OF_SUPPORT_PROPERTY = "medvigil:end_of_support"
"""Property name the exporters write for the end-of-support date."""
TYPE_PROPERTY = "medvigil:component_type"
"""Property carrying a component type CycloneDX cannot express (``other``)."""

_LEVEL_SUFFIXES = ("support-level", "support_level", "supportlevel")
_EOS_SUFFIXES = ("end-of-support", "end_of_support", "endofsupport", "eos")

_LEVEL_VALUES = {
    "actively-maintained": SupportLevel.ACTIVELY_MAINTAINED,
    "active": SupportLevel.ACTIVELY_MAINTAINED,
    "maintained": SupportLevel.ACTIVELY_MAINTAINED,
    "supported": SupportLevel.ACTIVELY_MAINTAINED,
    "no-longer-maintained": SupportLevel.NO_LONGER_MAINTAINED,
    "unmaintained": SupportLevel.NO_LONGER_MAINTAINED,
    "end-of-life": SupportLevel.NO_LONGER_MAINTAINED,
    "eol": SupportLevel.NO_LONGER_MAINTAINED,
    "deprecated": SupportLevel.NO_LONGER_MAINTAINED,
    "abandoned": SupportLevel.ABANDONED,
    "unknown": SupportLevel.UNKNOWN,
}

_TYPES = {t.value: t for t in ComponentType}

NO_VALUE = frozenset({"NOASSERTION", "NONE", ""})
"""SPDX placeholders that mean "no information"."""

Json = Any
"""A decoded JSON value."""


def load_json(data: bytes, *, source: str) -> Json:
    """Decode JSON bytes, raising :class:`SbomError` with line and column when it is not JSON."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return orjson.loads(data)
    except orjson.JSONDecodeError as exc:
        reason, where = json_error(data, exc)
        raise SbomError(f"not valid JSON ({reason})", source=source, location=where) from None


def require_object(doc: Json, *, source: str, what: str) -> dict[str, Any]:
    """Return ``doc`` when it is a JSON object, else raise naming the type found."""
    if not isinstance(doc, dict):
        found = type(doc).__name__.replace("dict", "object").replace("list", "array")
        raise SbomError(f"a {what} must be a JSON object at the top level, found {found}", source=source)
    return doc


def component_type(value: object, default: ComponentType = ComponentType.LIBRARY) -> ComponentType:
    """Map a CycloneDX type string onto :class:`ComponentType` (unknown values → ``other``)."""
    if not isinstance(value, str) or not value:
        return default
    return _TYPES.get(value.lower(), ComponentType.OTHER)


def parse_date(value: str) -> dt.date | None:
    """Parse an ISO date or datetime and return its date, or None when it is not one."""
    text = value.strip()
    try:
        return dt.date.fromisoformat(text[:10])
    except ValueError:
        return None


def parse_datetime(value: object) -> dt.datetime | None:
    """Parse an ISO timestamp (``Z`` allowed); None when absent or malformed."""
    if not isinstance(value, str) or not value:
        return None
    try:
        return dt.datetime.fromisoformat(value)
    except ValueError:
        return None


def support_fields(
    properties: tuple[tuple[str, str], ...], *, where: str, warnings: list[str]
) -> tuple[SupportLevel, dt.date | None]:
    """Return the support level and end-of-support date carried by ``properties``."""
    level = SupportLevel.UNKNOWN
    eos: dt.date | None = None
    for name, value in properties:
        key = name.lower()
        if key.endswith(_LEVEL_SUFFIXES):
            norm = value.strip().lower().replace("_", "-").replace(" ", "-")
            found = _LEVEL_VALUES.get(norm)
            if found is None:
                warnings.append(f"{where}: unknown support level {value!r} in property {name!r}")
            else:
                level = found
        elif key.endswith(_EOS_SUFFIXES):
            eos = parse_date(value)
            if eos is None:
                warnings.append(f"{where}: end of support {value!r} in property {name!r} is not a date")
    return level, eos


def spdx_agent(value: object) -> str:
    """Strip the ``Organization:``/``Person:``/``Tool:`` prefix of an SPDX agent string."""
    if not isinstance(value, str) or value.strip() in NO_VALUE:
        return ""
    head, sep, rest = value.partition(":")
    if sep and head.strip() in ("Organization", "Person", "Tool"):
        name = rest.strip()
        # "Person: Jane Doe (jane@example.org)": drop the e-mail part.
        if name.endswith(")") and " (" in name and "@" in name[name.rindex(" (") :]:
            name = name[: name.rindex(" (")].strip()
        return name
    return value.strip()


def dedupe(values: list[str]) -> tuple[str, ...]:
    """Drop empty values and duplicates, keeping the first occurrence order."""
    return tuple(dict.fromkeys(v for v in values if v))
