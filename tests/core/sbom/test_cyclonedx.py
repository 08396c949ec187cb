"""CycloneDX JSON and XML readers: mapping, nesting, support fields and precise errors."""

from __future__ import annotations

import datetime as dt

import orjson
import pytest

from medvigil.core.errors import SbomError, SbomTooLargeError
from medvigil.core.model import ComponentType, Dependency, Hash, SupportLevel
from medvigil.core.sbom.cyclonedx_json import CycloneDxJsonReader
from medvigil.core.sbom.cyclonedx_xml import CycloneDxXmlReader
from medvigil.core.sbom.limits import SbomLimits
from medvigil.core.sbom.registry import read_sbom

JSON = CycloneDxJsonReader()
XML = CycloneDxXmlReader()


def bom(components: list[dict[str, object]], **extra: object) -> bytes:
    return orjson.dumps({"bomFormat": "CycloneDX", "specVersion": "1.6", "components": components, **extra})


FULL: dict[str, object] = {
    "type": "firmware",
    "bom-ref": "fw",
    "supplier": {"name": "Acme Medical"},
    "publisher": "ignored because supplier wins",
    "group": "com.acme",
    "name": "pump-fw",
    "version": "4.2",
    "scope": "required",
    "hashes": [{"alg": "SHA-256", "content": "ab" * 32}],
    "licenses": [{"license": {"id": "MIT"}}, {"license": {"name": "Acme EULA"}}],
    "cpe": "cpe:2.3:o:acme:pump_fw:4.2:*:*:*:*:*:*:*",
    "purl": "pkg:generic/acme/pump-fw@4.2",
    "externalReferences": [{"type": "vcs", "url": "https://git.example/fw"}],
    "properties": [
        {"name": "medvigil:support_level", "value": "actively maintained"},
        {"name": "acme:endOfSupport", "value": "2031-12-31"},
    ],
    "components": [{"name": "bootloader", "version": "1.0", "bom-ref": "boot"}],
}


def test_maps_every_field_of_a_component() -> None:
    sbom = JSON.read(bom([FULL]), source="f.json")
    fw, boot = sbom.components
    assert (fw.name, fw.version, fw.group, fw.type) == ("pump-fw", "4.2", "com.acme", ComponentType.FIRMWARE)
    assert fw.supplier == "Acme Medical"
    assert fw.hashes == (Hash("SHA-256", "ab" * 32),)
    assert fw.licenses == ("MIT", "Acme EULA")
    assert fw.cpes == ("cpe:2.3:o:acme:pump_fw:4.2:*:*:*:*:*:*:*",)
    assert fw.purl == "pkg:generic/acme/pump-fw@4.2"
    assert fw.scope == "required"
    assert fw.external_references[0].url == "https://git.example/fw"
    assert fw.support_level is SupportLevel.ACTIVELY_MAINTAINED
    assert fw.end_of_support == dt.date(2031, 12, 31)
    assert boot.parent_ref == "fw"


def test_supplier_falls_back_to_publisher_then_author() -> None:
    sbom = JSON.read(bom([{"name": "a", "publisher": "Pub"}, {"name": "b", "author": "Auth"}]), source="f")
    assert [c.supplier for c in sbom.components] == ["Pub", "Auth"]


def test_license_expression_is_kept_whole() -> None:
    sbom = JSON.read(bom([{"name": "a", "licenses": [{"expression": "MIT OR Apache-2.0"}]}]), source="f")
    assert sbom.components[0].licenses == ("MIT OR Apache-2.0",)


def test_nested_components_counted_in_document_order() -> None:
    tree: list[dict[str, object]] = [
        {
            "name": "a",
            "bom-ref": "a",
            "components": [{"name": "a1", "bom-ref": "a1", "components": [{"name": "a11"}]}],
        },
        {"name": "b", "bom-ref": "b"},
    ]
    sbom = JSON.read(bom(tree), source="f")
    assert [(c.name, c.parent_ref) for c in sbom.components] == [
        ("a", ""),
        ("a1", "a"),
        ("a11", "a1"),
        ("b", ""),
    ]


