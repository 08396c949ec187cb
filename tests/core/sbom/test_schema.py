"""Schema checks for CycloneDX JSON and SPDX 2 JSON."""

from __future__ import annotations

from typing import Any

import orjson
import pytest

from medvigil.core.errors import UnsupportedFormatError
from medvigil.core.sbom.schema import validate_schema
from tests.conftest import FIXTURES


@pytest.mark.parametrize("version", ["1.2", "1.3", "1.4", "1.5", "1.6"])
def test_valid_cyclonedx_passes_every_version(version: str) -> None:
    doc = {
        "bomFormat": "CycloneDX",
        "specVersion": version,
        "version": 1,
        "components": [{"type": "library", "name": "a", "version": "1"}],
    }
    assert validate_schema(orjson.dumps(doc), source="b", format="cyclonedx-json", spec_version=version) == []


def test_cyclonedx_violations_carry_json_pointers() -> None:
    doc = {
        "bomFormat": "CycloneDX", "specVersion": "1.6", "version": 1,
        "components": [{"type": "library", "name": "ok"}, {"type": "gadget", "name": "x", "licenses": [{"license": {"id": "NOT-A-LICENSE"}}]}],  # noqa: E501 - test data
    }  # fmt: skip
    problems = validate_schema(orjson.dumps(doc), source="b", format="cyclonedx-json", spec_version="1.6")
    assert any(p.startswith('/components/1/type: "gadget" is not one of') for p in problems)
    assert any(p.startswith("/components/1/licenses: ") for p in problems)


def test_spdx_fixture_is_valid_and_broken_one_is_not() -> None:
    data = (FIXTURES / "sbom/spdx/03-SBOMwDependency.json").read_bytes()
    assert validate_schema(data, source="s", format="spdx-json", spec_version="SPDX-2.3") == []
    doc = orjson.loads(data)
    del doc["packages"][1]["downloadLocation"]
    problems = validate_schema(orjson.dumps(doc), source="s", format="spdx-json", spec_version="SPDX-2.3")
    assert problems == ['/packages/1: "downloadLocation" is a required property']


def test_spdx_22_is_checked_against_23_and_says_so() -> None:
    doc = {"spdxVersion": "SPDX-2.2", "SPDXID": "SPDXRef-DOCUMENT"}
    problems = validate_schema(orjson.dumps(doc), source="s", format="spdx-json", spec_version="SPDX-2.2")
    assert problems[0] == "note: SPDX-2.2 is checked against the SPDX 2.3 schema"
    assert len(problems) > 1


@pytest.mark.parametrize(("fmt", "version"), [("cyclonedx-json", "1.1"), ("spdx3-jsonld", "3.0.1")])
def test_no_schema_is_an_explicit_error(fmt: str, version: str) -> None:
    with pytest.raises(UnsupportedFormatError, match="no schema for"):
        validate_schema(b"{}", source="s", format=fmt, spec_version=version)


def _cdx(n: int) -> dict[str, Any]:
    comps = [
        {"type": "library", "bom-ref": f"r{i}", "name": f"p{i}", "version": "1", "purl": f"pkg:npm/p{i}@1"}
        for i in range(n)
    ]
    return {"bomFormat": "CycloneDX", "specVersion": "1.5", "version": 1, "components": comps}


def test_unique_items_failure_points_at_the_duplicate_element() -> None:
    doc = _cdx(3)
    doc["components"].append(dict(doc["components"][1]))
    problems = validate_schema(orjson.dumps(doc), source="b", format="cyclonedx-json", spec_version="1.5")
    assert problems == ["/components/3: equal to /components/1; items must be unique"]


def test_schema_check_of_8000_components_is_linear_not_quadratic() -> None:
    """python-jsonschema's uniqueItems took 36 s here (every pair compared)."""
    import time

    doc = _cdx(8000)
    doc["components"].append(dict(doc["components"][5]))
    start = time.perf_counter()
    problems = validate_schema(orjson.dumps(doc), source="b", format="cyclonedx-json", spec_version="1.5")
    assert time.perf_counter() - start < 3
    assert problems == ["/components/8000: equal to /components/5; items must be unique"]


def test_cyclonedx_xml_is_checked_against_its_xsd_with_line_and_path() -> None:
    from medvigil.core.sbom.schema import check_sbom

    ok = (
        b'<?xml version="1.0"?>\n'
        b'<bom xmlns="http://cyclonedx.org/schema/bom/1.4" version="1">\n<components>\n'
        b'<component type="library"><name>a</name><version>1</version></component>\n'
    )
    bad = ok + b'<component type="gadget"><name>b</name><version>1</version></component>\n'
    _, good = check_sbom(ok + b"</components>\n</bom>\n", source="ok.xml")
    assert good.valid and good.checked_with == "XSD bom-1.4.xsd"
    _, result = check_sbom(bad + b"</components>\n</bom>\n", source="bad.xml")
    assert len(result.problems) == 1
    assert result.problems[0].startswith(
        "line 5: /bom/components/component[2]: Element 'component', attribute 'type'"
    )


def test_xml_with_an_entity_is_refused_before_any_check() -> None:
    from medvigil.core.errors import SbomError
    from medvigil.core.sbom.schema import check_sbom

    data = b'<?xml version="1.0"?><!DOCTYPE bom [<!ENTITY x "y">]><bom xmlns="http://cyclonedx.org/schema/bom/1.4"/>'
    with pytest.raises(SbomError, match="DTD or entity declarations is refused"):
        check_sbom(data, source="e.xml")


def test_lockfile_check_parses_and_counts() -> None:
    from medvigil.core.sbom.schema import check_sbom

    lock = (
        b'{"name": "x", "lockfileVersion": 3, '
        b'"packages": {"": {"name": "x"}, "node_modules/a": {"version": "1.0.0"}}}'
    )
    parsed, result = check_sbom(lock, source="package-lock.json")
    assert result.valid and result.checked_with.startswith("package-lock parser")
    assert result.notes == ("parsed 1 packages; lockfiles are checked by parsing only",)
