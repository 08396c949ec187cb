"""FIRST EPSS scores: the daily ``epss_scores-current.csv.gz``, fetched with a conditional GET.

Option ``url`` (default :data:`EPSS_URL`). The cursor keeps the answer's ``ETag`` and
``Last-Modified``; when the server says 304 Not Modified the run fetches no file. The file's
``#model_version,score_date`` header dates the scores.
"""

from __future__ import annotations

from medvigil.core.feeds.sync.http import conditional_download
from medvigil.core.feeds.sync.interface import FetchedFile, FetchResult, SyncContext

__all__ = ["EPSS_URL", "EpssFetcher"]

EPSS_URL = "https://epss.empiricalsecurity.com/epss_scores-current.csv.gz"


class EpssFetcher:
    """Daily EPSS scores."""

    name = "epss"
    label = "FIRST EPSS daily scores"

    def fetch(self, ctx: SyncContext) -> FetchResult:
        """Download today's scores unless they are unchanged since the last run."""
        url = str(ctx.options.get("url") or EPSS_URL)
        name = url.rsplit("/", 1)[-1].split("?", 1)[0] or "epss_scores-current.csv.gz"
        if not name.endswith((".csv", ".csv.gz")):
            name = "epss_scores-current.csv.gz"
        path = ctx.dest / name
        changed, cursor = conditional_download(ctx, url, path, max_bytes=512 << 20)
        files = (FetchedFile(path, "epss", url),) if changed else ()
        return FetchResult(files=files, cursor=cursor, full=changed)
