"""KEV and EPSS writers, and the refresh of each vulnerability's denormalised fields.

KEV entries are upserted by CVE id; EPSS scores are kept per (CVE, day). After an import the
vulnerabilities it touched get their sort fields recomputed: the highest CVSS score of any of
their records, first publication, last modification, a summary, the sources, KEV membership and
the latest EPSS score (the last two set-based in SQL, through the aliases).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

from django.db import connection

from medvigil.core.feeds.interface import ParsedRecord
from medvigil.core.model.advisory import EpssScore as CoreEpss
from medvigil.core.model.advisory import KevEntry as CoreKev
from medvigil.web import bulk
from medvigil.web.advisories.codec import dumps
from medvigil.web.advisories.models import AdvisoryRecord, Alias, EpssScore, KevEntry, Source, Vulnerability
from medvigil.web.advisories.prepare import DERIVED_FIELDS, derived
from medvigil.web.advisories.records import Counts

KEV_FIELDS = (
    "vendor", "product", "name", "date_added", "due_date", "known_ransomware", "required_action",
    "short_description", "notes", "cwes", "catalog_version",
)  # fmt: skip


def _kev_values(e: CoreKev) -> tuple[Any, ...]:
    return (
        e.vendor[:300], e.product[:300], e.name[:500], e.date_added, e.due_date, e.known_ransomware[:20],
        e.required_action, e.short_description, e.notes, list(e.cwes), (e.catalog_version or "")[:40],
    )  # fmt: skip


class KevWriter:
    """Upserts KEV entries by CVE id (a new catalog version alone is not a change)."""

    def __init__(self, *, run_id: int, now: dt.datetime) -> None:
        self.run_id = run_id
        self.now = now
        self.counts = Counts()

    def write(self, chunk: Sequence[ParsedRecord]) -> None:
        """Upsert one chunk of KEV entries."""
        entries = {i.record.cve_id: i.record for i in chunk if isinstance(i.record, CoreKev)}
        rows = KevEntry.objects.filter(cve_id__in=list(entries)).values_list("cve_id", "id", *KEV_FIELDS)
        stored = {row[0]: row[1:] for row in rows}
        now = bulk.when(self.now)
        inserts, updates, unchanged = [], [], []
        for cve, entry in entries.items():
            values = _kev_values(entry)
            adapted = (
                *values[:3], bulk.day(values[3]), bulk.day(values[4]), *values[5:9], dumps(values[9]),
                values[10],
            )  # fmt: skip
            if cve not in stored:
                inserts.append((cve, *adapted, now, now, self.run_id))
            elif tuple(stored[cve][1:-1]) != values[:-1]:
                updates.append((*adapted, now, self.run_id, stored[cve][0]))
            else:
                unchanged.append(stored[cve][0])
        bulk.insert_rows(KevEntry, ("cve_id", *KEV_FIELDS, "first_seen", "last_seen", "import_run"), inserts)
        bulk.update_rows(KevEntry, (*KEV_FIELDS, "last_seen", "import_run"), updates)
        bulk.set_in(KevEntry, {"last_seen": now}, unchanged)
        self.counts.new += len(inserts)
        self.counts.updated += len(updates)
        self.counts.unchanged += len(unchanged) + len(chunk) - len(entries)

    def finish(self) -> None:
        """Refresh the KEV flag of every vulnerability that is or was in the catalog."""
        bulk.analyze(KevEntry, Alias, Vulnerability, rows=self.counts.new + self.counts.updated)
        kev_refresh()


class EpssWriter:
    """Loads EPSS scores of one or more days; a score without a day gets ``default_date``."""

    def __init__(self, *, default_date: dt.date) -> None:
        self.default_date = default_date
        self.counts = Counts()
        self._stored: dict[dt.date, dict[str, tuple[int, float, float]]] = {}

    def _day(self, date: dt.date) -> dict[str, tuple[int, float, float]]:
        if date not in self._stored:
            rows = EpssScore.objects.filter(score_date=date).values_list("cve_id", "id", "epss", "percentile")
            self._stored[date] = {cve: (pk, e, p) for cve, pk, e, p in rows}
        return self._stored[date]

    def write(self, chunk: Sequence[ParsedRecord]) -> None:
        """Insert new scores, update changed ones."""
        latest: dict[tuple[str, dt.date], CoreEpss] = {}
        for item in chunk:
            if isinstance(item.record, CoreEpss):
                latest[(item.record.cve_id, item.record.score_date or self.default_date)] = item.record
        inserts, updates = [], []
        day = bulk.adapters()[1]
        days = {date: day(date) for _, date in latest}
        for (cve, date), s in latest.items():
            stored = self._day(date).get(cve)
            if stored is None:
                inserts.append((cve[:30], days[date], s.epss, s.percentile, (s.model_version or "")[:40]))
            elif (stored[1], stored[2]) != (s.epss, s.percentile):
                updates.append((s.epss, s.percentile, (s.model_version or "")[:40], stored[0]))
        bulk.insert_rows(EpssScore, ("cve_id", "score_date", "epss", "percentile", "model_version"), inserts)
        bulk.update_rows(EpssScore, ("epss", "percentile", "model_version"), updates)
        self.counts.new += len(inserts)
        self.counts.updated += len(updates)
        self.counts.unchanged += len(chunk) - len(inserts) - len(updates)

    def finish(self) -> None:
        """Refresh the EPSS fields of the vulnerabilities scored on the loaded days."""
        bulk.analyze(EpssScore, Alias, Vulnerability, rows=self.counts.new + self.counts.updated)
        for date in self._stored:
            epss_refresh(date=date)


def _names() -> dict[str, str]:
    q = connection.ops.quote_name
    return {
        "v": q(Vulnerability._meta.db_table),
        "a": q(Alias._meta.db_table),
        "e": q(EpssScore._meta.db_table),
        "k": q(KevEntry._meta.db_table),
    }


def _epss_sets() -> str:
    """SET clause: the latest EPSS score of any CVE alias (NULLs when none)."""
    return (  # noqa: S608 - names from model metadata
        "(epss, epss_percentile, epss_date) = (SELECT e.epss, e.percentile, e.score_date FROM {e} e "
        "JOIN {a} a ON a.alias = e.cve_id WHERE a.vulnerability_id = {v}.id "
        "ORDER BY e.score_date DESC, e.epss DESC LIMIT 1)"
    ).format(**_names())


def _kev_sets() -> str:
    """SET clause: KEV membership of any CVE alias."""
    join = "FROM {k} k JOIN {a} a ON a.alias = k.cve_id WHERE a.vulnerability_id = {v}.id".format(**_names())
    return f"kev = EXISTS(SELECT 1 {join}), kev_date_added = (SELECT MIN(k.date_added) {join})"


def _epss_sql(scope: str) -> str:
    return f"UPDATE {_names()['v']} SET {_epss_sets()} WHERE {scope}"  # noqa: S608 - names from metadata


def _kev_sql(scope: str) -> str:
    return f"UPDATE {_names()['v']} SET {_kev_sets()} WHERE {scope}"  # noqa: S608 - names from metadata


def epss_refresh(*, date: dt.date) -> None:
    """Set the latest EPSS score on every vulnerability with a score on ``date``."""
    n = _names()
    scope = f"id IN (SELECT a.vulnerability_id FROM {n['a']} a JOIN {n['e']} e ON e.cve_id = a.alias WHERE e.score_date = %s)"  # noqa: S608,E501
    with connection.cursor() as cursor:
        cursor.execute(_epss_sql(scope), [bulk.day(date)])


def kev_refresh() -> None:
    """Recompute the KEV flag of vulnerabilities that are in the catalog or were flagged."""
    n = _names()
    scope = (
        f"kev = %s OR id IN (SELECT a.vulnerability_id FROM {n['a']} a JOIN {n['k']} k ON k.cve_id = a.alias)"  # noqa: S608,E501
    )
    with connection.cursor() as cursor:
        cursor.execute(_kev_sql(scope), [True])


def _records_sql(marks: str) -> str:
    q = connection.ops.quote_name
    r, s = q(AdvisoryRecord._meta.db_table), q(Source._meta.db_table)
    return (
        "SELECT r.vulnerability_id, s.name, r.cvss_score, r.cvss_vector, r.cvss_version, r.severity, "  # noqa: S608
        f"r.summary, SUBSTR(r.details, 1, 300), r.published, r.modified, r.withdrawn, r.rejected "
        f"FROM {r} r JOIN {s} s ON s.id = r.source_id WHERE r.vulnerability_id IN ({marks})"
    )


_TEMP = "mv_vulnerability_refresh"


def _derived_rows(ids: list[int]) -> list[tuple[Any, ...]]:
    rows: list[tuple[Any, ...]] = []
    when = _naive_when() if connection.vendor == "sqlite" else bulk.when
    for batch in bulk.chunked(ids):
        grouped: dict[int, list[tuple[Any, ...]]] = {}
        for row in bulk.select_in(_records_sql("{marks}"), batch):
            grouped.setdefault(row[0], []).append(row)
        rows.extend((vid, *derived(g, when)) for vid, g in grouped.items())
    return rows


def _naive_when() -> Any:
    """SQLite hands stored datetimes back naive (UTC) or as text; write them back as Django does."""

    def when(value: Any) -> Any:
        if isinstance(value, dt.datetime):
            if value.tzinfo is not None:
                value = value.astimezone(dt.UTC).replace(tzinfo=None)
            return value.isoformat(" ")
        return value

    return when


def vulnerabilities_refresh(ids: Iterable[int]) -> None:
    """Recompute the denormalised fields of the given vulnerabilities from their records.

    Python computes the headline score, summary, sources and dates from one read of the records;
    they go to a temporary table, and ONE ``UPDATE ... FROM`` writes each vulnerability once with
    them plus the EPSS and KEV fields computed in SQL (one new row version per vulnerability on
    PostgreSQL).
    """
    wanted = sorted(set(ids))
    if not wanted:
        return
    bulk.analyze(Alias, Vulnerability, rows=len(wanted))
    rows = _derived_rows(wanted)
    v = _names()["v"]
    pg = connection.vendor == "postgresql"
    sources = "CAST(u.sources AS jsonb)" if pg else "u.sources"
    stamp = "TIMESTAMP WITH TIME ZONE" if pg else "TEXT"
    sets = ", ".join(f"{f} = u.{f}" for f in DERIVED_FIELDS if f != "sources")
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {_TEMP}")
        cursor.execute(
            f"CREATE TEMP TABLE {_TEMP} (id BIGINT PRIMARY KEY, summary TEXT, cvss_score DOUBLE PRECISION, "
            f"cvss_vector TEXT, cvss_version TEXT, severity TEXT, sources TEXT, published {stamp}, "
            f"modified {stamp}, withdrawn BOOLEAN)"
        )
        bulk.insert_into(_TEMP, ("id", *DERIVED_FIELDS), rows)
        cursor.execute(
            f"UPDATE {v} SET {sets}, sources = {sources}, {_epss_sets()}, {_kev_sets()} "  # noqa: S608
            f"FROM {_TEMP} u WHERE {v}.id = u.id"
        )
        cursor.execute(f"DROP TABLE {_TEMP}")