def test_deep_nesting_does_not_overflow() -> None:
    depth = 500  # 1,002 JSON levels: just under orjson's limit, beyond a recursive walk's frames
    text = (
        '{"bomFormat":"CycloneDX","components":'
        + '[{"name":"n","components":' * depth
        + "[]"
        + "}]" * depth
        + "}"
    )
    sbom = JSON.read_limited(text.encode(), source="deep.json", limits=SbomLimits(max_depth=depth))
    assert len(sbom.components) == depth
    assert sbom.components[-1].parent_ref == sbom.components[-2].bom_ref


def test_subject_is_not_counted_but_its_nested_components_are() -> None:
    meta = {
        "component": {
            "name": "infusion-pump",
            "bom-ref": "pump",
            "components": [{"name": "ui", "bom-ref": "ui"}],
        }
    }
    sbom = JSON.read(bom([{"name": "lib", "bom-ref": "lib"}], metadata=meta), source="f")
    assert sbom.subject is not None and sbom.subject.name == "infusion-pump"
    # metadata comes before components in the document, so its nested components come first
    assert [(c.name, c.parent_ref) for c in sbom.components] == [("ui", "pump"), ("lib", "")]


def test_missing_bom_ref_is_synthesised_stably_and_reported() -> None:
    data = bom(
        [
            {"name": "x", "version": "1", "purl": "pkg:npm/x@1"},
            {"name": "y", "version": "2"},
            {"name": "y", "version": "2"},
        ]
    )
    first = JSON.read(data, source="f")
    assert [c.bom_ref for c in first.components] == ["pkg:npm/x@1", "y@2", "y@2#2"]
    assert first == JSON.read(data, source="f")
    assert any("3 component(s) had no bom-ref" in w and "/components/0" in w for w in first.warnings)


def test_dependencies_are_read() -> None:
    data = bom(
        [{"name": "a", "bom-ref": "a"}], dependencies=[{"ref": "a", "dependsOn": ["b", "c"]}, {"ref": "b"}]
    )
    assert JSON.read(data, source="f").dependencies == (Dependency("a", ("b", "c")), Dependency("b", ()))


@pytest.mark.parametrize(
    ("prop", "value", "level"),
    [
        ("medvigil:support_level", "abandoned", SupportLevel.ABANDONED),
        ("vendor:support-level", "NO_LONGER_MAINTAINED", SupportLevel.NO_LONGER_MAINTAINED),
        ("x:supportLevel", "eol", SupportLevel.NO_LONGER_MAINTAINED),
    ],
)
def test_support_level_property_names_and_values(prop: str, value: str, level: SupportLevel) -> None:
    sbom = JSON.read(bom([{"name": "a", "properties": [{"name": prop, "value": value}]}]), source="f")
    assert sbom.components[0].support_level is level


@pytest.mark.parametrize("prop", ["medvigil:end_of_support", "x:end-of-support", "x:endOfSupport", "x:eos"])
def test_end_of_support_property_names(prop: str) -> None:
    sbom = JSON.read(
        bom([{"name": "a", "properties": [{"name": prop, "value": "2027-01-31T00:00:00Z"}]}]), source="f"
    )
    assert sbom.components[0].end_of_support == dt.date(2027, 1, 31)


def test_bad_support_values_warn_with_location() -> None:
    props = [
        {"name": "medvigil:support_level", "value": "sometimes"},
        {"name": "medvigil:end_of_support", "value": "soon"},
    ]
    sbom = JSON.read(bom([{"name": "a"}, {"name": "b", "properties": props}]), source="f")
    assert sbom.components[1].support_level is SupportLevel.UNKNOWN
    assert any(w.startswith("/components/1: unknown support level 'sometimes'") for w in sbom.warnings)
    assert any("'soon'" in w and "not a date" in w for w in sbom.warnings)


def test_component_without_name_names_file_pointer_and_field() -> None:
    comps: list[dict[str, object]] = [{"name": f"c{i}"} for i in range(12)]
    comps.append({"version": "1"})
    with pytest.raises(SbomError) as info:
        JSON.read(bom(comps), source="device.cdx.json")
    err = info.value
    assert (err.source, err.location, err.field) == ("device.cdx.json", "/components/12", "name")
    assert str(err) == "device.cdx.json: /components/12: field 'name': component has no name"


