"""SPDX 2 (JSON, tag-value, YAML, XML, RDF) and SPDX 3 readers."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import orjson
import pytest

from medvigil.core.errors import SbomError
from medvigil.core.model import Component, ComponentType, Dependency, Hash
from medvigil.core.sbom.interface import SbomReader
from medvigil.core.sbom.spdx3 import Spdx3JsonLdReader
from medvigil.core.sbom.spdx_json import SpdxJsonReader
from medvigil.core.sbom.spdx_rdf import SpdxRdfReader
from medvigil.core.sbom.spdx_tagvalue import SpdxTagValueReader
from medvigil.core.sbom.spdx_xml import SpdxXmlReader
from medvigil.core.sbom.spdx_yaml import SpdxYamlReader
from tests.conftest import FIXTURES, shared_path

JSON = SpdxJsonReader()
TAG = SpdxTagValueReader()


def doc(packages: list[dict[str, object]], relationships: list[dict[str, str]] | None = None) -> bytes:
    return orjson.dumps(
        {
            "spdxVersion": "SPDX-2.3",
            "SPDXID": "SPDXRef-DOCUMENT",
            "packages": packages,
            "relationships": relationships or [],
        }
    )


PKG: dict[str, object] = {
    "SPDXID": "SPDXRef-openssl",
    "name": "openssl",
    "versionInfo": "3.0.13",
    "supplier": "Organization: OpenSSL Foundation",
    "checksums": [{"algorithm": "SHA256", "checksumValue": "cd" * 32}],
    "licenseConcluded": "NOASSERTION",
    "licenseDeclared": "Apache-2.0",
    "primaryPackagePurpose": "OPERATING-SYSTEM",
    "homepage": "https://openssl.org",
    "downloadLocation": "NOASSERTION",
    "externalRefs": [
        {
            "referenceCategory": "PACKAGE-MANAGER",
            "referenceType": "purl",
            "referenceLocator": "pkg:generic/openssl@3.0.13",
        },
        {
            "referenceCategory": "SECURITY",
            "referenceType": "cpe23Type",
            "referenceLocator": "cpe:2.3:a:openssl:openssl:3.0.13:*:*:*:*:*:*:*",
        },
        {
            "referenceCategory": "SECURITY",
            "referenceType": "cpe22Type",
            "referenceLocator": "cpe:/a:openssl:openssl:3.0.13",
        },
    ],
}


def test_spdx_json_package_mapping() -> None:
    c = JSON.read(doc([PKG]), source="s.json").components[0]
    assert (c.bom_ref, c.name, c.version, c.supplier) == (
        "SPDXRef-openssl",
        "openssl",
        "3.0.13",
        "OpenSSL Foundation",
    )
    assert c.purl == "pkg:generic/openssl@3.0.13"
    assert c.cpes == ("cpe:2.3:a:openssl:openssl:3.0.13:*:*:*:*:*:*:*", "cpe:/a:openssl:openssl:3.0.13")
    assert c.hashes == (Hash("SHA256", "cd" * 32),)
    assert c.licenses == ("Apache-2.0",)  # NOASSERTION dropped
    assert c.type is ComponentType.OPERATING_SYSTEM
    assert [r.type for r in c.external_references] == ["website"]  # downloadLocation NOASSERTION dropped


def test_person_supplier_loses_prefix_and_email() -> None:
    pkg: dict[str, object] = {
        "SPDXID": "SPDXRef-a",
        "name": "a",
        "supplier": "Person: Jane Doe (jane@example.org)",
    }
    assert JSON.read(doc([pkg]), source="s").components[0].supplier == "Jane Doe"


def test_relationships_become_edges_between_packages_only() -> None:
    pkgs: list[dict[str, object]] = [{"SPDXID": f"SPDXRef-{n}", "name": n} for n in "abc"]
    rels = [
        {"spdxElementId": "SPDXRef-a", "relationshipType": "DEPENDS_ON", "relatedSpdxElement": "SPDXRef-b"},
        {
            "spdxElementId": "SPDXRef-c",
            "relationshipType": "DEPENDENCY_OF",
            "relatedSpdxElement": "SPDXRef-a",
        },
        {"spdxElementId": "SPDXRef-b", "relationshipType": "CONTAINS", "relatedSpdxElement": "SPDXRef-c"},
        {
            "spdxElementId": "SPDXRef-c",
            "relationshipType": "DEV_DEPENDENCY_OF",
            "relatedSpdxElement": "SPDXRef-b",
        },
        {
            "spdxElementId": "SPDXRef-DOCUMENT",
            "relationshipType": "DESCRIBES",
            "relatedSpdxElement": "SPDXRef-a",
        },
        {
            "spdxElementId": "SPDXRef-a",
            "relationshipType": "CONTAINS",
            "relatedSpdxElement": "SPDXRef-File-x",
        },
    ]
    sbom = JSON.read(doc(pkgs, rels), source="s")
    assert sbom.dependencies == (
        Dependency("SPDXRef-a", ("SPDXRef-b", "SPDXRef-c")),
        Dependency("SPDXRef-b", ("SPDXRef-c",)),
    )
    assert sbom.subject is None


def test_every_package_is_a_component_even_the_described_one() -> None:
    sbom = JSON.read((FIXTURES / "sbom/spdx/03-SBOMwDependency.json").read_bytes(), source="f")
    assert [c.name for c in sbom.components] == ["tools-java", "xlsx"]
    assert sbom.dependencies == (Dependency("SPDXRef-Package", ("SPDXRef-xlsx",)),)
    assert sbom.created == dt.datetime(2023, 5, 12, 18, 30, 22, tzinfo=dt.UTC)


def test_spdx_json_package_without_name() -> None:
    with pytest.raises(SbomError) as info:
        JSON.read(doc([{"SPDXID": "SPDXRef-a", "name": "a"}, {"SPDXID": "SPDXRef-b"}]), source="s.json")
    assert (info.value.source, info.value.location, info.value.field) == ("s.json", "/packages/1", "name")


def test_spdx_json_wrong_version_is_refused() -> None:
    with pytest.raises(SbomError, match="SPDX-2.x"):
        JSON.read(b'{"spdxVersion": "SPDX-3.0", "SPDXID": "x"}', source="s")


TAG_DOC = """SPDXVersion: SPDX-2.3
DataLicense: CC0-1.0
SPDXID: SPDXRef-DOCUMENT
DocumentName: pump
Creator: Organization: Acme
Created: 2024-01-02T03:04:05Z
# a comment

