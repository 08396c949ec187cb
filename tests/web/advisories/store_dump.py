"""A canonical dump of the intelligence store: what an import stored, without row ids or run times.

Vulnerabilities (by key, with their aliases and derived fields), advisory records (by source and
record id, raw bytes decompressed), affected packages, CPE configurations, the CPE index and CSAF
product statuses. Two stores hold the same intelligence exactly when their dumps are equal; used
by the tests that compare import paths, and by hand (``python -m tests.web.advisories.store_dump``
with ``MEDVIGIL_DATA_DIR`` or ``MEDVIGIL_DATABASE_URL`` set) to compare a whole corpus before and
after a change.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

import orjson
from isal import isal_zlib

VOLATILE = {"id", "first_seen", "last_seen", "import_run", "import_run_id", "created_at", "source_id"}
"""Columns that differ between two imports of the same data (row ids, clocks, runs)."""


def _plain(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, bytes | memoryview):
        return hashlib.sha256(isal_zlib.decompress(bytes(value))).hexdigest()
    return value


def _rows(model: Any, record_key: dict[int, tuple[str, str]], key_field: str = "record_id") -> list[Any]:
    names = [f.attname for f in model._meta.concrete_fields if f.attname not in VOLATILE]
    out = []
    for row in model.objects.values_list(*names):
        data = dict(zip(names, row, strict=True))
        data[key_field] = record_key[data[key_field]]
        out.append({k: _plain(v) for k, v in data.items()})
    return sorted(out, key=lambda d: orjson.dumps(d, option=orjson.OPT_SORT_KEYS))


def store_dump() -> dict[str, Any]:
    """Every stored intelligence row in a canonical, id-free form (sorted)."""
    from medvigil.web.advisories.models import (
        AdvisoryRecord,
        AffectedPackage,
        Alias,
        CpeConfiguration,
        CpeIndexEntry,
        CsafProductStatus,
        Vulnerability,
    )

    vuln_key = dict(Vulnerability.objects.values_list("id", "key"))
    triples = AdvisoryRecord.objects.values_list("id", "source__name", "record_id")
    record_key = {pk: (source, rid) for pk, source, rid in triples}
    vuln_fields = [f.attname for f in Vulnerability._meta.concrete_fields if f.attname not in VOLATILE]
    aliases: dict[str, list[str]] = {}
    for alias, vid in Alias.objects.values_list("alias", "vulnerability_id"):
        aliases.setdefault(vuln_key[vid], []).append(alias)
    vulns = {
        row[vuln_fields.index("key")]: {
            **{k: _plain(v) for k, v in zip(vuln_fields, row, strict=True)},
            "aliases": sorted(aliases.get(row[vuln_fields.index("key")], [])),
        }
        for row in Vulnerability.objects.values_list(*vuln_fields)
    }
    rec_fields = [f.attname for f in AdvisoryRecord._meta.concrete_fields if f.attname not in VOLATILE]
    records = []
    for row in AdvisoryRecord.objects.values_list("source__name", *rec_fields):
        data = {k: _plain(v) for k, v in zip(["source", *rec_fields], row, strict=True)}
        data["vulnerability_id"] = vuln_key[row[1 + rec_fields.index("vulnerability_id")]]
        records.append(data)
    records.sort(key=lambda d: (d["source"], d["record_id"]))
    return {
        "vulnerabilities": [vulns[k] for k in sorted(vulns)],
        "records": records,
        "affected": _rows(AffectedPackage, record_key),
        "cpe_configurations": _rows(CpeConfiguration, record_key),
        "cpe_index": _rows(CpeIndexEntry, record_key),
        "csaf_products": _rows(CsafProductStatus, record_key),
    }


def dump_digest(dump: dict[str, Any]) -> dict[str, str]:
    """Per part: row count and SHA-256 of its canonical JSON."""

    def digest(rows: list[Any]) -> str:
        return hashlib.sha256(orjson.dumps(rows, option=orjson.OPT_SORT_KEYS)).hexdigest()

    return {part: f"{len(rows)} rows, sha256 {digest(rows)}" for part, rows in dump.items()}


if __name__ == "__main__":
    import sys

    from medvigil.cli import _django

    _django.setup()
    dump = store_dump()
    for part, digest in dump_digest(dump).items():
        print(f"{part}: {digest}")
    if len(sys.argv) > 1:
        with open(sys.argv[1], "wb") as fh:
            fh.write(orjson.dumps(dump, option=orjson.OPT_SORT_KEYS))