def test_nested_component_without_name_points_inside() -> None:
    with pytest.raises(SbomError) as info:
        JSON.read(bom([{"name": "a", "components": [{"name": "ok"}, {"name": ""}]}]), source="f")
    assert info.value.location == "/components/0/components/1"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b'{"bomFormat": "CycloneDX", "components": [', "not valid JSON"),
        (b"[1, 2]", "must be a JSON object at the top level, found array"),
        (b'{"bomFormat": "SPDX"}', "'bomFormat' must be \"CycloneDX\""),
        (b'{"bomFormat": "CycloneDX", "components": {"name": "a"}}', "'components' must be an array"),
        (b'{"bomFormat": "CycloneDX", "dependencies": [{"dependsOn": []}]}', "dependency has no ref"),
    ],
)
def test_malformed_json_is_refused_precisely(data: bytes, message: str) -> None:
    with pytest.raises(SbomError, match=message) as info:
        JSON.read(data, source="bad.json")
    assert info.value.source == "bad.json"


def test_truncated_json_gives_line_and_column() -> None:
    data = bom([{"name": "a"}, {"name": "b"}])[:-20]
    with pytest.raises(SbomError) as info:
        JSON.read(data, source="cut.json")
    assert info.value.location.startswith("line 1 column ")


XML_DOC = b"""<?xml version="1.0"?>
<bom xmlns="http://cyclonedx.org/schema/bom/1.5" xmlns:x="urn:ext" serialNumber="urn:uuid:1" version="1">
  <metadata><timestamp>2024-02-01T10:00:00Z</timestamp>
    <component type="device" bom-ref="dev"><name>monitor</name></component></metadata>
  <components>
    <component type="library" bom-ref="a">
      <supplier><name>ACME</name></supplier><name>liba</name><version>1.0</version>
      <hashes><hash alg="SHA-1">%s</hash></hashes>
      <licenses><license><id>MIT</id></license></licenses>
      <purl>pkg:npm/liba@1.0</purl>
      <properties><property name="medvigil:support_level">abandoned</property></properties>
      <x:extra>ignored</x:extra>
      <components><component type="file" bom-ref="a.1"><name>a-data</name></component></components>
    </component>
    <component type="library"><name>nobomref</name><version>2</version></component>
  </components>
  <dependencies><dependency ref="a"><dependency ref="nobomref@2"/></dependency></dependencies>
</bom>""" % (b"a" * 40)


def test_xml_is_mapped_like_json() -> None:
    sbom = XML.read(XML_DOC, source="b.xml")
    assert sbom.spec_version == "1.5"
    assert sbom.subject is not None and sbom.subject.type is ComponentType.DEVICE
    a, nested, other = sbom.components
    assert (a.name, a.supplier, a.licenses, a.purl) == ("liba", "ACME", ("MIT",), "pkg:npm/liba@1.0")
    assert a.hashes == (Hash("SHA-1", "a" * 40),)
    assert a.support_level is SupportLevel.ABANDONED
    assert (nested.parent_ref, nested.type) == ("a", ComponentType.FILE)
    assert other.bom_ref == "nobomref@2"
    assert sbom.dependencies == (Dependency("a", ("nobomref@2",)),)
    assert sbom.created == dt.datetime(2024, 2, 1, 10, tzinfo=dt.UTC)


@pytest.mark.parametrize("version", ["1.0", "1.1", "1.2", "1.3", "1.4", "1.5", "1.6", "1.7"])
def test_xml_every_namespace_version(version: str) -> None:
    doc = (
        f'<bom xmlns="http://cyclonedx.org/schema/bom/{version}">'
        '<components><component type="library"><name>a</name></component></components></bom>'
    )
    sbom = XML.read(doc.encode(), source="v.xml")
    assert (sbom.spec_version, len(sbom.components)) == (version, 1)


def test_xml_component_without_name_has_xpath_location() -> None:
    doc = (
        b'<bom xmlns="http://cyclonedx.org/schema/bom/1.4"><components>'
        b'<component type="library"><name>a</name></component>'
        b'<component type="library"><version>1</version></component></components></bom>'
    )
    with pytest.raises(SbomError) as info:
        XML.read(doc, source="n.xml")
    assert (info.value.location, info.value.field) == ("/bom/components/component[2]", "name")


