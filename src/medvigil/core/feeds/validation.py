"""JSON Schema validation of feed records (OSV, CSAF 2.0) with precise error locations.

Validators are built once per process (:func:`osv_validator`, :func:`csaf_validator`). The CSAF
schema's references to the FIRST CVSS schemas resolve through a :class:`referencing.Registry`
to the copies in ``schemas/`` (see its README), never to the network.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, cast

import orjson
from jsonschema import Draft202012Validator as _Draft202012
from jsonschema import validators
from jsonschema.exceptions import ValidationError
from jsonschema.protocols import Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4, DRAFT7

from medvigil.core.feeds._io import json_pointer
from medvigil.core.unique import first_duplicate

SCHEMA_DIR = Path(__file__).resolve().parent / "schemas"
"""The bundled schemas."""

_CVSS = {
    "https://www.first.org/cvss/cvss-v2.0.json": ("cvss-v2.0.json", DRAFT4),
    "https://www.first.org/cvss/cvss-v3.0.json": ("cvss-v3.0.json", DRAFT4),
    "https://www.first.org/cvss/cvss-v3.1.json": ("cvss-v3.1.json", DRAFT7),
}


@dataclass(frozen=True, slots=True)
class SchemaViolation:
    """One schema violation, located precisely."""

    pointer: str
    """JSON pointer of the offending value (``/affected/0/ranges/0/events/1/fixed``)."""
    message: str
    """What the schema expected."""


def _unique_items(validator: Any, unique: Any, instance: Any, schema: Any) -> Any:
    """``uniqueItems`` in linear time, reported at the duplicate element (not every pair compared)."""
    if unique and validator.is_type(instance, "array"):
        found = first_duplicate(instance)
        if found is not None:
            first, later = found
            yield ValidationError(
                f"item {later} is equal to item {first}; items must be unique", path=[later]
            )


Draft202012Validator: type[Validator] = validators.extend(  # type: ignore[no-untyped-call,unused-ignore]
    _Draft202012, {"uniqueItems": _unique_items}
)
"""Draft 2020-12 with the linear ``uniqueItems`` above (CSAF, CSAF VEX, OSV, provider metadata)."""


def _load(name: str) -> Any:
    return orjson.loads((SCHEMA_DIR / name).read_bytes())


@cache
def osv_validator() -> Validator:
    """The OSV schema validator (Draft 2020-12, built once)."""
    return Draft202012Validator(_load("osv-schema.json"))


@cache
def osv_fast_check() -> Callable[[Any], bool]:
    """A compiled (Rust, jsonschema-rs) validity check of the OSV schema: ~250x faster.

    It only answers valid or not; :func:`violations` with :func:`osv_validator` then explains an
    invalid record precisely. Both implement draft 2020-12, and a test checks they agree on every
    OSV record in the shared data.
    """
    import jsonschema_rs

    return cast(Callable[[Any], bool], jsonschema_rs.validator_for(_load("osv-schema.json")).is_valid)


@cache
def csaf_validator() -> Validator:
    """The CSAF 2.0 schema validator with the FIRST CVSS schemas registered (built once)."""
    registry: Registry[Any] = Registry()
    for url, (name, spec) in _CVSS.items():
        contents = _load(name)
        resource = Resource.from_contents(contents, default_specification=spec)
        registry = registry.with_resource(url, resource)
        own_id = contents.get("$id") or contents.get("id")
        if own_id and own_id != url:
            registry = registry.with_resource(own_id, resource)
    return Draft202012Validator(_load("csaf_json_schema.json"), registry=registry)


def violations(validator: Validator, instance: Any, limit: int = 20) -> list[SchemaViolation]:
    """Return up to ``limit`` violations of ``instance``, each at its most precise location.

    For ``oneOf``/``anyOf`` failures the deepest sub-error is reported: an OSV event
    ``{"fixed": "abc.patch"}`` in a GIT range is reported at ``.../events/1/fixed`` with the
    pattern that failed, not as "not valid under any of the given schemas".
    """
    found: list[SchemaViolation] = []
    for error in validator.iter_errors(instance):
        precise = _deepest(error)
        found.append(SchemaViolation(json_pointer(precise.absolute_path), precise.message))
        if len(found) >= limit:
            break
    return found


def _deepest(error: ValidationError) -> ValidationError:
    best = error
    for sub in error.context or ():
        candidate = _deepest(sub)
        if len(candidate.absolute_path) > len(best.absolute_path):
            best = candidate
    return best
