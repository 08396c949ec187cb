"""JSON-schema validation of CycloneDX JSON (1.2-1.6) and SPDX 2.2/2.3 JSON documents.

For ``medvigil sbom check``: it is thorough, not fast (CycloneDX licence-id enums make a
10,000-component document take seconds), so imports do not call it. Schemas ship in
``schemas/`` (see the README there); their cross-references (``spdx.schema.json``,
``jsf-0.82.schema.json``) resolve through a :class:`referencing.Registry`, never the network.
"""

from __future__ import annotations

from functools import cache
from importlib.resources import files
from typing import Any

import orjson
from jsonschema import Draft7Validator  # type: ignore[import-untyped,unused-ignore]
from referencing import Registry
from referencing.jsonschema import DRAFT7

from medvigil.core.errors import UnsupportedFormatError
from medvigil.core.sbom._common import load_json

_CYCLONEDX = {"1.2", "1.3", "1.4", "1.5", "1.6"}
_SPDX = {"SPDX-2.2": "spdx-2.3", "SPDX-2.3": "spdx-2.3"}
_MAX_MESSAGES = 200


def _load(name: str) -> dict[str, Any]:
    result: dict[str, Any] = orjson.loads(files("medvigil.core.sbom").joinpath("schemas", name).read_bytes())
    return result


@cache
def _registry() -> Registry[Any]:
    spdx = DRAFT7.create_resource(_load("spdx.schema.json"))
    jsf = DRAFT7.create_resource(_load("jsf-0.82.schema.json"))
    base = "http://cyclonedx.org/schema/"
    return Registry().with_resources(
        [
            (base + "spdx.schema.json", spdx),
            (base + "spdx.SNAPSHOT.schema.json", spdx),
            (base + "jsf-0.82.schema.json", jsf),
        ]
    )


@cache
def _validator(schema_file: str) -> Any:
    return Draft7Validator(_load(schema_file), registry=_registry())


def _schema_file(format: str, spec_version: str, source: str) -> str:
    if format == "cyclonedx-json" and spec_version in _CYCLONEDX:
        return f"bom-{spec_version}.schema.json"
    if format == "spdx-json" and spec_version in _SPDX:
        return f"{_SPDX[spec_version]}.schema.json"
    raise UnsupportedFormatError(
        f"no schema for {format} {spec_version!r}; schema checks cover cyclonedx-json 1.2-1.6 "
        "and spdx-json SPDX-2.2/SPDX-2.3",
        source=source,
    )


def validate_schema(data: bytes, *, source: str, format: str, spec_version: str) -> list[str]:
    """Return the schema violations of a document, each as ``/json/pointer: message``.

    ``format`` and ``spec_version`` come from the reader (``ParsedSbom.format``/``spec_version``).
    An empty list means valid. At most 200 messages are returned (the last says how many more).
    Raises :class:`UnsupportedFormatError` for formats or versions without a bundled schema.
    """
    validator = _validator(_schema_file(format, spec_version, source))
    document = load_json(data, source=source)
    messages: list[str] = []
    errors = sorted(validator.iter_errors(document), key=lambda e: list(map(str, e.absolute_path)))
    for error in errors[:_MAX_MESSAGES]:
        pointer = "".join(f"/{p}" for p in error.absolute_path) or "/"
        message = error.message if len(error.message) <= 300 else error.message[:297] + "..."
        messages.append(f"{pointer}: {message}")
    if len(errors) > _MAX_MESSAGES:
        messages.append(f"... and {len(errors) - _MAX_MESSAGES} more violations")
    if spec_version == "SPDX-2.2" and messages:
        messages.insert(0, "note: SPDX-2.2 is checked against the SPDX 2.3 schema")
    return messages
