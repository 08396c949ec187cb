"""CLI test fixtures."""

from __future__ import annotations

from tests.core.feeds.sync.conftest import feed_server  # noqa: F401 - local HTTP server fixture
