"""Table-driven cases of the matching engine: every method, status and switch."""

from __future__ import annotations

import dataclasses
import datetime as dt
import random
from typing import Any

import orjson
import pytest

from medvigil.core.feeds.vex import read_vex
from medvigil.core.matching.engine import (
    PLATFORM_DETAIL,
    MatchIndex,
    MatchOptions,
    match,
    match_device,
    platform_unverified,
)
from medvigil.core.matching.grouping import group_matches, primary_id
from medvigil.core.model.advisory import (
    AdvisoryRecord,
    AffectedPackage,
    AffectedRange,
    CpeMatch,
    CpeNode,
    CsafProduct,
    CsafProductStatus,
    ProductHelpers,
    RangeEvent,
)
from medvigil.core.model.component import Component, ComponentType
from medvigil.core.model.match import DeviceIdentity, FindingStatus, MatchMethod

NOW = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)


def osv(
    rid: str,
    name: str,
    *events: tuple[str, str],
    ptype: str = "pypi",
    ecosystem: str = "PyPI",
    range_type: str = "ECOSYSTEM",
    versions: tuple[str, ...] = (),
    aliases: tuple[str, ...] = (),
    withdrawn: bool = False,
    namespace: str | None = None,
) -> AdvisoryRecord:
    ranges = (AffectedRange(range_type, tuple(RangeEvent(k, v) for k, v in events)),) if events else ()
    pkg = AffectedPackage(
        ecosystem,
        name,
        purl_type=ptype,
        purl_namespace=namespace,
        purl_name=name,
        ranges=ranges,
        versions=versions,
    )
    return AdvisoryRecord(
        "osv", rid, NOW, aliases=aliases, affected=(pkg,), withdrawn=NOW if withdrawn else None
    )


def nvd(cve: str, *roots: CpeNode) -> AdvisoryRecord:
    return AdvisoryRecord("nvd", cve, NOW, cpe_configurations=roots)


def pypi(name: str, version: str, **kw: object) -> Component:
    return Component(name, version, purl=f"pkg:pypi/{name}@{version}", **kw)  # type: ignore[arg-type]


def findings(components: list[Component], *records: AdvisoryRecord, **opts: object) -> list[Any]:
    index = MatchIndex.build(records)
    return group_matches(match(components, index, MatchOptions(**opts)), components)  # type: ignore[arg-type]


PURL_CASES = [
    # (id, record, component version, expected method or None)
    ("range inside", osv("R1", "foo-bar", ("introduced", "1.0"), ("fixed", "1.2")), "1.1", "purl-range"),
    ("range at fix", osv("R2", "foo-bar", ("introduced", "1.0"), ("fixed", "1.2")), "1.2", None),
    ("range below", osv("R3", "foo-bar", ("introduced", "1.0"), ("fixed", "1.2")), "0.9", None),
    ("enumerated", osv("R4", "foo-bar", versions=("1.0", "1.1")), "1.1", "purl-enumerated"),
    ("enumerated PEP 440 equal", osv("R5", "foo-bar", versions=("1.1",)), "1.1.0", "purl-enumerated"),
    ("enumerated not listed", osv("R6", "foo-bar", versions=("1.1",)), "1.3", None),
    (
        "last_affected at",
        osv("R7", "foo-bar", ("introduced", "0"), ("last_affected", "2.0")),
        "2.0",
        "purl-range",
    ),
    (
        "last_affected after",
        osv("R8", "foo-bar", ("introduced", "0"), ("last_affected", "2.0")),
        "2.0.1",
        None,
    ),
    (
        "git only is unknown",
        osv("R9", "foo-bar", ("introduced", "0"), ("fixed", "abc123"), range_type="GIT"),
        "1.0",
        None,
    ),
    (
        "invalid version is unknown",
        osv("R10", "foo-bar", ("introduced", "0"), ("fixed", "2.0")),
        "not@a@version",
        None,
    ),
]


