"""Publishers: generated inputs validate in every format, bad inputs fail loudly, VEX round-trips."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable
from typing import Any

import orjson
import pytest

from medvigil.core.csaf.validate import validate_csaf
from medvigil.core.errors import PublishError
from medvigil.core.feeds.validation import csaf_validator, violations
from medvigil.core.feeds.vex import read_vex_document
from medvigil.core.matching.engine import MatchIndex, match
from medvigil.core.matching.grouping import group_matches
from medvigil.core.model.advisory import AdvisoryRecord, AffectedPackage, AffectedRange, RangeEvent
from medvigil.core.model.component import Component
from medvigil.core.model.match import FindingStatus
from medvigil.core.publish.csaf import check_csaf, csaf_filename, csaf_security_advisory, csaf_vex, dumps
from medvigil.core.publish.model import AdvisoryInput, ProductStatus, Tlp, VulnerabilityId
from medvigil.core.publish.notice import notice_html, notice_pdf
from medvigil.core.publish.stix import stix_bundle
from medvigil.core.publish.versioning import check_successor, next_version, revise
from medvigil.core.publish.vex import check_openvex, cyclonedx_vex, openvex
from medvigil.core.risk.vex import VexStatus
from medvigil.core.sbom.schema import validate_schema
from tests.core.publish.inputs import CVE, T0, make_input

WRITERS: dict[str, Callable[[AdvisoryInput], dict[str, Any]]] = {
    "csaf": csaf_security_advisory,
    "csaf-vex": csaf_vex,
    "cyclonedx-vex": cyclonedx_vex,
    "openvex": openvex,
}


@pytest.mark.parametrize("n", [1, 4, 9, 61])
@pytest.mark.parametrize("tlp", list(Tlp))
def test_generated_inputs_validate_in_every_format(n: int, tlp: Tlp) -> None:
    data = make_input(n, tlp=tlp, semantic=n % 2 == 0)
    sa, vex = csaf_security_advisory(data), csaf_vex(data)
    for doc in (sa, vex):  # checked inside already; asserted again independently of the writer
        assert violations(csaf_validator(), doc) == [] and validate_csaf(doc) == []
    assert sa["document"]["distribution"]["tlp"]["label"] == ("WHITE" if tlp is Tlp.CLEAR else tlp.value)
    cdx = dumps(cyclonedx_vex(data))
    assert validate_schema(cdx, source="x", format="cyclonedx-json", spec_version="1.6") == []
    ov = openvex(data)
    assert len(ov["statements"]) == n
    leaves = [
        leaf["product"]
        for vendor in vex["product_tree"]["branches"]
        for name in vendor["branches"]
        for leaf in name["branches"]
    ]
    assert len(leaves) == n and {"cpe", "purl", "model_numbers", "sbom_urls"} <= set(
        leaves[0]["product_identification_helper"]
    )


def test_output_is_deterministic_and_carries_the_case() -> None:
    data = make_input(8)
    for write in WRITERS.values():
        assert dumps(write(data)) == dumps(write(make_input(8)))
    doc = csaf_security_advisory(data)
    vuln = doc["vulnerabilities"][0]
    assert vuln["cwe"] == {"id": "CWE-787", "name": "Out-of-bounds Write"}
    assert vuln["scores"][0]["cvss_v3"]["baseScore"] == 7.5
    assert any(n["title"] == "CVSS v4.0" for n in vuln["notes"])  # CSAF 2.0 has no cvss_v4
    assert {t["category"] for t in vuln["threats"]} == {"impact", "exploit_status"}
    assert {r["category"] for r in vuln["remediations"]} == {"mitigation", "vendor_fix"}
    titles = [n.get("title", "") for n in doc["document"]["notes"]]
    assert [t[:3] for t in titles if t.startswith("(")] == ["(a)", "(b)", "(c)", "(d)"]
    assert csaf_filename("ACME-SA-2026/0001") == "acme-sa-2026_0001.json"


def _drop_remediations(data: AdvisoryInput) -> AdvisoryInput:
    vuln = dataclasses.replace(data.vulnerabilities[0], remediations=())
    return dataclasses.replace(data, vulnerabilities=(vuln,))


def test_affected_without_action_statement_fails_loudly() -> None:
    data = _drop_remediations(make_input(4))
    with pytest.raises(PublishError, match=r"CSAF 6\.1\.27\.10"):
        csaf_vex(data)
    with pytest.raises(PublishError, match="CSAFPID-0000 is affected but has no remediation"):
        openvex(data)
    with pytest.raises(PublishError, match="no remediation"):
        cyclonedx_vex(data)


def test_not_affected_without_impact_fails_and_bad_cwe_name_fails() -> None:
    data = make_input(4)
    bare = tuple(
        ProductStatus(s.product_id, s.status) if s.status is VexStatus.NOT_AFFECTED else s
        for s in data.vulnerabilities[0].statuses
    )
    vuln = dataclasses.replace(data.vulnerabilities[0], statuses=bare)
    with pytest.raises(PublishError, match=r"CSAF 6\.1\.27\.9"):
        csaf_vex(dataclasses.replace(data, vulnerabilities=(vuln,)))
    named = dataclasses.replace(data.vulnerabilities[0], cwe_name="Buffer Thing")
    with pytest.raises(PublishError, match=r"ACME-SA-2026/0001: fails CSAF mandatory tests: CSAF 6\.1\.11"):
        csaf_security_advisory(dataclasses.replace(data, vulnerabilities=(named,)))


def test_check_csaf_refuses_schema_violations() -> None:
    doc = csaf_security_advisory(make_input(2))
    doc["document"]["tracking"]["status"] = "published"
    with pytest.raises(PublishError, match="fails the CSAF 2.0 schema: /document/tracking/status"):
        check_csaf(doc)


def test_versioning_final_documents_change_only_by_new_revision() -> None:
    assert [
        next_version("1"),
        next_version("9"),
        next_version("1.2.3"),
        next_version("1.2.3", major=True),
    ] == [
        "2",
        "10",
        "1.3.0",
        "2.0.0",
    ]
    with pytest.raises(PublishError, match="neither an integer nor a semantic version"):
        next_version("1.0.0-rc.1")
    data = make_input(3)
    v1 = csaf_security_advisory(data)
    edited = csaf_security_advisory(dataclasses.replace(data, title="Changed title"))
    with pytest.raises(PublishError, match="version 1 is final and immutable"):
        check_successor(v1, edited)
    later = T0 + dt.timedelta(days=3)
    tracking = revise(data.tracking, date=later, summary="Firmware 3.0 released")
    v2 = csaf_security_advisory(dataclasses.replace(data, tracking=tracking, title="Changed title"))
    check_successor(v1, v2)
    history = v2["document"]["tracking"]["revision_history"]
    assert [h["number"] for h in history] == ["1", "2"] and v2["document"]["tracking"]["version"] == "2"
    with pytest.raises(PublishError, match="before the current release"):
        revise(tracking, date=T0, summary="back in time")
    semantic = make_input(3, semantic=True)
    v2s = revise(semantic.tracking, date=later, summary="update")
    assert v2s.version == "1.1.0"
    csaf_security_advisory(dataclasses.replace(semantic, tracking=v2s))


def test_notice_carries_the_four_fda_parts_escaped() -> None:
    html = notice_html(make_input(3)).decode()
    for letter in "abcd":
        assert f'id="part-{letter}"' in html
    assert "Monitor &lt;ICU&gt;/Ward" in html and "<ICU>" not in html and "<script" not in html
    with pytest.raises(PublishError, match="four FDA communication parts"):
        notice_html(dataclasses.replace(make_input(3), fda=None))


# -- round trip: our VEX, read by our importer and applied by our matcher to the same SBOM --

EXPECTED = {
    VexStatus.AFFECTED: FindingStatus.AFFECTED,
    VexStatus.NOT_AFFECTED: FindingStatus.NOT_AFFECTED,
    VexStatus.FIXED: FindingStatus.NOT_AFFECTED,
    VexStatus.UNDER_INVESTIGATION: FindingStatus.AFFECTED,  # a live claim stays open until decided
}


def _sbom_and_records(data: AdvisoryInput) -> tuple[list[Component], MatchIndex]:
    components = [
        Component(f"acme-device-{p.purl.split('acme-device-')[1].split('@')[0]}", p.version, purl=p.purl)
        for p in data.products
    ]
    records = [
        AdvisoryRecord(
            "osv",
            f"PYSEC-{i}",
            T0,
            aliases=(CVE,),
            affected=(
                AffectedPackage(
                    "PyPI",
                    f"acme-device-{i}",
                    purl_type="pypi",
                    purl_name=f"acme-device-{i}",
                    ranges=(AffectedRange("ECOSYSTEM", (RangeEvent("introduced", "0"),)),),
                ),
            ),
        )
        for i in range(3)
    ]
    return components, MatchIndex.build(records)


def _statuses(data: AdvisoryInput, vex_bytes: bytes | None) -> dict[str, FindingStatus | None]:
    components, index = _sbom_and_records(data)
    vex = list(read_vex_document(vex_bytes, "ours").assertions) if vex_bytes is not None else []
    found = {g.component: g.status for g in group_matches(match(components, index), components, vex)}
    return {p.product_id: found.get(i) for i, p in enumerate(data.products)}


@pytest.mark.parametrize("fmt", ["csaf-vex", "cyclonedx-vex", "openvex"])
def test_published_vex_round_trips_through_importer_and_matcher(fmt: str) -> None:
    data = make_input(24)
    before = _statuses(data, None)
    assert set(before.values()) == {FindingStatus.AFFECTED}  # without VEX every version is affected
    doc = dumps(WRITERS[fmt](data))
    assert read_vex_document(doc, "ours").format == fmt
    after = _statuses(data, doc)
    expected = {s.product_id: EXPECTED[s.status] for s in data.vulnerabilities[0].statuses}
    assert after == expected
    assert FindingStatus.NOT_AFFECTED in after.values()


def test_cyclonedx_groups_products_by_analysis() -> None:
    doc = cyclonedx_vex(make_input(8))
    states = sorted(v["analysis"]["state"] for v in doc["vulnerabilities"])
    assert states == ["exploitable", "in_triage", "not_affected", "not_affected", "resolved"]
    assert sum(len(v["affects"]) for v in doc["vulnerabilities"]) == 8
    assert orjson.loads(dumps(doc))["specVersion"] == "1.6"


def test_check_openvex_checks_every_statement_and_duplicates() -> None:
    doc = openvex(make_input(6))
    broken = {**doc, "statements": [*doc["statements"][:3], {**doc["statements"][3], "status": "maybe"}]}
    with pytest.raises(PublishError, match="statements/3/status"):
        check_openvex(broken)
    with pytest.raises(PublishError, match="statements/6: duplicate statement"):
        check_openvex({**doc, "statements": [*doc["statements"], doc["statements"][0]]})
    with pytest.raises(PublishError, match="'@context' is a required property"):
        check_openvex({k: v for k, v in doc.items() if k != "@context"})


def test_notice_pdf_is_rendered_deterministically() -> None:
    pdf = notice_pdf(make_input(3))
    assert pdf.startswith(b"%PDF-") and len(pdf) > 5000
    assert notice_pdf(make_input(3)) == pdf  # no clock in the bytes
    assert notice_pdf(make_input(4)) != pdf


def test_stix_bundle_for_isao_sharing_carries_tlp_and_remediations() -> None:
    import stix2  # type: ignore[import-untyped,unused-ignore]

    bundle = stix_bundle(make_input(8, tlp=Tlp.AMBER))
    assert stix_bundle(make_input(8, tlp=Tlp.AMBER)) == bundle  # deterministic ids and dates
    parsed = stix2.parse(orjson.dumps(bundle).decode(), allow_custom=False)
    kinds = [o.type for o in parsed.objects]
    assert (
        kinds.count("vulnerability") == 1 and kinds.count("course-of-action") == 2 and kinds[-1] == "report"
    )
    amber = stix2.TLP_AMBER.id
    assert all(amber in o.get("object_marking_refs", [amber]) for o in bundle["objects"][1:])
    report = bundle["objects"][-1]
    assert "(d) Fix or defense-in-depth" in report["description"]
    assert set(report["object_refs"]) == {o["id"] for o in bundle["objects"][1:-1]}


def test_credit_goes_where_each_format_has_a_place() -> None:
    data = make_input(4)
    csaf = csaf_security_advisory(data)
    assert csaf["document"]["acknowledgments"] == [{"organization": "Example Lab"}]
    credits = [v["credits"] for v in cyclonedx_vex(data)["vulnerabilities"]]
    assert credits and all(
        c == {"individuals": [{"name": "J\u00f6rg Researcher"}], "organizations": [{"name": "Example Lab"}]}
        for c in credits
    )
    assert b"Researcher" not in dumps(openvex(data))  # OpenVEX 0.2 has no field for credit
    html = notice_html(data).decode()
    assert '<section id="acknowledgments">' in html
    assert "<li>J\u00f6rg Researcher (Example Lab): reported via CVD</li>" in html
    report = next(o for o in stix_bundle(data)["objects"] if o["type"] == "report")
    assert (
        "Acknowledgments: Example Lab; J\u00f6rg Researcher (Example Lab): reported via CVD"
        in (report["description"])
    )
    bare = dataclasses.replace(
        data,
        acknowledgments=(),
        vulnerabilities=(dataclasses.replace(data.vulnerabilities[0], acknowledgments=()),),
    )
    assert "acknowledgments" not in csaf_security_advisory(bare)["document"]
    assert all("credits" not in v for v in cyclonedx_vex(bare)["vulnerabilities"])
    assert "acknowledgments" not in notice_html(bare).decode()


def _without_cve(data: AdvisoryInput, *ids: VulnerabilityId) -> AdvisoryInput:
    vuln = dataclasses.replace(data.vulnerabilities[0], cve="", ids=ids, references=())
    return dataclasses.replace(data, vulnerabilities=(vuln,))


def test_a_vulnerability_without_cve_is_published_under_its_other_ids() -> None:
    ghsa = VulnerabilityId(
        "GitHub Security Advisory", "GHSA-9wx4-h78v-vm56", "https://github.com/advisories/GHSA-9wx4-h78v-vm56"
    )
    data = _without_cve(make_input(4), ghsa, VulnerabilityId("ACME Medical", "ACME-2026-7"))
    for write in (csaf_security_advisory, csaf_vex):  # CSAF 2.0: cve is optional, ids[] names it
        doc = write(data)
        assert violations(csaf_validator(), doc) == [] and validate_csaf(doc) == []
        vuln = doc["vulnerabilities"][0]
        assert "cve" not in vuln
        assert vuln["ids"] == [
            {"system_name": "GitHub Security Advisory", "text": "GHSA-9wx4-h78v-vm56"},
            {"system_name": "ACME Medical", "text": "ACME-2026-7"},
        ]
    cdx = cyclonedx_vex(data)
    assert validate_schema(dumps(cdx), source="x", format="cyclonedx-json", spec_version="1.6") == []
    assert {(v["id"], v["source"]["name"], v["source"]["url"]) for v in cdx["vulnerabilities"]} == {
        (ghsa.text, ghsa.system_name, ghsa.url)
    }
    named = openvex(data)["statements"][0]["vulnerability"]
    assert named == {"@id": ghsa.url, "name": ghsa.text, "aliases": ["ACME-2026-7"]}
    refs = [o for o in stix_bundle(data)["objects"] if o["type"] == "vulnerability"][0]["external_references"]
    assert [r["source_name"] for r in refs] == ["GitHub Security Advisory", "ACME Medical"]
    assert b"<h3>GHSA-9wx4-h78v-vm56: " in notice_html(data)
    with pytest.raises(PublishError, match="needs a CVE id or another id"):
        csaf_security_advisory(_without_cve(data))
