"""Reads for vulnerability intelligence: identities, records, runs, sources, match candidates.

The candidate selectors return core values (:class:`AffectedPackage`, :class:`CpeNode`) with
the ids the matcher needs to link a match to its record and vulnerability. Each takes a set of
keys and runs ONE query per 2,000 keys (a join against a ``VALUES`` list, so the composite
indexes are used on SQLite and PostgreSQL alike).
"""

from __future__ import annotations

import datetime as dt
import zlib
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import orjson
from django.db import connection
from django.db.models import Count, F, Max, Prefetch, Q, QuerySet

from medvigil.core.errors import InputError, NotFoundError
from medvigil.core.model.advisory import AffectedPackage as CoreAffected
from medvigil.core.model.advisory import CpeNode
from medvigil.web import bulk
from medvigil.web.advisories import codec
from medvigil.web.advisories.models import (
    AdvisoryRecord,
    AffectedPackage,
    Alias,
    CpeConfiguration,
    CpeIndexEntry,
    CsafProductStatus,
    EpssScore,
    FeedSync,
    FeedUpload,
    ImportRun,
    KevEntry,
    Source,
    Vulnerability,
)
from medvigil.web.paging import RowsById
from medvigil.web.sorting import Sort

KEY_CHUNK = 2000
SEVERITIES = ("critical", "high", "medium", "low", "none")
SORTS = {
    "key": (F("key").asc(),),
    "cvss": (F("cvss_score").asc(nulls_first=True), F("key").desc()),
    "epss": (F("epss").asc(nulls_first=True), F("key").desc()),
    "modified": (F("modified").asc(nulls_first=True), F("key").desc()),
    "published": (F("published").asc(nulls_first=True), F("key").desc()),
}
"""Sortable columns of the vulnerability list page (ascending)."""
ORDERINGS = {
    "key": SORTS["key"],
    **{f"-{k}": tuple(Sort(SORTS, k, True).order_by()) for k in SORTS if k != "key"},
}
"""``order`` values of :func:`vulnerability_list` (the API's): descending, unknown values last."""


@dataclass(frozen=True, slots=True)
class CandidateRef:
    """Where a candidate comes from."""

    record_pk: int
    """``AdvisoryRecord`` row id."""
    source: str
    """Source name (``osv``, ``nvd``, ...)."""
    record_id: str
    """Record id within the source."""
    vulnerability_id: int
    """``Vulnerability`` row id."""
    vulnerability_key: str
    """The identity's key (a CVE id when there is one)."""
    withdrawn: bool
    """The record is withdrawn or rejected (matchers usually skip it)."""


@dataclass(frozen=True, slots=True)
class AffectedCandidate:
    """An affected-package claim whose purl key is one of the asked keys."""

    ref: CandidateRef
    package: CoreAffected


@dataclass(frozen=True, slots=True)
class CpeCandidate:
    """A record's NVD configuration trees that mention one of the asked vendor:product pairs."""

    ref: CandidateRef
    nodes: tuple[CpeNode, ...]


def _json(value: Any) -> Any:
    return orjson.loads(value) if isinstance(value, str | bytes) else value


def _names() -> dict[str, str]:
    q = connection.ops.quote_name
    models = {"ap": AffectedPackage, "r": AdvisoryRecord, "s": Source, "v": Vulnerability,
              "c": CpeConfiguration, "i": CpeIndexEntry}  # fmt: skip
    return {k: q(m._meta.db_table) for k, m in models.items()}


_REF = "r.id, s.name, r.record_id, r.vulnerability_id, v.key, r.withdrawn, r.rejected"
_REF_JOIN = (
    "JOIN {r} r ON r.id = {rid} JOIN {s} s ON s.id = r.source_id JOIN {v} v ON v.id = r.vulnerability_id"
)


def _ref(row: tuple[Any, ...]) -> CandidateRef:
    return CandidateRef(row[0], row[1], row[2], row[3], row[4], row[5] is not None or bool(row[6]))


