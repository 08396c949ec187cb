"""Air-gapped bundles: export a small real store, import it into an empty one, refuse bad bundles."""

from __future__ import annotations

import datetime as dt
import gzip
import io
import itertools
import json
import tarfile
from pathlib import Path
from typing import Any

import pytest

from medvigil.web.advisories.bundle import BundleError, bundle_export, bundle_import, bundle_verify
from medvigil.web.advisories.models import (
    AdvisoryRecord,
    AffectedPackage,
    Alias,
    CpeConfiguration,
    CpeIndexEntry,
    CsafProductStatus,
    EpssScore,
    ImportRun,
    KevEntry,
    Source,
    Vulnerability,
)
from medvigil.web.advisories.services import feed_import
from tests.conftest import shared_path

pytestmark = pytest.mark.django_db


def kev_extract(tmp: Path, count: int = 6) -> Path:
    catalog = json.loads(shared_path("kev", "known_exploited_vulnerabilities.json").read_bytes())
    catalog["vulnerabilities"] = catalog["vulnerabilities"][:count]
    out = tmp / "kev-extract.json"
    out.write_text(json.dumps(catalog))
    return out


def cve5_extract(tmp: Path, count: int = 3) -> Path:
    source = shared_path("cve-json5", "cisa-vulnrichment.jsonl.gz")
    with gzip.open(source, "rt", encoding="utf-8") as handle:
        lines = list(itertools.islice(handle, count))
    out = tmp / "cve5-extract.jsonl"
    out.write_text("".join(lines))
    return out


@pytest.fixture
def full_store(small_store: dict[str, Any], tmp_path: Path) -> dict[str, Any]:
    """The shared small store plus a KEV extract, CVE 5 records and a CISA ICSMA VEX-less advisory."""
    extra = [
        kev_extract(tmp_path),
        cve5_extract(tmp_path),
        shared_path("csaf", "cisa", "icsma", "icsma-18-058-01.json"),
    ]
    results = [feed_import(path=p) for p in extra]
    assert not any(r.failed for r in results), [r.message for r in results]
    return small_store


def snapshot() -> dict[str, Any]:
    """What a user sees of the store: counts, record digests per source, KEV/EPSS flags."""
    records = AdvisoryRecord.objects.values_list("source__name", "record_id", "raw_sha256", "modified")
    return {
        "counts": {
            m.__name__: m.objects.count()
            for m in (
                AdvisoryRecord,
                Vulnerability,
                Alias,
                AffectedPackage,
                CpeConfiguration,
                CpeIndexEntry,
                CsafProductStatus,
                KevEntry,
                EpssScore,
            )
        },
        "records": sorted(records),
        "aliases": sorted(Alias.objects.values_list("alias", "vulnerability__key")),
        "vulns": sorted(
            Vulnerability.objects.values_list("key", "kev", "epss", "epss_date", "cvss_score", "withdrawn")
        ),
        "kev": sorted(
            KevEntry.objects.values_list("cve_id", "date_added", "due_date", "cwes", "catalog_version")
        ),
        "epss": sorted(
            EpssScore.objects.values_list("cve_id", "score_date", "epss", "percentile", "model_version")
        ),
    }


def wipe() -> None:
    """An empty database, as on the other side of the air gap."""
    for model in (
        CpeIndexEntry,
        CpeConfiguration,
        AffectedPackage,
        CsafProductStatus,
        AdvisoryRecord,
        Alias,
        Vulnerability,
        KevEntry,
        EpssScore,
        ImportRun,
        Source,
    ):
        model.objects.all().delete()


def test_round_trip_into_an_empty_store(full_store: dict[str, Any], tmp_path: Path) -> None:
    before = snapshot()
    assert all(before["counts"].values()), before["counts"]
    bundle = tmp_path / "intel.tar"
    manifest = bundle_export(bundle)
    assert {e.parser for e in manifest.entries} == {"osv", "nvd", "cve5", "csaf", "kev", "epss"}
    by_file = {e.file: e for e in manifest.entries}
    assert by_file["csaf-csaf.zip"].records == AdvisoryRecord.objects.filter(source__name="csaf").count()
    assert [e.records for e in manifest.entries if e.parser == "kev"] == [6]
    wipe()
    assert AdvisoryRecord.objects.count() == 0
    result = bundle_import(bundle)
    assert result.notes == ()
    assert not result.skipped
    assert snapshot() == before
    runs = ImportRun.objects.filter(status=ImportRun.Status.SUCCEEDED)
    assert sorted(r.path for r in runs) == sorted(f"intel.tar:{e.file}" for e in manifest.entries)


def test_reimport_changes_nothing(full_store: dict[str, Any], tmp_path: Path) -> None:
    bundle = tmp_path / "intel.tar"
    bundle_export(bundle)
    wipe()
    bundle_import(bundle)
    state, runs = snapshot(), ImportRun.objects.count()
    again = bundle_import(bundle)
    assert again.skipped
    assert snapshot() == state and ImportRun.objects.count() == runs


