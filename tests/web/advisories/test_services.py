"""feed_import on small inputs: upserts, withdrawals, alias merges, failures and enrichment."""

from __future__ import annotations

import gzip
import json
from pathlib import Path
from typing import Any

import pytest

from medvigil.web.advisories import selectors
from medvigil.web.advisories.models import AdvisoryRecord, AffectedPackage, Alias, ImportRun, Vulnerability
from medvigil.web.advisories.services import MAX_ERRORS, feed_import
from medvigil.web.advisories.signals import vulnerabilities_merged
from medvigil.web.advisories.tasks import feed_import_task
from tests.conftest import shared_path

pytestmark = pytest.mark.django_db


def osv(
    rid: str, *, modified: str = "2024-01-01T00:00:00Z", aliases: tuple[str, ...] = (), summary: str = "demo",
    fixed: str = "1.2", withdrawn: str | None = None, package: str = "demo-lib",
) -> dict[str, Any]:  # fmt: skip
    record: dict[str, Any] = {
        "schema_version": "1.6.0",
        "id": rid,
        "modified": modified,
        "published": "2023-06-01T00:00:00Z",
        "aliases": list(aliases),
        "summary": summary,
        "affected": [
            {
                "package": {"ecosystem": "PyPI", "name": package, "purl": f"pkg:pypi/{package}"},
                "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": fixed}]}],
            }
        ],
    }
    if withdrawn:
        record["withdrawn"] = withdrawn
    return record


def jsonl(path: Path, *records: dict[str, Any] | str) -> Path:
    path.write_text("\n".join(r if isinstance(r, str) else json.dumps(r) for r in records) + "\n")
    return path


def test_a_modified_record_is_updated_in_place_and_keeps_first_seen(tmp_path: Path) -> None:
    first = feed_import(path=jsonl(tmp_path / "a.jsonl", osv("PYSEC-1"), osv("PYSEC-2")))
    assert first.counts == {"new": 2, "updated": 0, "unchanged": 0, "withdrawn": 0, "rejected": 0}
    before = AdvisoryRecord.objects.get(record_id="PYSEC-1")
    changed = osv("PYSEC-1", modified="2024-02-01T00:00:00Z", summary="now with a fix", fixed="1.3")
    second = feed_import(path=jsonl(tmp_path / "b.jsonl", changed, osv("PYSEC-2")))
    assert second.counts == {"new": 0, "updated": 1, "unchanged": 1, "withdrawn": 0, "rejected": 0}
    after = AdvisoryRecord.objects.get(record_id="PYSEC-1")
    assert (after.pk, after.first_seen) == (before.pk, before.first_seen)
    assert after.last_seen > before.last_seen and after.summary == "now with a fix"
    assert after.import_run_id == second.run.pk if second.run else False
    (package,) = AffectedPackage.objects.filter(record=after)
    assert package.ranges[0]["events"][-1] == {"kind": "fixed", "value": "1.3"}
    assert selectors.vulnerability_get(key="PYSEC-1").vulnerability.summary == "now with a fix"


def test_an_older_copy_never_overwrites_a_newer_record(tmp_path: Path) -> None:
    feed_import(
        path=jsonl(tmp_path / "new.jsonl", osv("PYSEC-1", modified="2024-05-01T00:00:00Z", summary="new"))
    )
    old = feed_import(path=jsonl(tmp_path / "old.jsonl", osv("PYSEC-1", summary="old")))
    assert old.counts["unchanged"] == 1
    assert AdvisoryRecord.objects.get(record_id="PYSEC-1").summary == "new"


def test_withdrawn_records_are_marked_never_deleted(tmp_path: Path) -> None:
    feed_import(path=jsonl(tmp_path / "a.jsonl", osv("GHSA-1")))
    gone = osv("GHSA-1", modified="2024-03-01T00:00:00Z", withdrawn="2024-03-01T00:00:00Z")
    result = feed_import(path=jsonl(tmp_path / "b.jsonl", gone))
    assert result.counts["withdrawn"] == 1 and result.counts["updated"] == 1
    record = AdvisoryRecord.objects.get(record_id="GHSA-1")
    assert record.withdrawn is not None
    assert Vulnerability.objects.get(key="GHSA-1").withdrawn is True
    assert not selectors.vulnerability_list(q="GHSA-1").exists()
    assert selectors.vulnerability_list(q="GHSA-1", include_withdrawn=True).count() == 1


