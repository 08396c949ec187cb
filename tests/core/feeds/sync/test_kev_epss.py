"""KEV and EPSS sync: conditional GET with the previous answer's ETag; 304 fetches nothing."""

from __future__ import annotations

from pathlib import Path

import httpx

from medvigil.core.feeds.registry import detect_source
from medvigil.core.feeds.sync.epss import EpssFetcher
from medvigil.core.feeds.sync.interface import SyncContext
from medvigil.core.feeds.sync.kev import KevFetcher
from medvigil.core.feeds.sync.registry import FETCHERS
from tests.core.feeds.sync.conftest import FeedServer
from tests.core.feeds.sync.helpers import Clock, serve_kev_epss


def _ctx(dest: Path, url: str, cursor: dict[str, str] | None = None) -> SyncContext:
    clock = Clock()
    return SyncContext(
        client=httpx.Client(timeout=5), dest=dest, cursor=cursor or {}, options={"url": url},
        sleep=clock.sleep, now=clock.now,
    )  # fmt: skip


def test_registry_lists_the_fetchers() -> None:
    assert {"nvd", "osv", "kev", "epss"} <= set(FETCHERS)


def test_kev_and_epss_download_then_answer_304(feed_server: FeedServer, tmp_path: Path) -> None:
    serve_kev_epss(feed_server)
    for fetcher, path, kind in ((KevFetcher(), "/kev.json", "kev"),
                                (EpssFetcher(), "/epss_scores-current.csv.gz", "epss")):  # fmt: skip
        first = fetcher.fetch(_ctx(tmp_path / kind / "1", feed_server.url + path))
        (file,) = first.files
        assert file.source == kind and detect_source(file.path) == kind
        assert first.cursor["etag"] == f'"{kind}-1"'
        second = fetcher.fetch(_ctx(tmp_path / kind / "2", feed_server.url + path, dict(first.cursor)))
        assert second.files == () and second.cursor == first.cursor
        assert feed_server.hits(path)[-1].headers["if-none-match"] == f'"{kind}-1"'
        assert not (tmp_path / kind / "2").exists()


def test_without_validators_every_run_downloads(feed_server: FeedServer, tmp_path: Path) -> None:
    feed_server.route("/kev.json", lambda r: (200, {}, b'{"catalogVersion": "1", "vulnerabilities": []}'))
    first = KevFetcher().fetch(_ctx(tmp_path / "1", feed_server.url + "/kev.json"))
    second = KevFetcher().fetch(_ctx(tmp_path / "2", feed_server.url + "/kev.json", dict(first.cursor)))
    assert len(second.files) == 1 and "if-none-match" not in feed_server.requests[-1].headers