def test_import_into_the_origin_store_finds_every_record_unchanged(
    full_store: dict[str, Any], tmp_path: Path
) -> None:
    """Exported record bytes are the stored upstream bytes: nothing looks new or updated."""
    before = snapshot()
    bundle = tmp_path / "intel.tar"
    bundle_export(bundle)
    result = bundle_import(bundle)
    for entry, run in result.results:
        if not run.skipped:
            assert (run.counts["new"], run.counts["updated"]) == (0, 0), entry.file
    assert snapshot()["records"] == before["records"]


def _rewrite(bundle: Path, out: Path, change: Any) -> None:
    """Copy the tar member by member, letting ``change(name, data)`` alter or drop (None) a member."""
    with tarfile.open(bundle) as src, tarfile.open(out, "w") as dst:
        for member in src:
            data = src.extractfile(member).read()  # type: ignore[union-attr]
            new = change(member.name, data)
            if new is None:
                continue
            info = tarfile.TarInfo(member.name)
            info.size = len(new)
            dst.addfile(info, io.BytesIO(new))


@pytest.fixture
def exported(full_store: dict[str, Any], tmp_path: Path) -> Path:
    bundle = tmp_path / "intel.tar"
    bundle_export(bundle)
    wipe()
    return bundle


def _refused(bundle: Path, match: str) -> None:
    with pytest.raises(BundleError, match=match):
        bundle_import(bundle)
    assert AdvisoryRecord.objects.count() == KevEntry.objects.count() == EpssScore.objects.count() == 0
    assert ImportRun.objects.count() == Source.objects.count() == 0


def test_tampered_data_file_is_refused_and_nothing_written(exported: Path, tmp_path: Path) -> None:
    bad = tmp_path / "tampered.tar"

    def flip(name: str, data: bytes) -> bytes:
        if "-kev-" in name:  # same size, one date changed: only the checksum can tell
            return data.replace(b'"dateAdded":"20', b'"dateAdded":"19', 1)
        return data

    _rewrite(exported, bad, flip)
    _refused(bad, r"kev-.*\.json: SHA-256 .* does not match the manifest")


def test_bundle_content_over_the_setting_is_refused_naming_the_member(exported: Path, settings: Any) -> None:
    settings.BUNDLE_MAX_BYTES = 2048
    with pytest.raises(BundleError, match=r"bundle member 'data/.*' .* over the limit of 2048 bytes"):
        bundle_verify(exported)
    _refused(exported, "over the limit of 2048 bytes")


def test_truncated_bundle_is_refused(exported: Path, tmp_path: Path) -> None:
    data = exported.read_bytes()
    with tarfile.open(exported) as tar:
        manifest_at = tar.getmember("manifest.json").offset  # a cut on a member boundary
    for cut in (len(data) // 2, manifest_at, manifest_at + 700):
        bad = tmp_path / f"cut-{cut}.tar"
        bad.write_bytes(data[:cut])
        _refused(bad, "truncated")


def test_manifest_must_list_exactly_the_data(exported: Path, tmp_path: Path) -> None:
    dropped = tmp_path / "dropped.tar"
    _rewrite(exported, dropped, lambda name, data: None if name.endswith(".csv.gz") else data)
    _refused(dropped, r"epss\.csv\.gz: missing from the bundle")
    sneaky = tmp_path / "sneaky.tar"

    def add_member(name: str, data: bytes) -> bytes:
        return data

    _rewrite(exported, sneaky, add_member)
    with tarfile.open(sneaky, "a") as tar:
        info = tarfile.TarInfo("../../etc/evil")
        info.size = 1
        tar.addfile(info, io.BytesIO(b"x"))
    _refused(sneaky, "follows the manifest|unexpected bundle member")


def test_not_a_bundle(tmp_path: Path, db: Any) -> None:
    plain = tmp_path / "plain.tar"
    with tarfile.open(plain, "w") as tar:
        info = tarfile.TarInfo("manifest.json")
        body = json.dumps({"format": "something-else"}).encode()
        info.size = len(body)
        tar.addfile(info, io.BytesIO(body))
    with pytest.raises(BundleError, match="not a medvigil feed bundle"):
        bundle_verify(plain)


def test_source_and_since_filters(full_store: dict[str, Any], tmp_path: Path) -> None:
    only_osv = bundle_export(tmp_path / "osv.tar", sources=["osv"])
    assert [(e.parser, e.records) for e in only_osv.entries] == [("osv", 2)]
    recent = bundle_export(tmp_path / "recent.tar", since=dt.date(2100, 1, 1))
    assert {e.parser for e in recent.entries} == {"kev"}  # KEV is always exported whole
    with pytest.raises(BundleError, match="unknown source"):
        bundle_export(tmp_path / "x.tar", sources=["nope"])