@pytest.mark.parametrize(
    ("case", "record", "version", "expected"), PURL_CASES, ids=[c[0] for c in PURL_CASES]
)
def test_purl_cases(case: str, record: AdvisoryRecord, version: str, expected: str | None) -> None:
    # The component spells the name differently (PEP 503 normalisation must join them).
    component = Component("Foo_Bar", version, purl=f"pkg:pypi/Foo_Bar@{version}")
    found = findings([component], record)
    assert [f.method.value for f in found] == ([expected] if expected else [])
    if expected:
        assert found[0].status is FindingStatus.AFFECTED
        assert found[0].evidence[0].record_id == record.id


def test_go_semver_range_and_module_path_key() -> None:
    record = osv(
        "GO-2020-0001",
        "gin",
        ("introduced", "0"),
        ("fixed", "1.6.0"),
        ptype="golang",
        ecosystem="Go",
        range_type="SEMVER",
        namespace="github.com/gin-gonic",
    )
    old = Component("github.com/gin-gonic/gin", "v1.5.0", purl="pkg:golang/github.com/gin-gonic/gin@v1.5.0")
    new = Component("github.com/gin-gonic/gin", "v1.6.0", purl="pkg:golang/github.com/gin-gonic/gin@v1.6.0")
    other = Component("github.com/other/gin", "v1.5.0", purl="pkg:golang/github.com/other/gin@v1.5.0")
    found = findings([old, new, other], record)
    assert [(f.component, f.method) for f in found] == [(0, MatchMethod.PURL_RANGE)]
    assert dict(found[0].evidence[0].details)["range"] == "introduced 0, fixed 1.6.0"


def test_withdrawn_record_gives_withdrawn_finding_and_live_alias_keeps_it_open() -> None:
    gone = osv(
        "PYSEC-1", "foo", ("introduced", "0"), ("fixed", "2.0"), aliases=("CVE-2020-1",), withdrawn=True
    )
    component = pypi("foo", "1.0")
    assert [f.status for f in findings([component], gone)] == [FindingStatus.WITHDRAWN]
    live = osv("GHSA-x", "foo", ("introduced", "0"), ("fixed", "2.0"), aliases=("CVE-2020-1",))
    (finding,) = findings([component], gone, live)
    assert finding.status is FindingStatus.AFFECTED
    assert finding.vulnerability_id == "CVE-2020-1"
    assert set(finding.aliases) == {"PYSEC-1", "GHSA-x"}
    assert [e.withdrawn for e in finding.evidence] == [False, True]


def test_one_finding_per_identity_across_sources_and_alias_chains() -> None:
    a = osv("PYSEC-1", "foo", ("introduced", "0"), ("fixed", "2.0"), aliases=("GHSA-1",))
    b = osv("GHSA-1", "foo", ("introduced", "0"), ("fixed", "2.0"), aliases=("CVE-2021-9",))
    c = nvd(
        "CVE-2021-9",
        CpeNode(
            "OR",
            cpe_matches=(CpeMatch("cpe:2.3:a:foo:foo:*:*:*:*:*:*:*:*", True, version_end_excluding="2.0"),),
        ),
    )
    component = pypi("foo", "1.0", cpes=("cpe:2.3:a:foo:foo:1.0:*:*:*:*:*:*:*",))
    (finding,) = findings([component], a, b, c)
    assert finding.vulnerability_id == "CVE-2021-9"
    assert finding.sources == ("nvd", "osv")
    assert finding.method is MatchMethod.PURL_RANGE and finding.confidence == 90
    assert [e.method for e in finding.evidence] == [
        MatchMethod.PURL_RANGE,
        MatchMethod.PURL_RANGE,
        MatchMethod.CPE,
    ]


