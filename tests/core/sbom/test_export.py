"""Exporters: schema-valid, deterministic, and round trips keep what matters."""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
from pathlib import Path

import orjson
import pytest

from medvigil.core.model import Component, ComponentType, Dependency, Hash, ParsedSbom, SupportLevel
from medvigil.core.sbom.export import to_cyclonedx_json, to_spdx_json
from medvigil.core.sbom.registry import read_sbom, read_sbom_file
from medvigil.core.sbom.schema import validate_schema
from tests.conftest import FIXTURES, REPO, shared_path

FIELDS = (
    "name",
    "version",
    "purl",
    "cpes",
    "supplier",
    "type",
    "hashes",
    "licenses",
    "support_level",
    "end_of_support",
)
WHEN = dt.datetime(2024, 6, 1, tzinfo=dt.UTC)
GOLDEN = REPO / "tests" / "golden" / "sbom"


def key(sbom: ParsedSbom) -> list[tuple[object, ...]]:
    """The round-tripped fields; hash algorithms compared by name (SPDX ``SHA1`` is CycloneDX ``SHA-1``)."""

    def one(c: Component) -> tuple[object, ...]:
        hashes = tuple((h.alg.replace("-", ""), h.value) for h in c.hashes)
        return tuple(hashes if f == "hashes" else getattr(c, f) for f in FIELDS)

    return [one(c) for c in sbom.components]


def edges(sbom: ParsedSbom) -> set[tuple[str, str]]:
    return {(d.ref, t) for d in sbom.dependencies for t in d.depends_on}


def cdx(sbom: ParsedSbom) -> ParsedSbom:
    out = to_cyclonedx_json(sbom)
    assert validate_schema(out, source="export", format="cyclonedx-json", spec_version="1.6") == []
    return read_sbom(out, source="export.cdx.json")


def spdx(sbom: ParsedSbom) -> ParsedSbom:
    out = to_spdx_json(sbom, created=WHEN)
    assert validate_schema(out, source="export", format="spdx-json", spec_version="SPDX-2.3") == []
    return read_sbom(out, source="export.spdx.json")


SAMPLE = ParsedSbom(
    format="test",
    spec_version="",
    subject=Component(name="infusion-pump", version="7", bom_ref="pump", type=ComponentType.DEVICE),
    components=(
        Component(
            name="rtos", version="10.4", bom_ref="rtos", parent_ref="pump", type=ComponentType.OPERATING_SYSTEM,  # noqa: E501 - test data
            supplier="Amazon", purl="pkg:github/freertos/freertos-kernel@10.4",
            cpes=("cpe:2.3:o:amazon:freertos:10.4:*:*:*:*:*:*:*", "cpe:/o:amazon:freertos:10.4"),
            hashes=(Hash("SHA-256", "ab" * 32),), licenses=("MIT",),
            support_level=SupportLevel.NO_LONGER_MAINTAINED, end_of_support=dt.date(2025, 3, 1),
        ),
        Component(name="tcp", version="2", bom_ref="tcp", parent_ref="rtos", licenses=("MIT OR Apache-2.0",)),
        Component(name="blob", bom_ref="blob", type=ComponentType.OTHER, licenses=("Acme EULA", "BSD-3-Clause")),  # noqa: E501 - test data
    ),
    dependencies=(Dependency("pump", ("rtos",)), Dependency("rtos", ("tcp", "blob"))),
)  # fmt: skip


def test_cyclonedx_round_trip_keeps_fields_nesting_subject_and_edges() -> None:
    back = cdx(SAMPLE)
    assert key(back) == key(SAMPLE)
    assert [(c.bom_ref, c.parent_ref) for c in back.components] == [
        (c.bom_ref, c.parent_ref) for c in SAMPLE.components
    ]
    assert back.subject is not None and back.subject.name == "infusion-pump"
    assert edges(back) == edges(SAMPLE)


def test_spdx_round_trip_keeps_fields_and_edges_between_components() -> None:
    back = spdx(SAMPLE)
    assert key(back) == key(dataclasses.replace(SAMPLE))
    assert edges(back) == {
        ("SPDXRef-Package-0-rtos-10.4", "SPDXRef-Package-1-tcp-2"),
        ("SPDXRef-Package-0-rtos-10.4", "SPDXRef-Package-2-blob"),
    }


def test_exports_are_deterministic() -> None:
    assert to_cyclonedx_json(SAMPLE) == to_cyclonedx_json(SAMPLE)
    assert to_spdx_json(SAMPLE, created=WHEN) == to_spdx_json(SAMPLE, created=WHEN)


def test_support_fields_are_written_as_medvigil_properties() -> None:
    doc = orjson.loads(to_cyclonedx_json(SAMPLE))
    rtos = doc["metadata"]["component"]["components"][0]
    assert {"name": "medvigil:support_level", "value": "no-longer-maintained"} in rtos["properties"]
    assert {"name": "medvigil:end_of_support", "value": "2025-03-01"} in rtos["properties"]
    assert "medvigil:end_of_support=2025-03-01" in to_spdx_json(SAMPLE, created=WHEN).decode()


REAL = [
    "cyclonedx/bom-examples/SBOM/keycloak-10.0.2/bom.json.gz",
    "cyclonedx/bom-examples/SBOM/juice-shop/v11.1.2/bom.xml",
    "cyclonedx/bom-examples/SBOM/laravel-7.12.0/bom.1.1.xml",
    "cyclonedx/bom-examples/CBOM/Protocol/bom.json",
    "cyclonedx/bom-examples/HBOM/PCIe-SATA-adapter-board/bom.json",
    "spdx/bom-shelter/in-the-wild/grype-sbom.spdx.json.gz",
    "spdx/bom-shelter/in-the-wild/kubernetes-release.spdx",
    "spdx/spdx-spec-examples-v2.3/SPDXTagExample-v2.3.spdx",
    "spdx/spdx-examples/software/example14/spdx2.3/examplemaven-0.0.1-enriched.spdx.json",
    "spdx/spdx-examples/software/example9/spdx3.0/appbomination.spdx3.json",
]


@pytest.mark.shared_data
@pytest.mark.parametrize("rel", REAL)
def test_real_documents_round_trip_through_both_exporters(rel: str) -> None:
    original = read_sbom_file(shared_path("sbom", *rel.split("/")))
    via_cdx = cdx(original)
    assert key(via_cdx) == key(original)
    assert edges(via_cdx) == edges(original)
    via_spdx = spdx(original)
    if original.format.startswith("spdx-"):  # SPDX ids and vocabulary survive unchanged
        assert key(via_spdx) == key(original)
        assert edges(via_spdx) == edges(original)
    else:  # CycloneDX into SPDX: identity fields survive; hash names and some types are re-spelled
        assert [k[:5] for k in key(via_spdx)] == [k[:5] for k in key(original)]


@pytest.mark.parametrize(
    ("fixture", "exporter", "golden"),
    [
        ("cyclonedx/laravel-7.12.0.bom.1.4.json", "spdx", "laravel-7.12.0.spdx.json"),
        ("spdx/SPDXTagExample-v2.3.spdx", "cyclonedx", "SPDXTagExample-v2.3.cdx.json"),
    ],
)
def test_golden_exports(fixture: str, exporter: str, golden: str) -> None:
    sbom = read_sbom_file(FIXTURES / "sbom" / fixture)
    out = to_spdx_json(sbom, created=WHEN) if exporter == "spdx" else to_cyclonedx_json(sbom)
    path = GOLDEN / golden
    if os.environ.get("MEDVIGIL_REGEN_GOLDEN"):
        path.write_bytes(out)
    assert out == Path(path).read_bytes()
