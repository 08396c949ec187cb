"""Alias data on real records lets the store merge identities across sources.

The merge itself belongs to the store; this shows that the parsed records carry what it needs:
a PYSEC advisory and the NVD record of its CVE, and a CISA ICSMA advisory and the NVD records
of the CVEs it lists.
"""

from __future__ import annotations

from medvigil.core.feeds.csaf import CsafFeed
from medvigil.core.feeds.interface import ParsedRecord
from medvigil.core.model.advisory import AdvisoryRecord
from tests.conftest import shared_path
from tests.core.feeds.helpers import parsed, split


def _ids(records: list[AdvisoryRecord]) -> dict[str, AdvisoryRecord]:
    return {r.id: r for r in records}


def _advisories(items: list[ParsedRecord]) -> list[AdvisoryRecord]:
    return [i.record for i in items if isinstance(i.record, AdvisoryRecord)]


def _group(records: list[AdvisoryRecord], start: str) -> set[str]:
    """A tiny alias closure over ``id`` + ``aliases`` (what the store's alias groups do)."""
    edges: dict[str, set[str]] = {}
    for rec in records:
        names = {rec.id, *rec.aliases}
        for name in names:
            edges.setdefault(name, set()).update(names)
    group, todo = set(), [start]
    while todo:
        name = todo.pop()
        if name not in group:
            group.add(name)
            todo.extend(edges.get(name, ()))
    return group


def test_pysec_advisory_merges_with_its_nvd_cve() -> None:
    osv = _advisories(parsed("osv", "osv", "pypi-pypa-advisory-database.jsonl.gz")[0])
    nvd = _advisories(parsed("nvd", "nvd", "feeds-1.1-yearly", "nvdcve-1.1-2021.jsonl.gz")[0])
    group = _group([*osv, *nvd], "PYSEC-2021-335")
    assert {"PYSEC-2021-335", "CVE-2021-32807", "GHSA-qcx9-j53g-ccgf"} <= group
    assert _ids(nvd)["CVE-2021-32807"].source == "nvd"


def test_icsma_advisories_link_to_their_nvd_cves() -> None:
    csaf = []
    for name in ("icsma-19-178-01.json", "icsma-18-219-02.json"):
        csaf += _advisories(split(CsafFeed().parse(shared_path("csaf", "cisa", "icsma", name)))[0])
    nvd = _advisories(parsed("nvd", "nvd", "feeds-1.1-yearly", "nvdcve-1.1-2019.jsonl.gz")[0])
    nvd += _advisories(parsed("nvd", "nvd", "feeds-1.1-yearly", "nvdcve-1.1-2018.jsonl.gz")[0])
    by_id = _ids(nvd)
    links = {(rec.document.tracking_id, cve) for rec in csaf if rec.document for cve in rec.aliases}
    assert ("ICSMA-19-178-01", "CVE-2019-10964") in links
    assert {("ICSMA-18-219-02", "CVE-2018-10634"), ("ICSMA-18-219-02", "CVE-2018-14781")} <= links
    for _, cve in links:
        assert cve in by_id
    assert _group([*csaf, *nvd], "CVE-2019-10964") == {"CVE-2019-10964", "ICSMA-19-178-01/CVE-2019-10964"}