APP = "cpe:2.3:a:acme:viewer:*:*:*:*:*:*:*:*"
WIN = "cpe:2.3:o:microsoft:windows_7:-:*:*:*:*:*:*:*"
RUNNING_ON = CpeNode(
    "AND",
    children=(
        CpeNode("OR", cpe_matches=(CpeMatch(APP, True, version_end_including="2.4a"),)),
        CpeNode("OR", cpe_matches=(CpeMatch(WIN, False),)),
    ),
)
NEGATED = CpeNode(
    "AND",
    children=(
        CpeNode("OR", cpe_matches=(CpeMatch(APP, True),)),
        CpeNode("OR", negate=True, cpe_matches=(CpeMatch("cpe:2.3:a:acme:viewer:2.0:*:*:*:*:*:*:*", True),)),
    ),
)


def viewer(version: str) -> Component:
    return Component("viewer", version, cpes=(f"cpe:2.3:a:acme:viewer:{version}:*:*:*:*:*:*:*",))


WINDOWS = Component("windows", "7", type=ComponentType.OPERATING_SYSTEM, cpes=(WIN,))
CPE_CASES = [
    ("running-on unknown: partial", RUNNING_ON, [viewer("2.4a")], 55),
    ("running-on present in the SBOM", RUNNING_ON, [viewer("2.4a"), WINDOWS], 70),
    ("vendor version above bound", RUNNING_ON, [viewer("2.4b"), WINDOWS], None),
    ("negated node excludes 2.0", NEGATED, [viewer("2.0")], None),
    ("negated node keeps 2.1", NEGATED, [viewer("2.1")], 70),
]


@pytest.mark.parametrize(
    ("case", "root", "components", "confidence"), CPE_CASES, ids=[c[0] for c in CPE_CASES]
)
def test_cpe_cases(case: str, root: CpeNode, components: list[Component], confidence: int | None) -> None:
    found = [f for f in findings(components, nvd("CVE-2019-1", root)) if f.component == 0]
    assert [f.confidence for f in found] == ([confidence] if confidence else [])
    if confidence:
        assert found[0].method is MatchMethod.CPE
        assert dict(found[0].evidence[0].details)["criteria"] == APP


def test_platform_cpe_alone_does_not_match_other_components() -> None:
    bluekeep = nvd("CVE-2019-0708", CpeNode("OR", cpe_matches=(CpeMatch(WIN, True),)))
    app = viewer("1.0")
    found = findings([app, WINDOWS], bluekeep)
    assert [(f.component, f.vulnerability_id) for f in found] == [(1, "CVE-2019-0708")]


def test_sbom_cpe_without_version_takes_component_version() -> None:
    record = nvd("CVE-2019-2", CpeNode("OR", cpe_matches=(CpeMatch(APP, True, version_end_excluding="2.0"),)))
    stated = Component("viewer", "1.5", cpes=("cpe:2.3:a:acme:viewer:*:*:*:*:*:*:*:*",))
    fixed = Component("viewer", "2.0", cpes=("cpe:2.3:a:acme:viewer:*:*:*:*:*:*:*:*",))
    assert [f.component for f in findings([stated, fixed], record)] == [0]


GIN = "cpe:2.3:a:gin-gonic:gin:*:*:*:*:*:go:*:*"


@pytest.mark.parametrize(("infer", "expected"), [(True, [(MatchMethod.CPE_INFERRED, 40)]), (False, [])])
def test_inferred_cpe_switch(infer: bool, expected: list[tuple[MatchMethod, int]]) -> None:
    record = nvd(
        "CVE-2020-28483", CpeNode("OR", cpe_matches=(CpeMatch(GIN, True, version_end_excluding="1.7.0"),))
    )
    component = Component(
        "github.com/gin-gonic/gin", "v1.6.3", purl="pkg:golang/github.com/gin-gonic/gin@v1.6.3"
    )
    found = findings([component], record, infer_cpes=infer)
    assert [(f.method, f.confidence) for f in found] == expected
    if expected:
        assert dict(found[0].evidence[0].details)["matched_cpe"].startswith("cpe:2.3:a:gin-gonic:gin:v1.6.3")


