"""Paging of API lists (one validated schema) and of large lists by ids.

Every API list endpoint takes ``limit`` (1-1000) and ``offset`` (>= 0) through :class:`PageParams`
(paginated envelopes through :class:`Paging`); anything else is refused with 422 naming the
parameter, the same status as every other parameter that does not fit its schema.

By ids: an index-only read of the page's ids, then only those rows.

``Paginator(rows)`` and django-ninja's ``LimitOffsetPagination`` slice a queryset with OFFSET. At
100k rows a deep page then makes the database step through every skipped row with its joins and
wide columns. :class:`RowsById` slices a narrow ``SELECT id ... ORDER BY ... LIMIT ... OFFSET``
instead (served from an index when one matches the filter and order), then reads the page's rows
by primary key: two queries per page, plus one count, whatever the number of rows.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, Generic, TypeVar, overload

from django.db.models import Model, QuerySet
from ninja import Field, Schema
from ninja.pagination import LimitOffsetPagination

M = TypeVar("M", bound=Model)

MAX_LIMIT = 1000
"""The largest page an API list returns."""
DEFAULT_LIMIT = 100


class PageParams(Schema):
    """``limit`` and ``offset`` of an API list."""

    limit: int = Field(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT, description=f"rows to return, 1-{MAX_LIMIT}")
    offset: int = Field(0, ge=0, description="rows to skip, at least 0")


class SliceParams(Schema):
    """Like :class:`PageParams` for lists that return every row unless a limit is given."""

    limit: int | None = Field(
        None, ge=1, le=MAX_LIMIT, description=f"rows to return, 1-{MAX_LIMIT}; all when omitted"
    )
    offset: int = Field(0, ge=0, description="rows to skip, at least 0")


class Paging(LimitOffsetPagination):
    """django-ninja's limit/offset envelope (``{"items", "count"}``) with :class:`PageParams`."""

    Input = PageParams  # type: ignore[assignment]


class RowsById(Generic[M]):
    """A countable, sliceable list over ``ordered`` for paginators.

    ``ordered``: filtered and sorted (its ids are read); ``rows``: where the page's rows are read
    from (``select_related``, annotations), by default ``ordered`` itself. ``materialize``: read
    every id at the first use and count them (one pass for filters no index serves, such as a
    text search, instead of a count scan plus an id scan).
    """

    def __init__(
        self, ordered: QuerySet[M], rows: QuerySet[M] | None = None, *, materialize: bool = False
    ) -> None:
        self.source = ordered  # not ``ordered``: Paginator reads that attribute as a flag
        self.rows = rows if rows is not None else ordered
        self._count: int | None = None
        self._ids: list[Any] | None = None
        if materialize:
            self._ids = list(ordered.values_list("pk", flat=True))
            self._count = len(self._ids)

    def count(self) -> int:
        """Rows matching (counted once)."""
        if self._count is None:
            self._count = self.source.count()
        return self._count

    def all(self) -> RowsById[M]:
        """Itself (django-ninja's paginator counts ``queryset.all()``)."""
        return self

    def __len__(self) -> int:
        return self.count()

    @overload
    def __getitem__(self, key: int) -> M: ...

    @overload
    def __getitem__(self, key: slice) -> list[M]: ...

    def __getitem__(self, key: int | slice) -> M | list[M]:
        if isinstance(key, int):
            if key < 0:
                raise IndexError("RowsById does not support negative indexes")
            row = self[key : key + 1]
            if not row:
                raise IndexError(key)
            return row[0]
        ids = self._ids[key] if self._ids is not None else list(self.source.values_list("pk", flat=True)[key])
        if not ids:
            return []
        found = self.rows.order_by().in_bulk(ids)
        return [found[i] for i in ids if i in found]

    def __iter__(self) -> Iterator[M]:
        return iter(self[:])