@pytest.mark.parametrize(
    "doc",
    [
        b'<?xml version="1.0"?><!DOCTYPE bom [<!ENTITY x "boom">]><bom xmlns="http://cyclonedx.org/schema/bom/1.4">&x;</bom>',
        b'<?xml version="1.0"?><!DOCTYPE bom SYSTEM "http://evil.example/bom.dtd"><bom xmlns="http://cyclonedx.org/schema/bom/1.4"/>',
    ],
)
def test_xml_with_dtd_or_entities_is_refused(doc: bytes) -> None:
    with pytest.raises(SbomError, match="DTD or entity declarations is refused") as info:
        XML.read(doc, source="evil.xml")
    assert info.value.source == "evil.xml"


def test_xml_not_well_formed_gives_line() -> None:
    with pytest.raises(SbomError, match="not well-formed XML") as info:
        XML.read(b'<bom xmlns="http://cyclonedx.org/schema/bom/1.4">\n<components>\n</bom>', source="x.xml")
    assert info.value.location.startswith("line 3")


def test_xml_wrong_root_is_refused() -> None:
    with pytest.raises(SbomError, match="root element must be <bom>"):
        XML.read(b"<bom><components/></bom>", source="x.xml")


def test_duplicate_bom_ref_names_the_first_two_components_sharing_it() -> None:
    comps: list[dict[str, object]] = [{"name": f"lib{i}", "version": "1", "bom-ref": "dup"} for i in range(4)]
    data = bom(comps, dependencies=[{"ref": "dup", "dependsOn": ["dup"]}])
    with pytest.raises(SbomError) as info:
        read_sbom(data, source="dup.json")
    text = str(info.value)
    assert "dup.json: /components/1: field 'bom-ref': bom-ref 'dup' is used by two components" in text
    assert "'lib0' at /components/0" in text and "'lib1' here" in text


def test_duplicate_bom_ref_between_subject_and_component_in_xml() -> None:
    data = (
        b'<bom xmlns="http://cyclonedx.org/schema/bom/1.5"><metadata><component type="device" '
        b'bom-ref="x"><name>pump</name></component></metadata><components>'
        b'<component type="library" bom-ref="x"><name>lib</name></component></components></bom>'
    )
    with pytest.raises(SbomError, match=r"/bom/components/component\[1\].*'pump' at /bom/metadata/component"):
        XML.read(data, source="dup.xml")


def test_component_limit_stops_the_walk_and_names_the_limit() -> None:
    data = bom([{"name": f"c{i}", "bom-ref": f"r{i}"} for i in range(11)])
    limits = SbomLimits(max_components=10)
    with pytest.raises(SbomTooLargeError) as info:
        read_sbom(data, source="big.json", limits=limits)
    assert str(info.value) == (
        "big.json: /components/10: more than 10 components (found 11 so far): over the limit of "
        "10 components per document (MEDVIGIL_SBOM_MAX_COMPONENTS)"
    )
    assert len(read_sbom(data, source="ok.json", limits=SbomLimits(max_components=11)).components) == 11


def test_nesting_limit_names_the_limit() -> None:
    nested: dict[str, object] = {"name": "leaf"}
    for level in range(4):
        nested = {"name": f"level{level}", "components": [nested]}
    with pytest.raises(SbomTooLargeError, match=r"nested more than 3 levels deep.*MEDVIGIL_SBOM_MAX_DEPTH"):
        read_sbom(bom([nested]), source="deep.json", limits=SbomLimits(max_depth=3))
    assert len(read_sbom(bom([nested]), source="deep.json", limits=SbomLimits(max_depth=5)).components) == 5


def test_default_nesting_limit_refuses_500_levels() -> None:
    text = (
        '{"bomFormat":"CycloneDX","components":'
        + '[{"name":"n","components":' * 500
        + "[]"
        + "}]" * 500
        + "}"
    )
    with pytest.raises(SbomTooLargeError, match="over the limit of 32 levels"):
        read_sbom(text.encode(), source="deep.json")


def test_a_byte_that_is_not_utf8_is_located_by_offset_line_and_column() -> None:
    data = b'{"bomFormat": "CycloneDX",\n "specVersion": "1.5", "metadata": {"component": {"name": "pump-'
    data += b"x" * 30
    data += b'\xff"}}}'
    assert data.index(b"\xff") == 121
    with pytest.raises(SbomError) as info:
        read_sbom(data, source="bom.json")
    assert info.value.location == "line 2 column 95 (byte 121)"
    assert "not UTF-8: byte 0xff" in info.value.diagnostics()