def test_inferred_cpe_is_not_used_when_cpes_are_stated() -> None:
    record = nvd(
        "CVE-2020-28483", CpeNode("OR", cpe_matches=(CpeMatch(GIN, True, version_end_excluding="1.7.0"),))
    )
    component = Component(
        "gin", "1.6.3", purl="pkg:golang/github.com/gin-gonic/gin@v1.6.3", cpes=("cpe:2.3:a:other:gin:1.6.3",)
    )
    assert findings([component], record) == []


def csaf(
    product_id: str,
    status: str,
    name: str,
    version: str | None,
    rng: str | None = None,
    models: tuple[str, ...] = (),
    purl: str | None = None,
) -> CsafProductStatus:
    helpers = ProductHelpers(model_numbers=models, purl=purl) if models or purl else None
    product = CsafProduct(
        product_id, f"{name} {version or rng}", helpers, vendor="Medtronic", product_name=name,
        product_version=version, product_version_range=rng,
    )  # fmt: skip
    return CsafProductStatus(product_id, status, product)


CSAF_RECORD = AdvisoryRecord(
    "csaf",
    "ICSMA-19-178-01/CVE-2019-10964",
    NOW,
    aliases=("CVE-2019-10964",),
    csaf_products=(
        csaf("P1", "known_affected", "MiniMed 508 pump", "vers:all/*", models=("MMT-508",)),
        csaf("P2", "known_affected", "MiniMed Paradigm Veo 554/754 pumps", None, "<= 2.6A"),
        csaf("P3", "fixed", "MiniMed Paradigm Veo 554/754 pumps", "2.7A"),
        csaf("P4", "known_affected", "Odd Pump", None, "distributed < april 1, 2018"),
        csaf("P5", "under_investigation", "Probe", "vers:all/*"),
        csaf("P6", "known_affected", "Lib", None, purl="pkg:pypi/pumplib@1.0"),
    ),
)
DEVICE_CASES = [
    (
        "model number helper",
        DeviceIdentity("Some pump", "1.0", model_numbers=("mmt-508",)),
        FindingStatus.AFFECTED,
        85,
    ),
    (
        "name with vendor, range",
        DeviceIdentity("Medtronic MiniMed Paradigm Veo 554/754 pumps", "2.6A"),
        FindingStatus.AFFECTED,
        60,
    ),
    (
        "name, below range",
        DeviceIdentity("MiniMed Paradigm Veo 554/754 pumps", "2.5"),
        FindingStatus.AFFECTED,
        60,
    ),
    ("name, fixed version", DeviceIdentity("MiniMed Paradigm Veo 554/754 pumps", "2.7A"), None, None),
    ("name, above range", DeviceIdentity("MiniMed Paradigm Veo 554/754 pumps", "2.8"), None, None),
    ("wording not understood", DeviceIdentity("Odd Pump", "1"), FindingStatus.AFFECTED, 25),
    ("under investigation", DeviceIdentity("Probe", "1"), FindingStatus.UNDER_INVESTIGATION, 60),
    ("other product", DeviceIdentity("MiniMed 999", "1"), None, None),
]


@pytest.mark.parametrize(
    ("case", "device", "status", "confidence"), DEVICE_CASES, ids=[c[0] for c in DEVICE_CASES]
)
def test_csaf_device_cases(
    case: str, device: DeviceIdentity, status: FindingStatus | None, confidence: int | None
) -> None:
    index = MatchIndex.build([CSAF_RECORD])
    found = group_matches(match_device(device, index))
    assert [(f.status, f.confidence) for f in found] == ([(status, confidence)] if status else [])
    if status:
        assert found[0].vulnerability_id == "CVE-2019-10964"
        assert found[0].method is MatchMethod.CSAF_PRODUCT


