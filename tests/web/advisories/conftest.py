"""A small real store: the NVD record of CVE-2019-10964 (MiniMed insulin pumps), the CISA ICSMA
advisory that covers it, the single-entry NVD API sample, two PyPI OSV records and the EPSS sample."""

from __future__ import annotations

import gzip
import json
from pathlib import Path
from typing import Any

import pytest

from medvigil.web.advisories.services import feed_import
from tests.conftest import shared_path


def nvd_lines(tmp: Path, year: str, *cves: str) -> Path:
    """A JSONL file with the real NVD 1.1 items of ``cves`` from the yearly feed."""
    source = shared_path("nvd", "feeds-1.1-yearly", f"nvdcve-1.1-{year}.jsonl.gz")
    wanted = {f'"ID": "{c}"' for c in cves} | {f'"ID":"{c}"' for c in cves}
    with gzip.open(source, "rt", encoding="utf-8") as handle:
        picked = [line for line in handle if any(w in line[:300] for w in wanted)]
    assert len(picked) == len(cves)
    out = tmp / f"nvd-{year}-extract.jsonl"
    out.write_text("".join(picked))
    return out


def pypi_lines(tmp: Path, *ids: str) -> Path:
    source = shared_path("osv", "pypi-pypa-advisory-database.jsonl.gz")
    with gzip.open(source, "rt", encoding="utf-8") as handle:
        picked = [line for line in handle if json.loads(line)["id"] in ids]
    out = tmp / "pypi-extract.jsonl"
    out.write_text("".join(picked))
    return out


@pytest.fixture
def small_store(db: Any, tmp_path: Path) -> dict[str, Any]:
    paths = [
        nvd_lines(tmp_path, "2019", "CVE-2019-10964"),
        shared_path("csaf", "cisa", "icsma", "icsma-19-178-01.json"),
        shared_path("nvd", "api-2.0-samples", "nvd-cve-api-2.0-single-entry.json"),
        pypi_lines(tmp_path, "PYSEC-2021-98", "PYSEC-2017-11"),
        shared_path("epss", "first-epss-csv-format-sample.csv"),
    ]
    results = [feed_import(path=p) for p in paths]
    assert not any(r.failed for r in results), [r.message for r in results]
    return {"paths": paths, "results": results}


from tests.core.feeds.sync.conftest import feed_server  # noqa: E402,F401 - local HTTP server fixture
