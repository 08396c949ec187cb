"""The SQL the metrics need that differs between SQLite and PostgreSQL, and the percentile query.

Every expression works on whole days in UTC (``TIME_ZONE = "UTC"``): dates compare as dates on
PostgreSQL and as ``YYYY-MM-DD`` text on SQLite, where Django stores them so.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db import connection

from medvigil.core.metrics.periods import Granularity
from medvigil.core.metrics.stats import PERCENTILES

__all__ = ["Dialect", "Stats", "dialect", "fetch", "percentile_rows"]


@dataclass(frozen=True, slots=True)
class Dialect:
    """SQL fragments of one database engine."""

    postgres: bool

    def json_object(self, column: str, key: str) -> str:
        """``column[key]``, a JSON object (parsed once, so its keys are read from a small document)."""
        if self.postgres:
            return f"({column} -> '{key}')"
        return f"json_extract({column}, '$.{key}')"

    def json_top(self, column: str, key: str) -> str:
        """``column[key]`` as text (NULL when absent; SQLite: a JSON true reads as 1)."""
        if self.postgres:
            return f"({column} ->> '{key}')"
        return f"json_extract({column}, '$.{key}')"

    def json_true(self, column: str, key: str) -> str:
        """A condition: top-level ``column[key]`` is JSON true."""
        true = "'true'" if self.postgres else "1"
        return f"{self.json_top(column, key)} = {true}"

    def json_date(self, column: str, key: str) -> str:
        """``column[key]`` as a date (an ISO date string in the JSON; NULL when absent)."""
        if self.postgres:
            return f"CAST(NULLIF({self.json_top(column, key)}, '') AS date)"
        return f"date({self.json_top(column, key)})"

    def nonnegative_days(self, later: str, earlier: str) -> str:
        """:meth:`days`, at least 0; NULL when ``later`` is NULL."""
        return f"CASE WHEN {later} IS NULL THEN NULL ELSE {self.greatest(self.days(later, earlier), '0')} END"

    def day(self, timestamp: str) -> str:
        """The UTC day of a timestamp."""
        return f"CAST({timestamp} AS date)" if self.postgres else f"date({timestamp})"

    def day_key(self, value: str) -> str:
        """The day of a date or timestamp, cheap enough to group 100k rows by (SQLite: its text prefix)."""
        return f"CAST({value} AS date)" if self.postgres else f"substr({value}, 1, 10)"

    def days(self, later: str, earlier: str) -> str:
        """Whole calendar days from ``earlier`` to ``later`` (both dates)."""
        if self.postgres:
            return f"({later} - {earlier})"
        return f"CAST(julianday({later}) - julianday({earlier}) AS INTEGER)"

    def add_days(self, day: str, count: str) -> str:
        """``day`` plus ``count`` calendar days (``count`` an integer SQL expression)."""
        if self.postgres:
            return f"({day} + {count})"
        return f"date({day}, '+' || ({count}) || ' days')"

    def greatest(self, a: str, b: str) -> str:
        """The larger of two values."""
        return f"GREATEST({a}, {b})" if self.postgres else f"max({a}, {b})"

    def indexed_by(self, index: str) -> str:
        """After a table in FROM: read it through this index (SQLite picks the unique key otherwise
        and reads the wide rows; PostgreSQL's planner chooses an index-only scan itself)."""
        return "" if self.postgres else f"INDEXED BY {index}"

    def fence(self) -> str:
        """Appended to a subquery: keeps the planner from inlining it (its expressions run once)."""
        return "OFFSET 0" if self.postgres else "LIMIT -1 OFFSET 0"

    def date_param(self) -> str:
        """A placeholder for a date given as ``YYYY-MM-DD`` text."""
        return "CAST(%s AS date)" if self.postgres else "%s"

    def period(self, value: str, granularity: Granularity) -> str:
        """The first day of the month or ISO week (Monday) holding ``value`` (a date or timestamp)."""
        if self.postgres:
            return f"CAST(date_trunc('{granularity.value}', {value}) AS date)"
        if granularity is Granularity.MONTH:
            return f"strftime('%%Y-%%m-01', {value})"
        return f"date({value}, '-' || ((CAST(strftime('%%w', {value}) AS INTEGER) + 6) %% 7) || ' days')"


def dialect() -> Dialect:
    """The dialect of the default database."""
    return Dialect(postgres=connection.vendor == "postgresql")


def fetch(sql: str, params: Sequence[Any]) -> list[tuple[Any, ...]]:
    """Run one read query."""
    with connection.cursor() as cursor:
        cursor.execute(sql, list(params))
        return list(cursor.fetchall())


@dataclass(frozen=True, slots=True)
class Stats:
    """Count, percentiles (``core.metrics.stats``) and range of one group of day counts."""

    n: int
    median: float | None
    p90: float | None
    min: int | None
    max: int | None
    mean: float | None

    def to_dict(self) -> dict[str, Any]:
        """JSON form (percentiles rounded to 0.01 day)."""

        def r(x: float | None) -> float | None:
            return None if x is None else round(float(x), 2)

        return {
            "n": self.n,
            "median": r(self.median),
            "p90": r(self.p90),
            "min": self.min,
            "max": self.max,
            "mean": r(self.mean),
        }


EMPTY = Stats(0, None, None, None, None, None)


def _sqlite_percentile(p: float) -> str:
    """Type 7 over grouped values: the rows ``i`` in ``[before, before + c)`` hold value ``v``."""
    h = f"((n - 1) * {p!r})"
    low = f"CAST({h} AS INTEGER)"
    return (
        f"SUM(CASE WHEN {low} >= before AND {low} < before + c THEN v * (1 - ({h} - {low})) ELSE 0 END) + "
        f"SUM(CASE WHEN {low} + 1 >= before AND {low} + 1 < before + c THEN v * ({h} - {low}) ELSE 0 END)"
    )


def percentile_rows(inner: str, params: Sequence[Any], *, totals: bool = False) -> dict[Any, Stats]:
    """Per group ``g`` of ``inner`` (a SELECT of columns ``g`` and ``v``), the statistics of ``v``;
    with ``totals``, ``inner`` also selects ``t``, a group of groups (one ``t`` per ``g``), and the
    statistics of each ``t`` come too (keyed by ``t``: keep the keys of both apart).

    PostgreSQL: ``percentile_cont`` (``GROUPING SETS`` for the totals). SQLite: the values counted
    per group and value (day counts repeat, so a few hundred rows a group; a total's counts summed
    from its groups'), each value's first rank from a running sum of the counts, then the two ranks
    around ``(n - 1) * p`` interpolated in the same query.
    """
    d = dialect()
    if d.postgres:
        cols = ", ".join(f"percentile_cont({p!r}) WITHIN GROUP (ORDER BY v)" for p in PERCENTILES)
        key, groups = ("CASE WHEN GROUPING(g) = 1 THEN t ELSE g END", "GROUPING SETS ((g, t), (t))")
        if not totals:
            key, groups = "g", "g"
        sql = (
            f"SELECT {key}, COUNT(*), {cols}, MIN(v), MAX(v), AVG(v) FROM ({inner}) s "
            f"WHERE v IS NOT NULL GROUP BY {groups}"
        )
    else:
        cols = ", ".join(_sqlite_percentile(p) for p in PERCENTILES)
        counts = "k AS (SELECT g, v, COUNT(*) AS c FROM s WHERE v IS NOT NULL GROUP BY g, v)"
        if totals:
            counts = (
                "k0 AS (SELECT g, t, v, COUNT(*) AS c FROM s WHERE v IS NOT NULL GROUP BY g, t, v), "
                "k AS (SELECT g, v, c FROM k0 UNION ALL SELECT t, v, SUM(c) FROM k0 GROUP BY t, v)"
            )
        sql = (
            f"WITH s AS ({inner}), {counts}, "
            "r AS (SELECT g, v, c, SUM(c) OVER w - c AS before, SUM(c) OVER (PARTITION BY g) AS n FROM k "
            "WINDOW w AS (PARTITION BY g ORDER BY v)) "
            f"SELECT g, n, {cols}, MIN(v), MAX(v), SUM(v * c) * 1.0 / n FROM r GROUP BY g, n"
        )
    return {row[0]: Stats(int(row[1]), row[2], row[3], row[4], row[5], row[6]) for row in fetch(sql, params)}
