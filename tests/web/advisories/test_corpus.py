"""Every feed file under ../shared/data imports, and the store agrees with the raw files.

The whole corpus (OSV, NVD 1.1 and 2.0, CVE 5, KEV, EPSS, CSAF) is imported once per module;
each test then reads (and may change, inside its own rolled-back transaction) that store.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Sized
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.db.models import Count

from medvigil.web.advisories import selectors
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
from medvigil.web.advisories.services import ImportRunResult, feed_import
from tests.conftest import shared_path
from tests.web.advisories import rawcount as raw

pytestmark = [pytest.mark.shared_data, pytest.mark.corpus, pytest.mark.django_db]


def feed_files() -> dict[str, list[Path]]:
    """The feed files of each source, classified by name and content (not by medvigil)."""
    osv, nvd = shared_path("osv"), shared_path("nvd")
    return {
        "osv": sorted([*osv.glob("*.jsonl.gz"), *osv.rglob("*.osv.json")]),
        "nvd": sorted(p for p in nvd.rglob("*") if p.is_file() and not p.name.endswith(".meta.json")),
        "cve5": sorted(shared_path("cve-json5").glob("*.jsonl.gz")),
        "kev": sorted(p for p in shared_path("kev").iterdir() if "schema" not in p.name),
        "epss": sorted(shared_path("epss").iterdir()),
        "csaf": raw.csaf_files(),
    }


def wipe() -> None:
    """Empty the store with one DELETE per table (the ORM's cascade collector is far slower)."""
    models = (CpeIndexEntry, CpeConfiguration, AffectedPackage, CsafProductStatus, AdvisoryRecord, Alias,
              Vulnerability, KevEntry, EpssScore, ImportRun, Source)  # fmt: skip
    with connection.cursor() as cursor:
        for model in models:
            cursor.execute(f"DELETE FROM {connection.ops.quote_name(model._meta.db_table)}")  # noqa: S608


@pytest.fixture(scope="module")
def corpus(django_db_setup: Any, django_db_blocker: Any) -> Iterator[dict[Path, ImportRunResult]]:
    from huey.contrib.djhuey import HUEY

    from medvigil.cli.feeds import expand_inputs

    roots = [shared_path(name) for name in raw.FEED_DIRS]
    with django_db_blocker.unblock():
        wipe()
        inputs, _ = expand_inputs(roots, None)
        # The store is under test here: queue (and drop) the re-match jobs other apps start
        # after each run instead of running 493 of them inline.
        immediate, HUEY.immediate = HUEY.immediate, False
        try:
            results = {path: feed_import(path=path) for path in inputs}
        finally:
            HUEY.immediate = immediate
            HUEY.flush()
        yield results
        wipe()


def _records(result: ImportRunResult) -> int:
    assert result.run is not None
    return result.run.new + result.run.updated + result.run.unchanged


def test_every_feed_file_is_imported_and_nothing_else(corpus: dict[Path, ImportRunResult]) -> None:
    expected = {p.resolve(): source for source, files in feed_files().items() for p in files}
    assert {p.resolve(): r.source for p, r in corpus.items()} == expected
    failed = [(p, r.message) for p, r in corpus.items() if r.failed]
    assert failed == []


def test_each_run_counts_every_record_of_its_file(corpus: dict[Path, ImportRunResult]) -> None:
    counters: dict[str, Callable[[Path], Sized]] = {
        "osv": raw.osv_ids, "nvd": raw.nvd_ids, "cve5": raw.cve5_ids,
        "kev": raw.kev_ids, "epss": raw.epss_keys,
    }  # fmt: skip
    for source, files in feed_files().items():
        for path in files:
            result = corpus[path]
            if source == "csaf":
                continue
            count = len(counters[source](path))
            broken = len(raw.PYSEC_SCHEMA_BREAKERS) if path.name.startswith("pypi-") else 0
            assert _records(result) == count - broken, path.name
            assert result.run is not None and result.run.error_count == broken, path.name


def test_csaf_runs_match_testcases_json(corpus: dict[Path, ImportRunResult]) -> None:
    rejected = raw.rejected_oasis_documents()
    assert len(rejected) > 0
    for path in raw.csaf_files():
        result = corpus[path]
        assert result.run is not None
        if path.resolve() in rejected:
            assert _records(result) == 0 and result.run.error_count >= 1, path.name
            assert all(e["field"].startswith("/") and e["record_id"] for e in result.run.errors), path.name
        else:
            doc = json.loads(path.read_text(encoding="utf-8"))
            assert _records(result) == len(raw.csaf_ids(doc)), path.name
            assert result.run.error_count == 0, path.name


def test_store_holds_each_distinct_record_once(corpus: dict[Path, ImportRunResult]) -> None:
    files = feed_files()
    rejected = raw.rejected_oasis_documents()
    expected = {
        "osv": {i for p in files["osv"] for i in raw.osv_ids(p)} - raw.PYSEC_SCHEMA_BREAKERS,
        "nvd": {i for p in files["nvd"] for i in raw.nvd_ids(p)},
        "cve5": {i for p in files["cve5"] for i in raw.cve5_ids(p)},
        "csaf": {
            i
            for p in files["csaf"]
            if p.resolve() not in rejected
            for i in raw.csaf_ids(json.loads(p.read_text(encoding="utf-8")))
        },
    }
    stored = dict(
        AdvisoryRecord.objects.values("source__name").annotate(n=Count("id")).values_list("source__name", "n")
    )
    assert stored == {source: len(ids) for source, ids in expected.items()}
    assert (
        set(AdvisoryRecord.objects.filter(source__name="csaf").values_list("record_id", flat=True))
        == expected["csaf"]
    )
    assert KevEntry.objects.count() == len({i for p in files["kev"] for i in raw.kev_ids(p)})
    assert EpssScore.objects.count() == len({k for p in files["epss"] for k in raw.epss_keys(p)})


def test_pypi_schema_breakers_get_precise_errors(corpus: dict[Path, ImportRunResult]) -> None:
    path = shared_path("osv", "pypi-pypa-advisory-database.jsonl.gz")
    run = corpus[path].run
    assert run is not None
    assert {e["record_id"] for e in run.errors} == raw.PYSEC_SCHEMA_BREAKERS
    line_of = {r["id"]: n for n, r in enumerate(raw.lines(path), start=1)}
    for error in run.errors:
        assert error["field"] == "/affected/0/ranges/0/events/1/fixed"
        assert error["location"] == f"line {line_of[error['record_id']]}"
        assert "OSV schema" in error["message"]
    assert not AdvisoryRecord.objects.filter(record_id__in=raw.PYSEC_SCHEMA_BREAKERS).exists()


def _sources(key: str) -> dict[str, str]:
    return {r.source.name: r.record_id for r in selectors.vulnerability_get(key=key).records}


def test_a_pysec_advisory_and_its_nvd_cve_are_one_vulnerability(corpus: dict[Path, ImportRunResult]) -> None:
    nvd = {i for p in feed_files()["nvd"] for i in raw.nvd_ids(p)}
    pypi = raw.lines(shared_path("osv", "pypi-pypa-advisory-database.jsonl.gz"))
    pairs = sorted(
        (r["id"], a)
        for r in pypi
        if r["id"] not in raw.PYSEC_SCHEMA_BREAKERS
        for a in r.get("aliases", [])
        if a in nvd
    )
    assert len(pairs) > 50
    for pysec, cve in pairs:
        assert (
            Alias.objects.get(alias=pysec).vulnerability_id == Alias.objects.get(alias=cve).vulnerability_id
        )
    pysec, cve = pairs[0]
    detail = selectors.vulnerability_get(key=pysec)
    assert detail.vulnerability.key == cve
    assert {(r.source.name, r.record_id) for r in detail.records} >= {("osv", pysec), ("nvd", cve)}


def test_icsma_advisories_join_their_nvd_cves(corpus: dict[Path, ImportRunResult]) -> None:
    nvd = {i for p in feed_files()["nvd"] for i in raw.nvd_ids(p)}
    joined = 0
    for path in sorted(shared_path("csaf", "cisa", "icsma").glob("*.json")):
        doc = json.loads(path.read_text(encoding="utf-8"))
        for record_id in raw.csaf_ids(doc):
            cve = record_id.split("/", 1)[1]
            if cve in nvd:
                same = (
                    Alias.objects.get(alias=record_id).vulnerability_id
                    == Alias.objects.get(alias=cve).vulnerability_id
                )
                assert same, record_id
                joined += 1
    assert joined > 100
    sources = _sources("CVE-2019-10964")
    assert sources["csaf"] == "ICSMA-19-178-01/CVE-2019-10964" and sources["nvd"] == "CVE-2019-10964"
    v = Vulnerability.objects.get(key="CVE-2019-10964")
    assert sorted(v.sources) == ["csaf", "nvd"]


def test_kev_epss_and_cvss_are_denormalised(corpus: dict[Path, ImportRunResult]) -> None:
    epss = dict(_emba_rows())
    bluekeep = Vulnerability.objects.get(key="CVE-2019-0708")
    assert bluekeep.kev is True
    assert bluekeep.epss == pytest.approx(float(epss["CVE-2019-0708"][1]))
    item = next(r for r in raw.lines(shared_path("nvd", "feeds-1.1-yearly", "nvdcve-1.1-2019.jsonl.gz"))
                if r["cve"]["CVE_data_meta"]["ID"] == "CVE-2019-0708")  # fmt: skip
    v3 = item["impact"]["baseMetricV3"]["cvssV3"]
    assert item["impact"]["baseMetricV2"]["cvssV2"]["baseScore"] == 10.0  # higher, but the older scale
    assert (bluekeep.cvss_score, bluekeep.cvss_version, bluekeep.cvss_vector, bluekeep.severity) == (
        v3["baseScore"],
        v3["version"],
        v3["vectorString"],
        v3["baseSeverity"].lower(),
    )
    kev_cves = {i for p in feed_files()["kev"] for i in raw.kev_ids(p)}
    flagged = set(Vulnerability.objects.filter(kev=True).values_list("key", flat=True))
    known = set(Alias.objects.filter(alias__in=kev_cves).values_list("vulnerability__key", flat=True))
    assert flagged == known
    assert "CVE-2019-0708" in flagged and len(flagged) > 500
    top = selectors.vulnerability_list(order="-epss").first()
    assert top is not None and top.epss == max(
        v for v in Vulnerability.objects.values_list("epss", flat=True) if v
    )


def _emba_rows() -> Iterator[tuple[str, list[str]]]:
    for line in raw.read_text(shared_path("epss", "emba-epss-scores-by-cve.csv.gz")).splitlines():
        parts = line.split(";")
        yield parts[0], parts


def test_candidate_selectors_on_real_data(corpus: dict[Path, ImportRunResult]) -> None:
    pypi = raw.lines(shared_path("osv", "pypi-pypa-advisory-database.jsonl.gz"))
    django_claims = sum(
        1
        for r in pypi
        if r["id"] not in raw.PYSEC_SCHEMA_BREAKERS
        for a in r.get("affected", [])
        if a["package"]["name"].lower() == "django"
    )
    found = selectors.affected_packages_for(keys={"pypi:django"})
    assert len(found) == django_claims > 100
    assert {c.package.purl for c in found} == {"pkg:pypi/django"}
    assert all(c.ref.vulnerability_key == c.ref.vulnerability_key.strip() for c in found)

    minimed = selectors.cpe_configurations_for(vendor_products={("Medtronic", "MiniMed_508_Firmware")})
    assert "CVE-2019-10964" in {c.ref.record_id for c in minimed}
    criteria = [
        m.criteria for c in minimed for n in c.nodes for n2 in (n, *n.children) for m in n2.cpe_matches
    ]
    assert any("minimed_508" in c for c in criteria)


def test_reimport_is_skipped_and_a_forced_one_changes_nothing(
    corpus: dict[Path, ImportRunResult], db: Any
) -> None:
    path = shared_path("nvd", "feeds-1.1-yearly", "nvdcve-1.1-2019.jsonl.gz")
    before = (AdvisoryRecord.objects.count(), Vulnerability.objects.count(), Alias.objects.count())
    runs = ImportRun.objects.count()
    again = feed_import(path=path)
    assert again.skipped and again.run == corpus[path].run and ImportRun.objects.count() == runs
    record = AdvisoryRecord.objects.get(source__name="nvd", record_id="CVE-2019-10964")
    forced = feed_import(path=path, force=True)
    assert forced.counts == {"new": 0, "updated": 0, "unchanged": 14480, "withdrawn": 0, "rejected": 0}
    assert (AdvisoryRecord.objects.count(), Vulnerability.objects.count(), Alias.objects.count()) == before
    after = AdvisoryRecord.objects.get(pk=record.pk)
    assert after.first_seen == record.first_seen and after.last_seen > record.last_seen
    assert after.import_run_id == record.import_run_id and after.raw_sha256 == record.raw_sha256
