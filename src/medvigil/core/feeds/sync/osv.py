"""OSV: per-ecosystem ``all.zip`` from the osv.dev bucket, then ``modified_id.csv`` increments.

Options: ``url`` (bucket base, default :data:`OSV_URL`), ``ecosystems`` (list, default
:data:`DEFAULT_ECOSYSTEMS`), ``max_incremental`` (an ecosystem with more changed records than
this is downloaded whole again; default 5,000).

The cursor maps each ecosystem to the newest ``modified`` timestamp taken into the store. An
ecosystem without one gets ``<ECOSYSTEM>/all.zip`` (one input); the others read
``<ECOSYSTEM>/modified_id.csv`` -- ``<RFC 3339 modified>,<ID>`` per line, newest first -- up
to the first line not newer than the cursor and fetch those ``<ECOSYSTEM>/<ID>.json`` records
into one folder, ``modified/<ECOSYSTEM>/<ID>.json``, which is one more input.
"""

from __future__ import annotations

import datetime as dt
import zipfile
from collections.abc import Iterator
from urllib.parse import quote

import orjson

from medvigil.core.errors import FeedUnavailableError
from medvigil.core.feeds._io import check_zip_sizes, read_zip_member
from medvigil.core.feeds.sync.http import download, get
from medvigil.core.feeds.sync.interface import FetchedFile, FetchResult, SyncContext

__all__ = ["DEFAULT_ECOSYSTEMS", "OSV_URL", "OsvFetcher", "modified_since"]

OSV_URL = "https://osv-vulnerabilities.storage.googleapis.com"
DEFAULT_ECOSYSTEMS = ("PyPI", "npm", "Go", "Maven", "crates.io", "NuGet", "RubyGems", "Packagist")
MAX_INCREMENTAL = 5000


def _ts(value: str) -> dt.datetime | None:
    try:
        parsed = dt.datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)


def modified_since(text: str, since: dt.datetime) -> Iterator[tuple[dt.datetime, str]]:
    """``(modified, id)`` of the ``modified_id.csv`` lines newer than ``since``.

    The file is sorted newest first, so reading stops at the first older line. Lines that are
    not ``<timestamp>,<id>`` (a header, blank lines) are skipped; an id with a path prefix
    (``PyPI/PYSEC-1``, as in the bucket's top-level file) keeps its last part.
    """
    for line in text.splitlines():
        stamp, _, ident = line.strip().partition(",")
        when = _ts(stamp)
        ident = ident.strip().rsplit("/", 1)[-1]
        if when is None or not ident:
            continue
        if when <= since:
            return
        yield when, ident


def _zip_newest(path: str) -> dt.datetime | None:
    """The newest ``modified`` of the records in an ``all.zip`` (when no index can be read)."""
    newest: dt.datetime | None = None
    with zipfile.ZipFile(path) as archive:
        members = [info for info in archive.infolist() if info.filename.endswith(".json")]
        check_zip_sizes(members, path)
        for info in members:
            try:
                when = _ts(str(orjson.loads(read_zip_member(archive, info, path)).get("modified", "")))
            except (orjson.JSONDecodeError, AttributeError):
                continue
            if when is not None and (newest is None or when > newest):
                newest = when
    return newest


class OsvFetcher:
    """osv.dev ecosystem exports."""

    name = "osv"
    label = "OSV (osv.dev ecosystem exports)"

    def fetch(self, ctx: SyncContext) -> FetchResult:
        """Download new ecosystems whole and the records changed since the cursor of the others."""
        base = str(ctx.options.get("url") or OSV_URL).rstrip("/")
        ecosystems = [str(e) for e in ctx.options.get("ecosystems") or DEFAULT_ECOSYSTEMS]
        limit = int(ctx.options.get("max_incremental") or MAX_INCREMENTAL)
        cursor = {k: v for k, v in ctx.cursor.items() if k in ecosystems}
        files: list[FetchedFile] = []
        fetched = 0
        full = True
        for eco in ecosystems:
            root = f"{base}/{quote(eco, safe='')}"
            index = get(ctx, f"{root}/modified_id.csv")
            if not index.is_success and index.status_code != 404:
                raise FeedUnavailableError(f"{root}/modified_id.csv: HTTP {index.status_code}")
            text = index.text if index.is_success else ""
            since = _ts(ctx.cursor.get(eco, ""))
            changed = list(modified_since(text, since)) if since is not None and text else None
            if since is not None and changed is not None and len(changed) <= limit:
                full = False
                fetched += _fetch_records(ctx, eco, root, [ident for _, ident in changed])
                if changed:
                    cursor[eco] = max(w for w, _ in changed).isoformat()
                ctx.events.append(f"osv {eco}: {len(changed)} record(s) modified since {since.isoformat()}")
                continue
            if changed is not None:
                ctx.events.append(f"osv {eco}: {len(changed)} changes is over {limit}; downloading all.zip")
            files.append(_fetch_all(ctx, eco, root, text, cursor))
        if fetched:
            files.append(FetchedFile(ctx.dest / "modified", "osv", base))
        return FetchResult(files=tuple(files), cursor=cursor, full=full)


def _fetch_records(ctx: SyncContext, eco: str, root: str, idents: list[str]) -> int:
    """Fetch ``<ID>.json`` records into ``modified/<eco>/``; return how many were written."""
    written = 0
    for ident in idents:
        url = f"{root}/{quote(ident, safe='')}.json"
        response = get(ctx, url)
        if response.status_code == 404:
            ctx.events.append(f"osv {eco}: {ident} is listed but gone (404); skipped")
            continue
        if not response.is_success:
            raise FeedUnavailableError(f"{url}: HTTP {response.status_code}")
        path = ctx.dest / "modified" / eco / f"{ident}.json"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(response.content)
        written += 1
    return written


def _fetch_all(ctx: SyncContext, eco: str, root: str, index: str, cursor: dict[str, str]) -> FetchedFile:
    """Download ``all.zip``; the cursor becomes the newest timestamp of the index (or the zip)."""
    path = ctx.dest / f"{eco}-all.zip"
    download(ctx, f"{root}/all.zip", path)
    epoch = dt.datetime.min.replace(tzinfo=dt.UTC)
    newest = next((w for w, _ in modified_since(index, epoch)), None) or _zip_newest(str(path))
    if newest is not None:
        cursor[eco] = newest.isoformat()
    ctx.events.append(f"osv {eco}: full download ({path.stat().st_size} bytes)")
    return FetchedFile(path, "osv", f"{root}/all.zip")
