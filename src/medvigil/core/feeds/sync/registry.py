"""The explicit registry of online fetchers, keyed by source name."""

from __future__ import annotations

from medvigil.core.feeds.sync.interface import Fetcher

__all__ = ["FETCHERS", "register"]

FETCHERS: dict[str, Fetcher] = {}
"""Fetchers by name; filled by :func:`register` calls at the bottom of this module."""


def register(fetcher: Fetcher) -> Fetcher:
    """Add a fetcher under its name (a second one with the same name is a bug)."""
    if fetcher.name in FETCHERS:
        raise ValueError(f"fetcher {fetcher.name!r} registered twice")
    FETCHERS[fetcher.name] = fetcher
    return fetcher


# Registrations (one line per fetcher module, added as the fetchers land):
from medvigil.core.feeds.sync.csaf_provider import CsafProviderFetcher  # noqa: E402
from medvigil.core.feeds.sync.epss import EpssFetcher  # noqa: E402
from medvigil.core.feeds.sync.kev import KevFetcher  # noqa: E402
from medvigil.core.feeds.sync.nvd import NvdFetcher  # noqa: E402
from medvigil.core.feeds.sync.osv import OsvFetcher  # noqa: E402

register(NvdFetcher())
register(OsvFetcher())
register(KevFetcher())
register(EpssFetcher())
register(CsafProviderFetcher())
