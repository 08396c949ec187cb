"""Rows of a component set for the shared set-based insert (:func:`medvigil.web.bulk.insert_rows`).

Each component becomes one tuple with its JSON columns serialised by orjson.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import orjson

from medvigil.core.ids import purl_key
from medvigil.core.model import Component as CoreComponent
from medvigil.web.bulk import insert_rows
from medvigil.web.inventory.models import Component

_FIELDS = (
    "product_version", "document", "position", "bom_ref", "parent_ref", "name", "group", "version", "type",
    "purl", "purl_type", "purl_namespace", "purl_name", "cpes", "supplier", "hashes", "licenses", "scope",
    "description", "properties", "external_references", "depends_on", "support_level", "end_of_support",
)  # fmt: skip


def _json(value: Any) -> str:
    return orjson.dumps(value).decode()


def _row(
    version_id: int, document_id: int, pos: int, c: CoreComponent, deps: Sequence[str]
) -> tuple[Any, ...]:
    key = purl_key(c.purl) if c.purl else None
    return (
        version_id, document_id, pos, c.bom_ref[:500], c.parent_ref[:500], c.name[:500], c.group[:300],
        c.version[:200], c.type.value, (c.purl or "")[:1000],
        key.type[:40] if key else "", key.namespace[:300] if key else "", key.name[:300] if key else "",
        _json(c.cpes), c.supplier[:300], _json([[h.alg, h.value] for h in c.hashes]), _json(c.licenses),
        c.scope[:20], c.description, _json(c.properties),
        _json([[r.type, r.url] for r in c.external_references]), _json(list(deps)),
        c.support_level.value, c.end_of_support,
    )  # fmt: skip


def insert_components(
    *,
    version_id: int,
    document_id: int,
    components: Sequence[CoreComponent],
    edges: Mapping[str, Sequence[str]],
) -> int:
    """Insert the components (inside the caller's transaction); returns the row count."""
    rows = [_row(version_id, document_id, i, c, edges.get(c.bom_ref, ())) for i, c in enumerate(components)]
    return insert_rows(Component, _FIELDS, rows)