PackageName: zlib
SPDXID: SPDXRef-zlib
PackageVersion: 1.3
PackageSupplier: Organization: zlib authors
PackageChecksum: SHA1: {sha1}
PackageLicenseDeclared: Zlib
PackageDescription: <text>A compression
library.</text>
ExternalRef: PACKAGE-MANAGER purl pkg:generic/zlib@1.3
ExternalRef: SECURITY cpe23Type cpe:2.3:a:zlib:zlib:1.3:*:*:*:*:*:*:*

FileName: ./zlib.h
SPDXID: SPDXRef-File
PackageVersion: not-a-package-tag-here

PackageName: app
SPDXID: SPDXRef-app
Relationship: SPDXRef-app DEPENDS_ON SPDXRef-zlib
""".format(sha1="e" * 40)


def test_tag_value_mapping() -> None:
    sbom = TAG.read(TAG_DOC.encode(), source="p.spdx")
    zlib, app = sbom.components
    assert (zlib.name, zlib.version, zlib.supplier, zlib.purl) == (
        "zlib",
        "1.3",
        "zlib authors",
        "pkg:generic/zlib@1.3",
    )
    assert zlib.description == "A compression\nlibrary."
    assert zlib.hashes == (Hash("SHA1", "e" * 40),)
    assert zlib.cpes == ("cpe:2.3:a:zlib:zlib:1.3:*:*:*:*:*:*:*",)
    assert app.version == ""  # the FileName section's tags do not leak into packages
    assert sbom.dependencies == (Dependency("SPDXRef-app", ("SPDXRef-zlib",)),)
    assert (sbom.name, sbom.authors) == ("pump", ("Organization: Acme",))


def test_tag_value_cr_line_endings() -> None:
    sbom = TAG.read(TAG_DOC.replace("\n", "\r").encode(), source="p.spdx")
    assert [c.name for c in sbom.components] == ["zlib", "app"]


def test_tag_value_bad_line_names_line_number() -> None:
    broken = TAG_DOC.replace("PackageName: app", "this line is not a tag")
    with pytest.raises(SbomError) as info:
        TAG.read(broken.encode(), source="p.spdx")
    assert info.value.location == f"line {broken.splitlines().index('this line is not a tag') + 1}"
    assert "expected 'Tag: value'" in str(info.value)


def test_tag_value_empty_package_name_points_at_its_line() -> None:
    broken = TAG_DOC.replace("PackageName: app", "PackageName:")
    with pytest.raises(SbomError) as info:
        TAG.read(broken.encode(), source="p.spdx")
    assert (info.value.location, info.value.field) == (
        f"line {broken.splitlines().index('PackageName:') + 1}",
        "name",
    )


def test_tag_value_unclosed_text() -> None:
    with pytest.raises(SbomError, match="never closed") as info:
        TAG.read(b"SPDXVersion: SPDX-2.3\nPackageName: a\nPackageDescription: <text>open\nmore", source="p")
    assert info.value.location == "line 3"


SPEC = "sbom/spdx/spdx-spec-examples-v2.3"


@pytest.mark.shared_data
@pytest.mark.parametrize(
    ("reader", "name"),
    [
        (SpdxYamlReader(), "SPDXYAMLExample-2.3.spdx.yaml"),
        (SpdxXmlReader(), "SPDXXMLExample-v2.3.spdx.xml"),
        (SpdxRdfReader(), "SPDXRdfExample-v2.3.spdx.rdf.xml"),
        (TAG, "SPDXTagExample-v2.3.spdx"),
    ],
)
def test_other_serialisations_match_the_json_example(reader: SbomReader, name: str) -> None:
    base = shared_path(*SPEC.split("/"))
    expected = JSON.read((base / "SPDXJSONExample-v2.3.spdx.json").read_bytes(), source="j")
    got = reader.read((base / name).read_bytes(), source=name)

    def key(c: Component) -> tuple[object, ...]:
        fields = ("bom_ref", "name", "version", "purl", "cpes", "supplier", "type")
        # RDF has no order, so hashes are compared as a set
        return (*(getattr(c, f) for f in fields), sorted((h.alg, h.value) for h in c.hashes))

    assert sorted(map(key, got.components)) == sorted(map(key, expected.components))
    assert got.dependencies == expected.dependencies
    assert got.spec_version == "SPDX-2.3"


def test_spdx_xml_with_entities_is_refused() -> None:
    data = (
        b'<?xml version="1.0"?><!DOCTYPE Document [<!ENTITY e "x">]>'
        b"<Document><spdxVersion>&e;</spdxVersion></Document>"
    )
    with pytest.raises(SbomError, match="refused"):
        SpdxXmlReader().read(data, source="d.xml")


def test_spdx_yaml_error_has_line() -> None:
    with pytest.raises(SbomError) as info:
        SpdxYamlReader().read(b"spdxVersion: SPDX-2.3\npackages:\n  - name: [unclosed\n", source="d.yaml")
    assert info.value.location.startswith("line ")


def test_spdx3_packages_licences_and_edges() -> None:
    graph = [
        {"type": "CreationInfo", "@id": "_:ci", "specVersion": "3.0.1", "created": "2024-05-01T00:00:00Z", "createdBy": ["urn:p"]},  # noqa: E501 - test data
        {"type": "Person", "spdxId": "urn:p", "name": "Ada"},
        {"type": "Organization", "spdxId": "urn:org", "name": "Acme"},
        {
            "type": "software_Package", "spdxId": "urn:a", "name": "a", "software_packageVersion": "1",
            "suppliedBy": "urn:org", "software_primaryPurpose": "firmware",
            "externalIdentifier": [{"type": "ExternalIdentifier", "externalIdentifierType": "cpe23", "identifier": "cpe:2.3:o:acme:a:1:*:*:*:*:*:*:*"}],  # noqa: E501 - test data
            "software_packageUrl": "pkg:generic/acme/a@1",
            "verifiedUsing": [{"type": "Hash", "algorithm": "sha256", "hashValue": "f" * 64}],
        },
        {"type": "ai_AIPackage", "spdxId": "urn:m", "name": "model"},
        {"type": "software_File", "spdxId": "urn:f", "name": "file.c"},
        {"type": "simplelicensing_LicenseExpression", "spdxId": "urn:l", "simplelicensing_licenseExpression": "MIT"},  # noqa: E501 - test data
        {"type": "Relationship", "spdxId": "urn:r1", "from": "urn:a", "relationshipType": "hasDeclaredLicense", "to": ["urn:l"]},  # noqa: E501 - test data
        {"type": "LifecycleScopedRelationship", "spdxId": "urn:r2", "from": "urn:a", "relationshipType": "dependsOn", "to": ["urn:m", "urn:f"]},  # noqa: E501 - test data
    ]  # fmt: skip
    data = orjson.dumps({"@context": "https://spdx.org/rdf/3.0.1/spdx-context.jsonld", "@graph": graph})
    sbom = Spdx3JsonLdReader().read(data, source="s3.json")
    a, m = sbom.components
    assert (a.supplier, a.type, a.licenses, a.purl) == (
        "Acme",
        ComponentType.FIRMWARE,
        ("MIT",),
        "pkg:generic/acme/a@1",
    )
    assert a.cpes == ("cpe:2.3:o:acme:a:1:*:*:*:*:*:*:*",) and a.hashes == (Hash("SHA256", "f" * 64),)
    assert m.type is ComponentType.MACHINE_LEARNING_MODEL
    assert sbom.dependencies == (Dependency("urn:a", ("urn:m",)),)
    assert (sbom.spec_version, sbom.authors) == ("3.0.1", ("Ada",))


def test_spdx3_package_without_name() -> None:
    data = orjson.dumps(
        {
            "@context": "https://spdx.org/rdf/3.0.1/spdx-context.jsonld",
            "@graph": [{"type": "software_Package"}],
        }  # noqa: E501 - test data
    )
    with pytest.raises(SbomError) as info:
        Spdx3JsonLdReader().read(data, source="s3")
    assert (info.value.location, info.value.field) == ("/@graph/0", "name")


def test_fixture_paths_exist() -> None:
    assert Path(FIXTURES / "sbom/spdx/SPDXTagExample-v2.3.spdx").is_file()


def _alias_bomb() -> bytes:
    """9 levels of 9 aliases under ``name``: 620 bytes that expand to hundreds of millions of nodes."""
    lines = ['a0: &a0 "lol"']
    lines += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 9) + "]" for i in range(1, 10)]
    lines += ["spdxVersion: SPDX-2.3", "SPDXID: SPDXRef-DOCUMENT", "name: *a9", "packages: []"]
    return "\n".join(lines).encode()


def test_spdx_yaml_alias_bomb_is_refused_quickly() -> None:
    import time

    start = time.perf_counter()
    with pytest.raises(
        SbomError, match="bomb.yaml: YAML aliases would expand .* refused as a possible alias bomb"
    ):
        SpdxYamlReader().read(_alias_bomb(), source="bomb.yaml")
    assert time.perf_counter() - start < 1


def test_spdx_yaml_alias_cycle_is_refused() -> None:
    with pytest.raises(SbomError, match="line 2: YAML aliases form a cycle"):
        SpdxYamlReader().read(b"spdxVersion: SPDX-2.3\nname: &x [*x]\n", source="c.yaml")


def test_spdx_yaml_small_anchors_still_work() -> None:
    doc = (
        b"spdxVersion: SPDX-2.3\nSPDXID: SPDXRef-DOCUMENT\nname: d\npackages:\n"
        b"  - &p {name: a, SPDXID: SPDXRef-a, versionInfo: '1'}\n  - {name: b, SPDXID: SPDXRef-b}\n"
    )
    assert [c.name for c in SpdxYamlReader().read(doc, source="a.yaml").components] == ["a", "b"]