def test_csaf_purl_helper_matches_sbom_component_at_its_version_only() -> None:
    index = MatchIndex.build([CSAF_RECORD])
    comps = [pypi("pumplib", "1.0"), pypi("pumplib", "1.1")]
    found = group_matches(match(comps, index), comps)
    assert [(f.component, f.method, f.confidence) for f in found] == [(0, MatchMethod.CSAF_PRODUCT, 85)]


RANGE = osv("PYSEC-2", "foo", ("introduced", "0"), ("fixed", "2.0"), aliases=("CVE-2022-5",))


def cdx_vex(state: str, ref: str) -> bytes:
    vuln = {
        "id": "CVE-2022-5",
        "analysis": {"state": state, "justification": "code_not_reachable"},
        "affects": [{"ref": ref}],
    }
    return orjson.dumps({"bomFormat": "CycloneDX", "specVersion": "1.6", "vulnerabilities": [vuln]})


VEX_CASES = [
    ("cdx not_affected by purl", cdx_vex("not_affected", "pkg:pypi/foo@1.0"), FindingStatus.NOT_AFFECTED),
    ("cdx not_affected other version", cdx_vex("not_affected", "pkg:pypi/foo@1.1"), FindingStatus.AFFECTED),
    (
        "cdx not_affected by bom-ref",
        cdx_vex("not_affected", "urn:cdx:abc/1#foo-ref"),
        FindingStatus.NOT_AFFECTED,
    ),
    ("cdx exploitable", cdx_vex("exploitable", "pkg:pypi/foo@1.0"), FindingStatus.AFFECTED),
    (
        "openvex fixed",
        orjson.dumps(
            {
                "@context": "https://openvex.dev/ns/v0.2.0",
                "statements": [
                    {
                        "vulnerability": {"name": "PYSEC-2"},
                        "products": [{"@id": "pkg:pypi/foo@1.0"}],
                        "status": "fixed",
                    }
                ],
            }
        ),
        FindingStatus.NOT_AFFECTED,
    ),  # fmt: skip
]


@pytest.mark.parametrize(("case", "doc", "status"), VEX_CASES, ids=[c[0] for c in VEX_CASES])
def test_vex_cases(case: str, doc: bytes, status: FindingStatus) -> None:
    comps = [pypi("foo", "1.0", bom_ref="foo-ref")]
    vex = read_vex(doc, "supplier.vex.json")
    (finding,) = group_matches(match(comps, MatchIndex.build([RANGE])), comps, vex)
    assert finding.status is status
    vex_evidence = [e for e in finding.evidence if e.method is None]
    assert len(vex_evidence) == (0 if "other version" in case else 1)


def test_primary_id_prefers_lowest_cve() -> None:
    assert primary_id(["GHSA-x", "CVE-2021-10", "CVE-2021-9", "PYSEC-1"]) == "CVE-2021-9"
    assert primary_id(["ICSMA-1/2", "GHSA-b", "GHSA-a"]) == "GHSA-a"


@pytest.mark.parametrize(
    ("ecosystem", "listed", "queries"),
    [
        ("PyPI", ("1.1", "2.0rc1", "0.7.10p1"), ("1.1.0", "1.1", "2.0rc1", "2.0", "0.7.10p1", "junk")),
        ("Go", ("v1.2.3", "1.4.0"), ("1.2.3", "v1.4.0", "1.2.4")),
        ("Maven", ("1.0", "2.1"), ("1.0.0", "2.1", "3")),
        ("Debian", ("1:1.0-1",), ("1:1.0-1", "1.0-1")),
    ],
)
def test_enumeration_hash_set_agrees_with_sorted_lookup(
    ecosystem: str, listed: tuple[str, ...], queries: tuple[str, ...]
) -> None:
    from medvigil.core.matching.enumeration import Enumeration
    from medvigil.core.matching.ranges import EnumeratedVersions

    fast, reference = Enumeration.build(listed, ecosystem), EnumeratedVersions.build(listed, ecosystem)
    assert [fast.contains(q) for q in queries] == [reference.contains(q) for q in queries]