def test_a_record_linking_two_identities_merges_them_under_the_cve(tmp_path: Path) -> None:
    feed_import(path=jsonl(tmp_path / "a.jsonl", osv("GO-2024-1", aliases=("GHSA-aaaa",)),
                           osv("PYSEC-2024-1", aliases=("CVE-2024-0001",))))  # fmt: skip
    go = Vulnerability.objects.get(key="GO-2024-1")
    cve = Vulnerability.objects.get(key="CVE-2024-0001")
    seen: list[tuple[int, list[int]]] = []

    def receiver(sender: Any, survivor: int, merged: list[int], **kwargs: Any) -> None:
        seen.append((survivor, merged))

    vulnerabilities_merged.connect(receiver)
    try:
        feed_import(
            path=jsonl(tmp_path / "b.jsonl", osv("OSV-2024-9", aliases=("GHSA-aaaa", "CVE-2024-0001")))
        )
    finally:
        vulnerabilities_merged.disconnect(receiver)
    assert seen == [(cve.pk, [go.pk])]
    assert not Vulnerability.objects.filter(pk=go.pk).exists()
    detail = selectors.vulnerability_get(key="GHSA-aaaa")
    assert detail.vulnerability.pk == cve.pk and detail.vulnerability.key == "CVE-2024-0001"
    assert [r.record_id for r in detail.records] == ["GO-2024-1", "OSV-2024-9", "PYSEC-2024-1"]
    assert detail.aliases == ["CVE-2024-0001", "GHSA-aaaa", "GO-2024-1", "OSV-2024-9", "PYSEC-2024-1"]


def test_an_identity_takes_the_cve_as_key_once_one_is_known(tmp_path: Path) -> None:
    feed_import(path=jsonl(tmp_path / "a.jsonl", osv("GO-2024-2", aliases=("GHSA-bbbb",))))
    vuln = Vulnerability.objects.get(key="GO-2024-2")
    feed_import(path=jsonl(tmp_path / "b.jsonl", osv("GHSA-bbbb", aliases=("CVE-2024-0002",))))
    assert Vulnerability.objects.get(pk=vuln.pk).key == "CVE-2024-0002"
    assert Vulnerability.objects.count() == 1