def _values(width: int, count: int) -> str:
    one = "(" + ", ".join(["%s"] * width) + ")"
    return "(VALUES " + ", ".join([one] * count) + ")"


def affected_packages_for(*, keys: Iterable[str]) -> list[AffectedCandidate]:
    """Affected packages whose stored package key is one of ``keys``
    (:func:`medvigil.core.matching.keys.package_key`, e.g. ``pypi:django``)."""
    n = _names()
    wanted = sorted(set(keys))
    out: list[AffectedCandidate] = []
    cols = ("ecosystem", "name", "purl", "purl_type", "purl_namespace", "purl_name", "vendor", "product",
            "ranges", "versions", "unaffected", "cpes", "default_status", "extra")  # fmt: skip
    for batch in bulk.chunked(wanted, KEY_CHUNK):
        sql = (
            f"SELECT {_REF}, {', '.join(f'ap.{c}' for c in cols)}"  # noqa: S608 - names from metadata
            + f" FROM {n['ap']} ap "
            + _REF_JOIN.format(rid="ap.record_id", **n)
            + f" WHERE ap.package_key IN ({', '.join(['%s'] * len(batch))}) ORDER BY r.id, ap.position"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, batch)
            for row in cursor.fetchall():
                data = dict(zip(cols, row[7:], strict=True))
                for c in ("ranges", "versions", "unaffected", "cpes", "extra"):
                    data[c] = _json(data[c])
                out.append(AffectedCandidate(_ref(row), codec.affected_package(data)))
    return out


def cpe_configurations_for(*, vendor_products: Iterable[tuple[str, str]]) -> list[CpeCandidate]:
    """Configuration trees of records with a vulnerable cpeMatch of one of the vendor:product pairs.

    Pairs are compared lower case. Each record appears once; the whole tree is returned, so
    AND/negate logic can be evaluated.
    """
    n = _names()
    wanted = sorted({(v.lower(), p.lower()) for v, p in vendor_products})
    seen: set[int] = set()
    out: list[CpeCandidate] = []
    for batch in bulk.chunked(wanted, KEY_CHUNK):
        sql = (
            f"SELECT {_REF}, c.nodes FROM {n['c']} c "  # noqa: S608 - names from metadata
            + _REF_JOIN.format(rid="c.record_id", **n)
            + f" WHERE c.record_id IN (SELECT i.record_id FROM {n['i']} i JOIN {_values(2, len(batch))} k"  # noqa: S608
            " ON i.vendor = k.column1 AND i.product = k.column2) ORDER BY r.id"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, [v for pair in batch for v in pair])
            for row in cursor.fetchall():
                if row[0] in seen:
                    continue
                seen.add(row[0])
                nodes = tuple(codec.cpe_node(node) for node in _json(row[7]))
                out.append(CpeCandidate(_ref(row), nodes))
    return out


def vulnerability_by_alias(identifier: str) -> Vulnerability:
    """The vulnerability one of whose aliases is ``identifier`` (case-insensitive fallback)."""
    ident = identifier.strip()
    alias = Alias.objects.select_related("vulnerability").filter(alias=ident).first()
    if alias is None:
        alias = Alias.objects.select_related("vulnerability").filter(alias__iexact=ident).first()
    if alias is None:
        raise NotFoundError(f"no vulnerability known as {identifier!r}")
    return alias.vulnerability


@dataclass(frozen=True, slots=True)
class VulnerabilityDetail:
    """A vulnerability with every source's record side by side."""

    vulnerability: Vulnerability
    aliases: list[str]
    records: list[AdvisoryRecord]
    """Ordered by source name, then record id; raw bytes deferred; children prefetched."""
    kev: list[KevEntry]
    epss: list[EpssScore]
    """Scores of the CVE aliases, newest day first."""


