"""CISA Known Exploited Vulnerabilities catalog (JSON), fetched with a conditional GET.

Option ``url`` (default :data:`KEV_URL`). The cursor keeps the answer's ``ETag`` and
``Last-Modified``; when the server says 304 Not Modified the run fetches no file.
"""

from __future__ import annotations

from medvigil.core.feeds.sync.http import conditional_download
from medvigil.core.feeds.sync.interface import FetchedFile, FetchResult, SyncContext

__all__ = ["KEV_URL", "KevFetcher"]

KEV_URL = "https://www.cisa.gov/sites/default/files/feeds/known_exploited_vulnerabilities.json"


class KevFetcher:
    """The CISA KEV catalog."""

    name = "kev"
    label = "CISA KEV catalog"

    def fetch(self, ctx: SyncContext) -> FetchResult:
        """Download the catalog unless it is unchanged since the last run."""
        url = str(ctx.options.get("url") or KEV_URL)
        path = ctx.dest / "known_exploited_vulnerabilities.json"
        changed, cursor = conditional_download(ctx, url, path, max_bytes=256 << 20)
        files = (FetchedFile(path, "kev", url),) if changed else ()
        return FetchResult(files=files, cursor=cursor, full=changed)