def test_a_truncated_gzip_fails_the_run_and_keeps_nothing(tmp_path: Path) -> None:
    data = shared_path("nvd", "feeds-1.1-yearly", "nvdcve-1.1-2019.jsonl.gz").read_bytes()
    cut = tmp_path / "nvdcve-1.1-2019.jsonl.gz"
    cut.write_bytes(data[: len(data) // 3])
    result = feed_import(path=cut)
    assert result.failed and "nvdcve-1.1-2019.jsonl.gz" in result.message
    run = ImportRun.objects.get()
    assert run.status == ImportRun.Status.FAILED and run.message and run.new == 0
    assert (
        not AdvisoryRecord.objects.exists()
        and not Vulnerability.objects.exists()
        and not Alias.objects.exists()
    )
    assert not feed_import(path=cut).skipped  # a failed run does not mark the input as done


def test_a_file_of_the_wrong_format_fails_cleanly(tmp_path: Path) -> None:
    unknown = tmp_path / "notes.txt"
    unknown.write_text("hello\n")
    result = feed_import(path=unknown)
    assert result.failed and "unrecognised feed format" in result.message
    kev_as_nvd = feed_import(path=shared_path("kev", "known_exploited_vulnerabilities.json"), source="nvd")
    assert kev_as_nvd.failed
    assert ImportRun.objects.filter(status=ImportRun.Status.FAILED).count() == 2
    assert not AdvisoryRecord.objects.exists()


def test_malformed_records_are_reported_and_the_rest_imports(tmp_path: Path) -> None:
    bad_date = osv("PYSEC-3", modified="yesterday")
    path = jsonl(tmp_path / "mixed.jsonl", osv("PYSEC-1"), "{not json", bad_date, osv("PYSEC-2"))
    result = feed_import(path=path)
    assert result.counts["new"] == 2 and result.run is not None and result.run.error_count == 2
    by_line = {e["location"]: e for e in result.run.errors}
    assert set(by_line) == {"line 2", "line 3"}
    assert by_line["line 3"]["record_id"] == "PYSEC-3" and by_line["line 3"]["field"] == "/modified"
    assert all(e["source"] == "mixed.jsonl" for e in result.run.errors)


def test_errors_kept_on_a_run_are_capped_but_all_counted(tmp_path: Path) -> None:
    path = jsonl(tmp_path / "bad.jsonl", osv("PYSEC-1"), *["{oops"] * (MAX_ERRORS + 5))
    run = feed_import(path=path).run
    assert run is not None and run.error_count == MAX_ERRORS + 5 and len(run.errors) == MAX_ERRORS


def test_kev_and_the_latest_epss_score_reach_the_vulnerability(tmp_path: Path) -> None:
    feed_import(path=shared_path("nvd", "api-2.0-samples", "nvd-cve-api-2.0-single-entry.json"))
    vuln = Vulnerability.objects.get(key="CVE-2022-1576")
    assert (vuln.kev, vuln.epss) == (False, None)
    header = "#model_version:v2023.03.01,score_date:{}T00:00:00+0000\ncve,epss,percentile\n"
    for day, score in (("2024-01-02", "0.7"), ("2024-01-01", "0.5")):
        (tmp_path / f"epss-{day}.csv").write_text(header.format(day) + f"CVE-2022-1576,{score},0.9\n")
        feed_import(path=tmp_path / f"epss-{day}.csv")
    vuln.refresh_from_db()
    assert (vuln.epss, str(vuln.epss_date)) == (0.7, "2024-01-02")
    catalog = {
        "title": "KEV", "catalogVersion": "2024.01.01", "dateReleased": "2024-01-01T00:00:00Z", "count": 1,
        "vulnerabilities": [{
            "cveID": "CVE-2022-1576", "vendorProject": "WordPress", "product": "Plugin",
            "vulnerabilityName": "x", "dateAdded": "2024-01-01", "shortDescription": "d",
            "requiredAction": "patch", "dueDate": "2024-01-22",
            "knownRansomwareCampaignUse": "Unknown", "notes": "", "cwes": ["CWE-352"],
        }],
    }  # fmt: skip
    (tmp_path / "kev.json").write_text(json.dumps(catalog))
    assert feed_import(path=tmp_path / "kev.json").counts["new"] == 1
    vuln.refresh_from_db()
    assert vuln.kev is True and str(vuln.kev_date_added) == "2024-01-01"
    assert selectors.vulnerability_list(kev=True).get() == vuln


def test_the_task_imports_through_huey(tmp_path: Path) -> None:
    path = jsonl(tmp_path / "a.jsonl.gz", osv("PYSEC-1"))
    path.write_bytes(gzip.compress(path.read_bytes()))
    result = feed_import_task(str(path)).get()
    assert result["status"] == "succeeded" and result["new"] == 1
    assert feed_import_task(str(path)).get()["status"] == "skipped"


def nvd_item(cve: str, *, modified: str = "2024-01-01T00:00Z", text: str = "A flaw.") -> dict[str, Any]:
    """A JSON 1.1 feed item with one CPE configuration."""
    match = {"vulnerable": True, "cpe23Uri": "cpe:2.3:a:acme:demo:1.0:*:*:*:*:*:*:*"}
    return {
        "cve": {
            "CVE_data_meta": {"ID": cve, "ASSIGNER": "cve@mitre.org"},
            "description": {"description_data": [{"lang": "en", "value": text}]},
        },
        "configurations": {"nodes": [{"operator": "OR", "cpe_match": [match]}]},
        "publishedDate": "2023-06-01T00:00Z",
        "lastModifiedDate": modified,
    }


def test_unchanged_records_are_not_even_mapped_on_re_import(tmp_path: Path, monkeypatch: Any) -> None:
    from medvigil.core.feeds import nvd

    items = [nvd_item(f"CVE-2024-{n}") for n in range(1, 6)]
    first = feed_import(path=jsonl(tmp_path / "a.jsonl", *items, "{broken"), source="nvd")
    assert first.counts["new"] == 5 and first.run is not None and first.run.error_count == 1
    mapped: list[str] = []
    real = nvd.legacy_record

    def counting(item: dict[str, Any]) -> Any:
        mapped.append(item["cve"]["CVE_data_meta"]["ID"])
        return real(item)

    monkeypatch.setattr(nvd, "legacy_record", counting)

    forced = feed_import(path=tmp_path / "a.jsonl", source="nvd", force=True)
    assert forced.counts == {"new": 0, "updated": 0, "unchanged": 5, "withdrawn": 0, "rejected": 0}
    assert mapped == [] and forced.errors == first.errors

    items[2] = nvd_item("CVE-2024-3", modified="2024-03-01T00:00Z", text="A worse flaw.")
    snapshot = feed_import(path=jsonl(tmp_path / "b.jsonl", *items), source="nvd")
    assert snapshot.counts == {"new": 0, "updated": 1, "unchanged": 4, "withdrawn": 0, "rejected": 0}
    assert mapped == ["CVE-2024-3"]
    assert AdvisoryRecord.objects.get(record_id="CVE-2024-3").details == "A worse flaw."
    modified = selectors.vulnerability_get(key="CVE-2024-3").vulnerability.modified
    assert modified is not None and modified.month == 3