def vulnerability_get(*, key: str) -> VulnerabilityDetail:
    """A vulnerability by its key or any alias, with its records, KEV entries and EPSS scores."""
    vuln = vulnerability_by_alias(key)
    aliases = sorted(vuln.aliases.values_list("alias", flat=True))
    cves = [a for a in aliases if a.startswith("CVE-")]
    records = list(
        vuln.records.select_related("source", "import_run")
        .defer("raw")
        .prefetch_related(
            "affected",
            "cpe_configurations",
            Prefetch("csaf_products", queryset=CsafProductStatus.objects.order_by("status", "product_id")),
        )
        .order_by("source__name", "record_id")
    )
    return VulnerabilityDetail(
        vulnerability=vuln,
        aliases=aliases,
        records=records,
        kev=list(KevEntry.objects.filter(cve_id__in=cves)),
        epss=list(EpssScore.objects.filter(cve_id__in=cves).order_by("-score_date", "cve_id")[:30]),
    )


def record_raw(*, source: str, record_id: str) -> bytes:
    """The upstream bytes of a record, decompressed."""
    row = AdvisoryRecord.objects.filter(source__name=source, record_id=record_id).values_list("raw").first()
    if row is None:
        raise NotFoundError(f"no {source} record {record_id!r}")
    return zlib.decompress(bytes(row[0]))


def vulnerability_list(
    *,
    q: str = "",
    kev: bool | None = None,
    severity: str = "",
    source: str = "",
    include_withdrawn: bool = False,
    order: str = "-cvss",
    ordering: list[Any] | None = None,
) -> QuerySet[Vulnerability]:
    """Vulnerabilities filtered and sorted in the database.

    ``q`` matches an alias (substring, case-insensitive) or the summary; ``severity`` one of
    :data:`SEVERITIES` (comma-separated for several); ``source`` a source name that has a record;
    ``order`` one of :data:`ORDERINGS`, or ``ordering`` (``order_by`` arguments) instead.
    """
    qs = Vulnerability.objects.all()
    if q:
        ids = Alias.objects.filter(alias__icontains=q.strip()).values("vulnerability_id")
        qs = qs.filter(Q(id__in=ids) | Q(summary__icontains=q.strip()))
    if kev is not None:
        qs = qs.filter(kev__in=[kev])  # "kev IN (1)": an indexed equality ("kev=True" renders "WHERE kev")
    if severity:
        qs = qs.filter(severity__in=[s.strip().lower() for s in severity.split(",") if s.strip()])
    if source:
        qs = qs.filter(id__in=AdvisoryRecord.objects.filter(source__name=source).values("vulnerability_id"))
    if not include_withdrawn:
        qs = qs.filter(withdrawn__in=[False])
    if ordering is not None:
        return qs.order_by(*ordering)
    if order not in ORDERINGS:
        raise InputError(f"unknown order {order!r}; use {', '.join(ORDERINGS)}", field="order")
    return qs.order_by(*ORDERINGS[order])


def vulnerability_rows(*, q: str = "", **filters: Any) -> RowsById[Vulnerability]:
    """:func:`vulnerability_list` for paginators: a page's ids first, then its rows.

    A text search scans aliases and summaries; its ids are read once and counted in Python rather
    than scanned twice (a count, then the page).
    """
    return RowsById(vulnerability_list(q=q, **filters), materialize=bool(q.strip()))


def feed_upload_list(*, limit: int = 10) -> QuerySet[FeedUpload]:
    """Files uploaded on the feeds page, newest first, with who uploaded them."""
    return FeedUpload.objects.select_related("uploaded_by")[:limit]


def import_run_list(
    *, source: str = "", status: str = "", limit: int = 100, offset: int = 0
) -> QuerySet[ImportRun]:
    """Import runs, newest first (``limit`` from ``offset``)."""
    qs = ImportRun.objects.select_related("source")
    if source:
        qs = qs.filter(source__name=source)
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("-started_at", "-id")[offset : offset + limit]


