"""The contract between the sync service and the per-source fetchers.

A fetcher receives a :class:`SyncContext` (client, download folder, the cursor its previous
run left, options) and returns a :class:`FetchResult`: the files it downloaded, each tagged
with the parser id that reads it, what it refused (bad hash, bad signature) and the cursor the
next run continues from. It never writes to the store: the caller imports the files, and only
saves the new cursor once they are imported.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import httpx

__all__ = ["FetchResult", "FetchedFile", "Fetcher", "Rejection", "SyncContext"]


def _utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@dataclass(frozen=True, slots=True)
class FetchedFile:
    """One downloaded input, ready for ``feed_import``."""

    path: Path
    """Where it was written (inside ``SyncContext.dest``)."""
    source: str
    """Parser id that reads it (``nvd``, ``osv``, ``kev``, ``epss``, ``csaf``)."""
    url: str
    """Where it came from."""


@dataclass(frozen=True, slots=True)
class Rejection:
    """A document that was downloaded but refused (and not handed on for import)."""

    url: str
    reason: str
    """Why, e.g. ``SHA-512 mismatch: expected ab12…, got 9f3c…``."""


@dataclass(frozen=True, slots=True)
class FetchResult:
    """What one fetch produced."""

    files: tuple[FetchedFile, ...]
    rejected: tuple[Rejection, ...] = ()
    cursor: Mapping[str, str] = field(default_factory=dict)
    """State for the next, incremental run (e.g. ``{"last_modified": "2024-05-01T00:00:00Z"}``)."""
    full: bool = False
    """True when this was a full download rather than an incremental update."""


@dataclass(frozen=True, slots=True)
class SyncContext:
    """Everything a fetcher may use. ``events`` collects retry and progress notes for the run report."""

    client: httpx.Client
    dest: Path
    """An empty folder for this run's downloads."""
    cursor: Mapping[str, str] = field(default_factory=dict)
    """What the previous successful run of this fetcher returned (empty: first run, fetch all)."""
    options: Mapping[str, Any] = field(default_factory=dict)
    """Configured options: base URLs, API key, ecosystems, providers, public keys..."""
    sleep: Callable[[float], None] = time.sleep
    """Waits between requests and before retries (tests pass a recorder)."""
    now: Callable[[], dt.datetime] = _utcnow
    events: list[str] = field(default_factory=list)
    """Human-readable notes: retries with their status, skipped items, rate-limit waits."""


class Fetcher(Protocol):
    """One online source."""

    name: str
    """Registry key (``nvd``, ``osv``, ``kev``, ``epss``, ``csaf``)."""
    label: str

    def fetch(self, ctx: SyncContext) -> FetchResult:
        """Download what changed since ``ctx.cursor`` into ``ctx.dest``."""
        ...
