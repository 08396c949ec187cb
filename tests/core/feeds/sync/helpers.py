"""Recorded upstream data served by the local test server, and a clock that sleeps instantly."""

from __future__ import annotations

import datetime as dt
import gzip
import io
import json
import zipfile
from pathlib import Path
from typing import Any

from medvigil.core.feeds.interface import FeedParser, ParsedRecord
from medvigil.core.model.advisory import AdvisoryRecord
from tests.conftest import shared_path
from tests.core.feeds.sync.conftest import Answer, FeedServer, Request

NVD_PATH = "/rest/json/cves/2.0"


class Clock:
    """``now``/``sleep`` for a SyncContext: sleeping advances the clock and is recorded."""

    def __init__(self, start: dt.datetime | None = None) -> None:
        self.current = start or dt.datetime(2026, 11, 23, 12, 0, tzinfo=dt.UTC)
        self.sleeps: list[float] = []

    def now(self) -> dt.datetime:
        return self.current

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.current += dt.timedelta(seconds=seconds)


def parsed_records(parser: FeedParser, path: Path) -> dict[str, ParsedRecord]:
    """The advisory records a parser reads from ``path``, by id."""
    return {
        item.record.id: item
        for item in parser.parse(path)
        if isinstance(item, ParsedRecord) and isinstance(item.record, AdvisoryRecord)
    }


def nvd_sample() -> dict[str, Any]:
    path = shared_path("nvd", "api-2.0-samples", "nvd-cve-api-2.0-page-2023-10-18.json")
    data: dict[str, Any] = json.loads(path.read_bytes())
    return data


def serve_nvd(server: FeedServer, page_cap: int = 10) -> dict[str, Any]:
    """Serve the 38-CVE API 2.0 sample in pages of at most ``page_cap`` (NVD caps resultsPerPage
    the same way); queries with a lastMod window are answered from the same 38 records."""
    sample = nvd_sample()
    items = sample["vulnerabilities"]

    def handler(request: Request) -> Answer:
        start = int(request.query.get("startIndex", "0"))
        size = min(int(request.query.get("resultsPerPage", "2000")), page_cap)
        page = {
            **{k: v for k, v in sample.items() if k != "vulnerabilities"},
            "startIndex": start,
            "resultsPerPage": size,
            "totalResults": len(items),
            "vulnerabilities": items[start : start + size],
        }
        return 200, {"Content-Type": "application/json"}, json.dumps(page).encode()

    server.route(NVD_PATH, handler)
    return sample


def pypi_records(*ids: str) -> list[dict[str, Any]]:
    """Real PyPI OSV records from ../shared/data, in the order asked."""
    source = shared_path("osv", "pypi-pypa-advisory-database.jsonl.gz")
    found: dict[str, dict[str, Any]] = {}
    with gzip.open(source, "rt", encoding="utf-8") as handle:
        for line in handle:
            record = json.loads(line)
            if record["id"] in ids:
                found[record["id"]] = record
    return [found[i] for i in ids]


def all_zip(records: list[dict[str, Any]]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for record in records:
            archive.writestr(f"{record['id']}.json", json.dumps(record))
    return buffer.getvalue()


def modified_csv(records: list[dict[str, Any]]) -> bytes:
    rows = sorted(((r["modified"], r["id"]) for r in records), reverse=True)
    return "".join(f"{m},{i}\n" for m, i in rows).encode()


def serve_osv(server: FeedServer, records: list[dict[str, Any]], tmp: Path | None = None) -> None:
    """``/PyPI/all.zip``, ``/PyPI/modified_id.csv`` and ``/PyPI/<ID>.json`` for ``records``."""
    server.static("/PyPI/all.zip", all_zip(records))
    server.static("/PyPI/modified_id.csv", modified_csv(records))
    for record in records:
        server.static(f"/PyPI/{record['id']}.json", json.dumps(record).encode())


def kev_bytes() -> bytes:
    return shared_path("kev", "known_exploited_vulnerabilities.json").read_bytes()


def epss_gz() -> bytes:
    return gzip.compress(shared_path("epss", "first-epss-csv-format-sample.csv").read_bytes())


def serve_kev_epss(server: FeedServer) -> None:
    server.static("/kev.json", kev_bytes(), {"ETag": '"kev-1"', "Content-Type": "application/json"})
    server.static("/epss_scores-current.csv.gz", epss_gz(), {"ETag": '"epss-1"'})