@dataclass(frozen=True, slots=True)
class SourceStatus:
    """A source with its freshness."""

    source: Source
    last_run: ImportRun | None
    last_success: dt.datetime | None
    """When the last succeeded run finished."""
    record_count: int
    """Records (KEV entries, EPSS scores) stored for the source."""

    @property
    def age_days(self) -> int | None:
        """Days since the last succeeded run."""
        if self.last_success is None:
            return None
        return (dt.datetime.now(dt.UTC) - self.last_success).days


def _record_counts() -> dict[int, int]:
    grouped = AdvisoryRecord.objects.order_by().values("source_id").annotate(n=Count("*"))  # index-only
    counts = dict(grouped.values_list("source_id", "n"))
    for source in Source.objects.filter(kind__in=("kev", "epss")):
        counts[source.pk] = (KevEntry if source.kind == "kev" else EpssScore).objects.count()
    return counts


def source_list() -> list[SourceStatus]:
    """Every source with its last run, last success and stored record count."""
    sources = list(Source.objects.annotate(
        last_success=Max("runs__finished_at", filter=Q(runs__status=ImportRun.Status.SUCCEEDED))
    ).order_by("name"))  # fmt: skip
    last_ids = ImportRun.objects.values("source_id").annotate(last=Max("id")).values_list("last", flat=True)
    last_runs = {r.source_id: r for r in ImportRun.objects.filter(id__in=list(last_ids))}
    counts = _record_counts()
    return [SourceStatus(s, last_runs.get(s.pk), s.last_success, counts.get(s.pk, 0)) for s in sources]


def totals() -> dict[str, int]:
    """Store totals for the feeds page."""
    return {
        "vulnerabilities": Vulnerability.objects.count(),
        "records": AdvisoryRecord.objects.count(),
        "kev": KevEntry.objects.count(),
        "epss": EpssScore.objects.count(),
    }


@dataclass(frozen=True, slots=True)
class SyncState:
    """One online source: configuration, the state of its last sync and the next scheduled run."""

    source: str
    label: str
    enabled: bool
    """In ``FEEDS_SYNC_SOURCES`` (synced by the schedule and "Sync now")."""
    sync: FeedSync | None
    """None: never synced."""
    next_run: dt.datetime | None
    """None: no schedule, or the source is not enabled."""


def feed_sync_list(*, now: dt.datetime | None = None) -> list[SyncState]:
    """Every registered fetcher with its sync state (enabled ones first, in configured order)."""
    from django.conf import settings

    from medvigil.core.feeds.sync.registry import FETCHERS
    from medvigil.web.advisories.schedule import next_run

    enabled = [s for s in settings.FEEDS_SYNC_SOURCES if s in FETCHERS]
    names = enabled + sorted(set(FETCHERS) - set(enabled))
    syncs = {s.source: s for s in FeedSync.objects.prefetch_related("runs__source")}
    upcoming = next_run(settings.FEEDS_SYNC_SCHEDULE, now or dt.datetime.now(dt.UTC))
    return [
        SyncState(n, FETCHERS[n].label, n in enabled, syncs.get(n), upcoming if n in enabled else None)
        for n in names
    ]


def vulnerability_impact(*, vulnerability: Vulnerability) -> dict[str, list[dict[str, Any]]]:
    """Where a vulnerability touches the portfolio: findings per product version and state, and
    the products' cases (through the reverse relations: advisories imports neither app)."""
    findings = [
        dict(row)
        for row in vulnerability.findings.values(
            "product__name", "product__slug", "product_version__version", "state"
        )
        .annotate(n=Count("id"))
        .order_by("product__name", "product_version__version", "state")
    ]
    cases = [
        dict(row)
        for row in vulnerability.cases.values("id", "state", "product__name", "product__slug").order_by(
            "product__name"
        )
    ]
    return {"findings": findings, "cases": cases}
