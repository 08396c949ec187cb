"""Independent counts from the raw feed files (plain gzip/json/csv walks, no medvigil code)."""

from __future__ import annotations

import csv
import datetime as dt
import gzip
import io
import json
from pathlib import Path
from typing import Any

from tests.conftest import shared_path

FEED_DIRS = ("osv", "nvd", "cve-json5", "kev", "epss", "csaf")
PYSEC_SCHEMA_BREAKERS = {
    "PYSEC-2021-371", "PYSEC-2021-424", "PYSEC-2021-425", "PYSEC-2021-436", "PYSEC-2019-155",
    "PYSEC-2017-27", "PYSEC-2023-80",
}  # fmt: skip
"""The 7 PyPI records that break the OSV schema (GIT ``fixed`` values that are not commit hashes)."""


def read_text(path: Path) -> str:
    if path.name.endswith(".gz"):
        with gzip.open(path, "rt", encoding="utf-8") as handle:
            return handle.read()
    return path.read_text(encoding="utf-8-sig")


def lines(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in read_text(path).splitlines() if line.strip()]


def osv_ids(path: Path) -> list[str]:
    if path.name.endswith((".jsonl", ".jsonl.gz")):
        return [r["id"] for r in lines(path)]
    return [json.loads(read_text(path))["id"]]


def nvd_ids(path: Path) -> list[str]:
    if path.name.endswith(".jsonl.gz"):
        return [r["cve"]["CVE_data_meta"]["ID"] for r in lines(path)]
    data = json.loads(read_text(path))
    if "CVE_Items" in data:
        return [r["cve"]["CVE_data_meta"]["ID"] for r in data["CVE_Items"]]
    return [v["cve"]["id"] for v in data["vulnerabilities"]]


def cve5_ids(path: Path) -> list[str]:
    return [r["cveMetadata"]["cveId"] for r in lines(path)]


def kev_ids(path: Path) -> list[str]:
    if path.suffix == ".json":
        return [v["cveID"] for v in json.loads(read_text(path))["vulnerabilities"]]
    return [row["cveID"] for row in csv.DictReader(io.StringIO(read_text(path)))]


def epss_keys(path: Path) -> list[tuple[str, dt.date]]:
    """(CVE, day) of each row; a file without a ``score_date`` header is dated by its mtime."""
    day = dt.datetime.fromtimestamp(path.stat().st_mtime, tz=dt.UTC).date()
    keys = []
    for line in read_text(path).splitlines():
        if line.startswith("#"):
            day = dt.date.fromisoformat(line.split("score_date:")[1][:10])
        elif line.startswith("CVE-"):
            keys.append((line.replace(";", ",").split(",")[0], day))
    return keys


def csaf_ids(doc: dict[str, Any]) -> list[str]:
    """Record ids of a CSAF document: ``<tracking id>/<cve | first id | index>``."""
    tracking = doc["document"]["tracking"]["id"]
    vulns = doc.get("vulnerabilities") or []
    if not vulns:
        return [tracking]
    out = []
    for index, v in enumerate(vulns):
        ids = v.get("ids") or []
        out.append(f"{tracking}/{v.get('cve') or (ids[0]['text'] if ids else str(index))}")
    return out


def rejected_oasis_documents() -> set[Path]:
    base = shared_path("csaf", "oasis-csaf-2.0", "test", "validator", "data")
    cases = json.loads((base / "testcases.json").read_text())["tests"]
    mandatory = {
        (base / entry["name"]).resolve()
        for case in cases
        if case["group"] == "mandatory"  # every mandatory test blocks an import
        for entry in case.get("failures", [])
    }
    # some optional/informative test documents also break a mandatory test (e.g. 6-2-08-02 lists
    # one hash algorithm twice, 6.1.25); the validator's own tests check it against testcases.json
    from medvigil.core.csaf.validate import validate_csaf

    others = {
        (base / entry["name"]).resolve()
        for case in cases
        if case["group"] != "mandatory"
        for entry in (*case.get("failures", []), *case.get("valid", []))
        if validate_csaf(json.loads((base / entry["name"]).read_text(encoding="utf-8")))
    }
    return mandatory | others


def csaf_files() -> list[Path]:
    root = shared_path("csaf")
    return sorted(p for p in root.rglob("*.json") if '"csaf_version"' in p.read_text(encoding="utf-8"))
