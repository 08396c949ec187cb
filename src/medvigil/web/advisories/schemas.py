"""Wire schemas of the intelligence API."""

from __future__ import annotations

import datetime as dt
from typing import Any

from ninja import Schema


class VulnerabilityOut(Schema):
    """A vulnerability identity with its denormalised sort fields."""

    key: str
    summary: str
    published: dt.datetime | None
    modified: dt.datetime | None
    cvss_score: float | None
    cvss_vector: str
    cvss_version: str
    severity: str
    kev: bool
    epss: float | None
    epss_percentile: float | None
    epss_date: dt.date | None
    sources: list[str]
    withdrawn: bool


class RecordOut(Schema):
    """One source's record."""

    source: str
    record_id: str
    modified: dt.datetime | None
    published: dt.datetime | None
    withdrawn: dt.datetime | None
    rejected: bool
    state: str
    summary: str
    details: str
    aliases: list[str]
    related: list[str]
    cwes: list[str]
    severities: list[dict[str, Any]]
    references: list[dict[str, Any]]
    ssvc: dict[str, Any] | None
    extra: dict[str, Any]
    first_seen: dt.datetime
    last_seen: dt.datetime
    affected: list[dict[str, Any]]
    cpe_configurations: list[dict[str, Any]]
    csaf_products: list[dict[str, Any]]


class VulnerabilityDetailOut(VulnerabilityOut):
    """A vulnerability with every source's record side by side."""

    aliases: list[str]
    records: list[RecordOut]
    kev_entries: list[dict[str, Any]]
    epss_scores: list[dict[str, Any]]


class RunOut(Schema):
    """An import run."""

    id: int
    source: str
    path: str
    sha256: str
    size: int
    status: str
    started_at: dt.datetime
    finished_at: dt.datetime | None
    new: int
    updated: int
    unchanged: int
    withdrawn: int
    rejected: int
    error_count: int
    errors: list[dict[str, str]]
    message: str


class SourceOut(Schema):
    """A source and its freshness."""

    name: str
    kind: str
    url: str
    enabled: bool
    record_count: int
    last_success: dt.datetime | None
    age_days: int | None
    last_run: RunOut | None


class SyncOut(Schema):
    """A source's online sync state."""

    source: str
    label: str
    enabled: bool
    status: str
    started_at: dt.datetime | None
    finished_at: dt.datetime | None
    last_success_at: dt.datetime | None
    next_run: dt.datetime | None
    cursor: dict[str, Any]
    message: str
    events: list[str]
    rejected: list[dict[str, str]]
    files: int
    counts: dict[str, int]
    runs: list[int]


class SyncIn(Schema):
    """Sources to sync now (empty: the enabled ones)."""

    sources: list[str] = []


class SyncQueuedOut(Schema):
    """A queued sync."""

    task: str
    sources: list[str]