_PEP440_TRICKY = (
    "1.0", "1.0.0", "v1.0", "1", "0", "0.0", "01.0", "1.0.post0", "1.0-0", "1.0-1", "1.0.post1",
    "1.0.dev0", "1.0a1", "1.0alpha1", "1.0.0a1", "1.0rc1", "1.0c1", "1!1.0", "1.0+local.5",
    "1.0+LOCAL.05", "1.0+local-5", "1.0+5", "1.0.0+local.5", "1.0a1.post2.dev3", "1.0.dev", "junk",
    "2.1", "2.10", "2.01", "10.0.0.0", "0.0.0", " 1.0", "1.0.", "1..0", "",
)  # fmt: skip


def test_pypi_enumeration_equality_is_pep_440_equality() -> None:
    from packaging.version import InvalidVersion, Version

    from medvigil.core.matching.enumeration import Enumeration

    def equal(a: str, b: str) -> bool:
        try:
            return Version(a) == Version(b)
        except InvalidVersion:
            return False

    for listed in _PEP440_TRICKY:
        enumeration = Enumeration.build((listed,), "PyPI")
        for query in _PEP440_TRICKY:
            expected = query == listed or equal(listed, query)
            assert enumeration.contains(query) is expected, (listed, query)


def test_components_stating_the_same_cpe_each_get_the_finding() -> None:
    # the same viewer CPE twice (evaluated once, its evidence reused) and another version between
    copy = Component("viewer-vendored", "2.4a", cpes=viewer("2.4a").cpes)
    components = [viewer("2.4a"), WINDOWS, viewer("2.4b"), copy, Component("viewer", "2.4a", cpes=copy.cpes)]
    found = [f for f in findings(components, nvd("CVE-2019-1", RUNNING_ON)) if f.component != 1]
    assert [(f.component, f.confidence) for f in found] == [(0, 70), (3, 70), (4, 70)]
    assert len({dict(f.evidence[0].details)["matched_cpe"] for f in found}) == 1


def test_cpe_evidence_text_is_built_on_read_as_before() -> None:
    # the summary and details of a CPE match are built when read (not kept); their text is the
    # contract `medvigil scan -f json` and the store write
    bounded = CpeMatch(APP, True, version_start_including="2.0", version_end_excluding="2.4b")
    root = CpeNode("AND", children=(CpeNode("OR", cpe_matches=(bounded,)), RUNNING_ON.children[1]))
    record = dataclasses.replace(nvd("CVE-2019-3", root), withdrawn=NOW)
    (finding,) = findings([viewer("2.4a")], record)
    (evidence,) = finding.evidence
    matched = "cpe:2.3:a:acme:viewer:2.4a:*:*:*:*:*:*:*"
    assert evidence.summary == (
        f"{matched} matches {APP} (version_start_including 2.0, version_end_excluding 2.4b)"
    )
    assert evidence.details == (
        ("criteria", APP),
        ("version_start_including", "2.0"),
        ("version_end_excluding", "2.4b"),
        ("matched_cpe", matched),
        (PLATFORM_DETAIL, "unknown: a running-on condition could not be checked"),
    )
    assert evidence.withdrawn and finding.status is FindingStatus.WITHDRAWN
    assert evidence.as_dict()["details"] == dict(evidence.details)
    assert evidence.as_dict()["summary"] == evidence.summary


