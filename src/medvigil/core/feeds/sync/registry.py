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
