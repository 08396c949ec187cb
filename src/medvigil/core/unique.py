"""Linear ``uniqueItems``: find a repeated JSON value by hashing each item once.

python-jsonschema's own check compares every pair (24 million comparisons for 8,000 items); the
SBOM schema check (jsonschema-rs) and the CSAF/OSV validators (python-jsonschema with this keyword
swapped in) use this to name the duplicate element instead.
"""

from __future__ import annotations

from typing import Any

import orjson


def first_duplicate(items: list[Any]) -> tuple[int, int] | None:
    """Return (first index, later index) of the first repeated item, or None when all differ.

    Items are compared as canonical JSON (object keys sorted); ``1`` and ``1.0`` count as different.
    """
    seen: dict[bytes, int] = {}
    for index, item in enumerate(items):
        key = orjson.dumps(item, option=orjson.OPT_SORT_KEYS | orjson.OPT_NON_STR_KEYS)
        first = seen.setdefault(key, index)
        if first != index:
            return first, index
    return None