@pytest.mark.parametrize("seed", range(3))
def test_cpe_evidence_details_keys_agree_with_has_detail(seed: int) -> None:
    rng = random.Random(seed)
    bound_names = ("version_start_including", "version_start_excluding", "version_end_including",
                   "version_end_excluding")  # fmt: skip
    for _ in range(60):
        bounds = {
            name: value
            for name, value in zip(bound_names, ("1.0", "0.9", "3.0", "3.1"), strict=True)
            if rng.random() < 0.4
        }
        bounds.pop(rng.choice(("version_start_including", "version_start_excluding")), None)
        bounds.pop(rng.choice(("version_end_including", "version_end_excluding")), None)
        entry = CpeMatch(APP, True, **bounds)
        children = [CpeNode("OR", cpe_matches=(entry,))]
        if rng.random() < 0.5:
            children.append(RUNNING_ON.children[1])
        components = [viewer("2.0")] + ([WINDOWS] if rng.random() < 0.5 else [])
        record = nvd("CVE-2019-4", CpeNode("AND", children=tuple(children)))
        (finding,) = [f for f in findings(components, record) if f.component == 0]
        (evidence,) = finding.evidence
        keys = [k for k, _ in evidence.details]
        assert keys == ["criteria", *(n for n in bound_names if n in bounds), "matched_cpe"] + (
            [PLATFORM_DETAIL] if finding.confidence == 55 else []
        )
        for key in (*bound_names, "criteria", "matched_cpe", PLATFORM_DETAIL, "range"):
            assert evidence.has_detail(key) is (key in keys), key
        assert platform_unverified(finding.evidence) is (finding.confidence == 55)


def _alias_records(rng: random.Random) -> list[AdvisoryRecord]:
    records = []
    for n in range(30):
        aliases = tuple(f"CVE-2020-{rng.randrange(8)}" for _ in range(rng.randrange(3)))
        name = f"lib{rng.randrange(6)}"
        withdrawn = rng.random() < 0.1
        records.append(osv(f"R{n}", name, ("introduced", "0"), aliases=aliases, withdrawn=withdrawn))
    return records


@pytest.mark.parametrize("seed", range(5))
def test_ordered_grouping_equals_grouping_all_matches(seed: int) -> None:
    # grouping component by component as matches arrive (and dropping them) gives the same findings
    rng = random.Random(seed)
    index = MatchIndex.build(_alias_records(rng))
    components = [pypi(f"lib{rng.randrange(8)}", "1.0") for _ in range(40)]
    matches = list(match(components, index))
    assert len({m.component for m in matches}) > 10
    assert group_matches(iter(matches), components, ordered=True) == group_matches(matches, components)


def test_ordered_grouping_refuses_matches_out_of_order() -> None:
    index = MatchIndex.build([osv("R1", "lib0", ("introduced", "0"))])
    matches = list(match([pypi("lib0", "1.0"), pypi("lib0", "2.0")], index))
    assert group_matches(matches[::-1], ordered=False)
    with pytest.raises(ValueError, match="component 0 after component 1"):
        group_matches(matches[::-1], ordered=True)


def test_csaf_cpe_helper_matches_a_device_cpe_and_skips_a_malformed_one() -> None:
    pump = "cpe:2.3:h:medtronic:pump_x:2.0:*:*:*:*:*:*:*"
    product = CsafProduct(
        "P7", "Pump X 2.0", ProductHelpers(cpe=pump), vendor="Medtronic", product_name="Pump X"
    )
    record = AdvisoryRecord(
        "csaf", "ICSMA-00-000-01/CVE-2000-0001", NOW, aliases=("CVE-2000-0001",),
        csaf_products=(CsafProductStatus("P7", "known_affected", product),),
    )  # fmt: skip
    index = MatchIndex.build([record])
    found = group_matches(
        match_device(DeviceIdentity("Other name", "2.0", cpes=("cpe:2.3:h:bad", pump)), index)
    )
    assert [(f.vulnerability_id, f.method) for f in found] == [("CVE-2000-0001", MatchMethod.CSAF_PRODUCT)]
    other = DeviceIdentity("Other name", "3.0", cpes=(pump.replace(":2.0:", ":3.0:"),))
    assert group_matches(match_device(other, index)) == []
