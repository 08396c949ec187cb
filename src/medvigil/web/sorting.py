"""Server-side sortable list columns: ``?sort=KEY&dir=asc|desc`` over a whitelist of keys.

Each list declares ``{key: (field, ...)}``; the fields are ``order_by`` expressions for the
ascending direction (``-`` prefixes and ``OrderBy`` expressions are flipped for ``desc``). An
unknown key or direction falls back to the list's default, never an error. :meth:`Sort.headers`
gives each column's link (keeping the other query parameters, dropping ``page``) and an arrow for
the active column.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.db.models.expressions import OrderBy
from django.http import QueryDict

Field = str | OrderBy
SortKeys = Mapping[str, tuple[Field, ...]]


def _flip(field: Field) -> Field:
    if isinstance(field, OrderBy):
        flipped = field.copy()
        flipped.reverse_ordering()
        return flipped
    return field[1:] if field.startswith("-") else f"-{field}"


@dataclass(frozen=True, slots=True)
class Sort:
    """The chosen column and direction of one list."""

    keys: SortKeys
    key: str
    desc: bool

    @classmethod
    def from_query(cls, query: QueryDict, keys: SortKeys, default: str, *, desc: bool = False) -> Sort:
        """Read ``sort`` and ``dir`` from ``query``; an unknown key gives ``default``, a missing or
        unknown direction gives ``desc``."""
        key = query.get("sort", "")
        direction = query.get("dir", "")
        return cls(
            keys,
            key if key in keys else default,
            direction == "desc" if direction in ("asc", "desc") else desc,
        )

    def order_by(self, *tiebreak: Field) -> list[Field]:
        """``order_by`` arguments: the column's fields in the chosen direction, then ``tiebreak``."""
        fields = [_flip(f) if self.desc else f for f in self.keys[self.key]]
        return [*fields, *tiebreak]

    def headers(self, query: QueryDict) -> dict[str, dict[str, Any]]:
        """``{key: {"url": "?...", "arrow": "▲"|"▼"|"", "aria": "ascending"|...}}`` for column headers."""
        out = {}
        for key in self.keys:
            params = query.copy()
            params.pop("page", None)
            active = key == self.key
            params["sort"] = key
            params["dir"] = "asc" if active and self.desc else ("desc" if active else "asc")
            out[key] = {
                "url": "?" + params.urlencode(),
                "arrow": ("▼" if self.desc else "▲") if active else "",
                "aria": ("descending" if self.desc else "ascending") if active else "none",
            }
        return out
