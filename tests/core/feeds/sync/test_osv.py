"""OSV sync: all.zip on the first run, then only records newer than the cursor."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import httpx

from medvigil.core.feeds.osv import OsvFeed
from medvigil.core.feeds.sync.interface import SyncContext
from medvigil.core.feeds.sync.osv import OsvFetcher, modified_since
from tests.core.feeds.sync.conftest import FeedServer
from tests.core.feeds.sync.helpers import Clock, parsed_records, pypi_records, serve_osv

IDS = ("PYSEC-2021-335", "PYSEC-2021-370", "PYSEC-2022-182", "PYSEC-2023-1")


def _ctx(server: FeedServer, dest: Path, cursor: dict[str, str] | None = None) -> SyncContext:
    clock = Clock()
    return SyncContext(
        client=httpx.Client(timeout=5),
        dest=dest,
        cursor=cursor or {},
        options={"url": server.url, "ecosystems": ["PyPI"]},
        sleep=clock.sleep,
        now=clock.now,
    )


def test_modified_id_csv_is_read_newest_first_up_to_the_cursor() -> None:
    text = "2024-05-02T10:00:00.5Z,GHSA-b\n2024-05-01T00:00:00Z,PYSEC-1\n2024-04-01T00:00:00Z,OLD-1\n"
    since = dt.datetime(2024, 5, 1, tzinfo=dt.UTC)
    assert [i for _, i in modified_since(text, since)] == ["GHSA-b"]
    assert [i for _, i in modified_since("modified,id\n" + text, since)] == ["GHSA-b"]  # header skipped
    assert [i for _, i in modified_since("2024-06-01T00:00:00Z,PyPI/PYSEC-9\n", since)] == ["PYSEC-9"]


def test_first_run_downloads_all_zip_and_later_runs_only_newer_records(
    feed_server: FeedServer, tmp_path: Path
) -> None:
    records = pypi_records(*IDS)
    serve_osv(feed_server, records)
    first = OsvFetcher().fetch(_ctx(feed_server, tmp_path / "1"))
    (zip_file,) = first.files
    assert zip_file.path.name == "PyPI-all.zip" and first.full
    assert sorted(parsed_records(OsvFeed(), zip_file.path)) == sorted(IDS)
    newest = max(dt.datetime.fromisoformat(r["modified"]) for r in records)
    assert dt.datetime.fromisoformat(first.cursor["PyPI"]) == newest

    # upstream changes one record and adds one; the cursor is the first run's
    records[0] = {**records[0], "modified": "2026-11-20T10:00:00Z", "summary": "updated upstream"}
    added = pypi_records("PYSEC-2021-839")[0] | {"modified": "2026-11-21T10:00:00Z"}
    serve_osv(feed_server, [*records, added])
    feed_server.requests.clear()
    second = OsvFetcher().fetch(_ctx(feed_server, tmp_path / "2", dict(first.cursor)))
    fetched = sorted(r.path for r in feed_server.requests)
    assert fetched == ["/PyPI/PYSEC-2021-335.json", "/PyPI/PYSEC-2021-839.json", "/PyPI/modified_id.csv"]
    (folder,) = second.files
    assert folder.path.is_dir() and not second.full
    parsed = parsed_records(OsvFeed(), folder.path)
    assert set(parsed) == {"PYSEC-2021-335", "PYSEC-2021-839"}
    assert json.loads(parsed["PYSEC-2021-335"].raw)["summary"] == "updated upstream"
    assert second.cursor == {"PyPI": "2026-11-21T10:00:00+00:00"}

    feed_server.requests.clear()
    third = OsvFetcher().fetch(_ctx(feed_server, tmp_path / "3", dict(second.cursor)))
    assert third.files == () and third.cursor == second.cursor
    assert [r.path for r in feed_server.requests] == ["/PyPI/modified_id.csv"]


def test_too_many_changes_fall_back_to_all_zip(feed_server: FeedServer, tmp_path: Path) -> None:
    records = pypi_records(*IDS)
    serve_osv(feed_server, records)
    ctx = _ctx(feed_server, tmp_path, {"PyPI": "2000-01-01T00:00:00+00:00"})
    ctx.options["max_incremental"] = 2  # type: ignore[index]
    result = OsvFetcher().fetch(ctx)
    assert [f.path.name for f in result.files] == ["PyPI-all.zip"]
    assert any("over 2; downloading all.zip" in e for e in ctx.events)
