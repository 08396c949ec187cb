"""Supplier VEX documents read with their detected format (real documents from ../shared)."""

from __future__ import annotations

import pytest

from medvigil.core.errors import InputError
from medvigil.core.feeds.vex import read_vex, read_vex_document
from medvigil.core.model.match import MatchStatus
from tests.conftest import shared_path

pytestmark = pytest.mark.shared_data


def test_formats_and_statements_of_real_documents() -> None:
    cdx = read_vex_document(
        shared_path("sbom", "cyclonedx", "bom-examples", "VEX", "vex.json").read_bytes(), "vex.json"
    )
    assert cdx.format == "cyclonedx-vex"
    (only,) = cdx.assertions
    assert (only.vulnerability_id, only.status, only.justification) == (
        "CVE-2020-25649",
        MatchStatus.NOT_AFFECTED,
        "code_not_reachable",
    )
    assert only.bom_ref == "pkg:maven/com.fasterxml.jackson.core/jackson-databind@2.10.0?type=jar"
    node = read_vex_document(shared_path("vex", "openvex", "nodejs-node.openvex.json").read_bytes(), "n")
    assert node.format == "openvex" and {a.package for a in node.assertions} == {"nodejs:node"}
    cisa = shared_path("csaf", "cisa", "it-vex", "va-24-201-01.json").read_bytes()
    assert read_vex_document(cisa, "va").format == "csaf-vex"
    assert read_vex(cisa, "va") == []  # products named by branches only: nothing to tie to a component


def test_unknown_json_is_refused_naming_the_file() -> None:
    with pytest.raises(InputError, match="x.json: not a CycloneDX, OpenVEX or CSAF document"):
        read_vex_document(b'{"hello": 1}', "x.json")
