"""The OpenAPI document is valid JSON for strict parsers: no operation lists a status twice.

Swagger UI parses it with js-yaml, which refuses duplicated mapping keys, so a status that ninja
keys as the int 400 and our documentation adds as the string "400" blanked /api/docs.
"""

from __future__ import annotations

import json
from typing import Any

from django.test import Client


def test_no_object_of_the_openapi_document_repeats_a_key(db: Any) -> None:
    repeated: list[str] = []

    def pairs(items: list[tuple[str, Any]]) -> dict[str, Any]:
        keys = [k for k, _ in items]
        repeated.extend(k for k in set(keys) if keys.count(k) > 1)
        return dict(items)

    body = Client().get("/api/openapi.json").content
    doc = json.loads(body, object_pairs_hook=pairs)
    assert repeated == []
    upload = doc["paths"]["/api/products/{slug}/versions/{version}/sbom"]["post"]["responses"]
    assert {"400", "413"} <= set(upload)
