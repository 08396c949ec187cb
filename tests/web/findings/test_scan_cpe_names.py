"""The database-backed scan finds NVD records whose CPE names quote special characters (NISTIR 7695),
for components that spell the name quoted, unquoted or as a 2.2 URI (issue 9 item 2)."""

from __future__ import annotations

from pathlib import Path

import pytest

from medvigil.core.model import Component
from medvigil.web.advisories.models import CpeIndexEntry
from medvigil.web.advisories.screens import cpe_screens_fill
from medvigil.web.advisories.services import feed_import
from medvigil.web.findings import candidates
from medvigil.web.findings.scan import scan_components

pytestmark = pytest.mark.django_db

ASPOSE, DAJ = "cpe:2.3:a:aspose:aspose.pdf_for_c", "cpe:2.3:a:daj:i-filter_browser_"
FIXTURE = Path(__file__).resolve().parents[2] / "fixtures" / "matching" / "nvd_escaped_cpes.jsonl"
ASPOSE_CVES = {"CVE-2019-5042", "CVE-2019-5066", "CVE-2019-5067"}


def test_quoted_cpe_names_are_found_through_the_candidate_index() -> None:
    feed_import(path=FIXTURE)
    assert ("aspose", r"aspose.pdf_for_c\+\+") in set(CpeIndexEntry.objects.values_list("vendor", "product"))
    components = [
        Component("aspose.pdf", "19.2", cpes=(ASPOSE + r"\+\+:19.2:*:*:*:*:*:*:*",), bom_ref="q"),
        Component("aspose.pdf", "19.2", cpes=(ASPOSE + r"++:19.2:*:*:*:*:*:*:*",), bom_ref="u"),
        Component("aspose.pdf", "19.2", cpes=("cpe:/a:aspose:aspose.pdf_for_c%2b%2b:19.2",), bom_ref="uri"),
        Component("aspose.pdf", "19.3", cpes=(ASPOSE + r"\+\+:19.3:*:*:*:*:*:*:*",), bom_ref="new"),
        Component("i-filter", "4.93r04", bom_ref="daj-q",
                  cpes=(DAJ + r"\&_cloud_multiagent:*:*:*:*:*:windows:*:*",)),
        Component("i-filter", "4.93r02", bom_ref="daj-u",
                  cpes=("cpe:2.3:a:DAJ:i-filter_browser_&_cloud_multiagent:4.93r02:*:*:*:*:*:*:*",)),
        Component("i-filter", "4.93r05", bom_ref="daj-fixed",
                  cpes=(DAJ + r"\&_cloud_multiagent:4.93r05:*:*:*:*:*:*:*",)),
    ]  # fmt: skip
    found = {
        (f["component"]["bom_ref"], f["vulnerability"]["id"]) for f in scan_components(components).findings
    }
    assert found == {
        *((ref, cve) for ref in ("q", "u", "uri") for cve in ASPOSE_CVES),
        ("daj-q", "CVE-2022-21170"),
        ("daj-u", "CVE-2022-21170"),
    }


def _components() -> list[Component]:
    return [
        Component("aspose.pdf", version, cpes=(f"{ASPOSE}\\+\\+:{version}:*:*:*:*:*:*:*",), bom_ref=version)
        for version in ("19.1", "19.2", "19.3", "20.0")
    ] + [
        Component(
            "i-filter", version, cpes=(f"{DAJ}\\&_cloud_multiagent:{version}:*:*:*:*:*:*:*",), bom_ref=version
        )
        for version in ("4.93r02", "4.93r04", "4.93r05")
    ]


def _scan_all() -> list[dict[str, object]]:
    return list(scan_components(_components()).findings)


def test_index_rows_carry_screens_and_rows_stored_without_them_still_match() -> None:
    # The fill after an import stores each index row's compact screen (the scan screens candidates
    # without decoding their configurations); rows not filled (NULL) or in another format are
    # decoded instead, with the same findings.
    feed_import(path=FIXTURE)
    cpe_screens_fill()
    assert not CpeIndexEntry.objects.filter(screen=None).exists()
    candidates._stored_configs.clear()
    with_screens = _scan_all()
    assert len(with_screens) >= 4
    assert not candidates._stored_configs  # no configuration was decoded to screen it
    CpeIndexEntry.objects.update(screen=None)
    assert _scan_all() == with_screens
    assert candidates._stored_configs
    CpeIndexEntry.objects.update(screen="[99]")
    candidates._stored_configs.clear()
    assert _scan_all() == with_screens
    assert candidates._stored_configs
