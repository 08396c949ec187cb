"""Known CPE pairs from the NVD 1.1 feeds are found, and the nearest unaffected versions are not."""

from __future__ import annotations

import gzip
import json
from functools import cache
from typing import Any

import pytest

from medvigil.core.matching.cpe import parse_cpe
from medvigil.core.matching.cpe_config import ConfigMatch, evaluate_configurations
from medvigil.core.matching.nvd_adapter import nodes_from_nvd11
from tests.conftest import shared_path

URGENT11 = [f"CVE-2019-{n}" for n in range(12255, 12266)]
FREERTOS = [f"CVE-2018-{n}" for n in range(16522, 16529)]


@cache
def _feed(year: str) -> dict[str, dict[str, Any]]:
    wanted = {"CVE-2019-10964", "CVE-2019-0708", *URGENT11, *FREERTOS}
    out = {}
    with gzip.open(shared_path("nvd", "feeds-1.1-yearly", f"nvdcve-1.1-{year}.jsonl.gz"), "rt") as fh:
        for line in fh:
            if '"CVE-' in line[:200]:
                rec = json.loads(line)
                cve = rec["cve"]["CVE_data_meta"]["ID"]
                if cve in wanted:
                    out[cve] = rec["configurations"]
    return out


def _eval(cve: str, cpes: list[str], platforms: list[str] | None = None) -> ConfigMatch:
    configurations = _feed(cve[4:8])[cve]
    return evaluate_configurations(
        nodes_from_nvd11(configurations),
        [parse_cpe(c) for c in cpes],
        None if platforms is None else [parse_cpe(p) for p in platforms],
    )


def _fw(product: str, version: str) -> str:
    return f"cpe:2.3:o:medtronic:{product}_firmware:{version}:*:*:*:*:*:*:*"


def _hw(product: str) -> str:
    return f"cpe:2.3:h:medtronic:{product}:-:*:*:*:*:*:*:*"


@pytest.mark.parametrize(
    ("product", "affected", "unaffected"),
    [
        ("minimed_paradigm_523", ["2.4a", "2.4", "2.4A", "1.0"], ["2.4b", "2.5a", "2.5"]),
        ("minimed_paradigm_veo_554", ["2.6a", "2.6"], ["2.6b", "2.7a"]),
        ("minimed_508", ["1.0", "9.9z"], []),
    ],
)
def test_minimed_firmware_with_vendor_versions(
    product: str, affected: list[str], unaffected: list[str]
) -> None:
    for version in affected:
        result = _eval("CVE-2019-10964", [_fw(product, version)], [_hw(product)])
        assert result.matched, version
        assert {e.match.vulnerable for e in result.evidence} == {True, False}
    for version in unaffected:
        assert not _eval("CVE-2019-10964", [_fw(product, version)], [_hw(product)]).matched, version


def test_minimed_without_known_platform_is_a_partial_match() -> None:
    result = _eval("CVE-2019-10964", [_fw("minimed_paradigm_523", "2.4a")])
    assert (result.matched, result.partial) == (False, True)
    assert [e.match.criteria for e in result.evidence] == [
        "cpe:2.3:o:medtronic:minimed_paradigm_523_firmware:*:*:*:*:*:*:*:*"
    ]


def test_minimed_firmware_on_another_pump_does_not_match() -> None:
    result = _eval("CVE-2019-10964", [_fw("minimed_paradigm_523", "2.4a")], [_hw("minimed_paradigm_522")])
    assert not result.matched and not result.partial


# per CVE: VxWorks versions NVD lists as affected, and the nearest versions it does not
_VXWORKS = {
    "CVE-2019-12255": (["6.6", "6.9"], ["6.5", "6.9.1", "7"]),
    "CVE-2019-12256": (["6.9", "7"], ["6.8", "7.1"]),
    "CVE-2019-12257": (["6.6", "6.9"], ["6.5", "6.9.1"]),
    "CVE-2019-12258": (["6.6", "6.9.4.11", "7"], ["6.5", "6.9.4.12"]),
    "CVE-2019-12259": (["6.6", "6.9", "7"], ["6.5", "6.9.4"]),
    "CVE-2019-12260": (["6.9", "7"], ["6.8", "6.9.4"]),
    "CVE-2019-12261": (["6.7", "6.8.9", "7"], ["6.6", "6.9"]),
    "CVE-2019-12262": (["6.6", "7"], ["6.5", "6.9.4"]),
    "CVE-2019-12263": (["6.9.4", "7"], ["6.9.3", "6.9"]),
    "CVE-2019-12264": (["6.6", "6.9.3", "7"], ["6.5", "6.9"]),
    "CVE-2019-12265": (["6.5", "6.9.4"], ["6.4", "7"]),
}


@pytest.mark.parametrize("cve", URGENT11)
def test_urgent11_vxworks(cve: str) -> None:
    affected, unaffected = _VXWORKS[cve]
    cpe = "cpe:2.3:o:windriver:vxworks:{}:*:*:*:*:*:*:*"
    for version in affected:
        assert _eval(cve, [cpe.format(version)], []).matched, version
    for version in unaffected:
        assert not _eval(cve, [cpe.format(version)], []).matched, version


@pytest.mark.parametrize(
    ("cpe", "expected"),
    [
        ("cpe:2.3:o:microsoft:windows_7:-:sp1:*:*:*:*:*:*", True),
        ("cpe:2.3:o:microsoft:windows_7:-:*:*:*:*:*:*:*", True),  # service pack unknown
        ("cpe:2.3:o:microsoft:windows_server_2008:r2:sp1:*:*:*:*:x64:*", True),
        ("cpe:2.3:o:microsoft:windows_server_2008:r2:sp1:*:*:*:*:arm64:*", False),
        ("cpe:2.3:o:microsoft:windows_8.1:-:*:*:*:*:*:*:*", False),
        ("cpe:2.3:o:microsoft:windows_10:1809:*:*:*:*:*:*:*", False),
    ],
)
def test_bluekeep_on_windows(cpe: str, expected: bool) -> None:
    device_app = "cpe:2.3:a:example:infusion_manager:3.1:*:*:*:*:*:*:*"
    result = _eval("CVE-2019-0708", [device_app], [cpe])
    assert result.matched is expected
    if expected:
        assert result.evidence[0].cpe == parse_cpe(cpe)


@pytest.mark.parametrize("cve", FREERTOS)
def test_freertos(cve: str) -> None:
    cpe = "cpe:2.3:a:amazon:amazon_web_services_freertos:{}:*:*:*:*:*:*:*"
    for version in ("1.3.1", "1.3.0", "1.0"):
        assert _eval(cve, [cpe.format(version)], []).matched, version
    for version in ("1.3.2", "1.4.0"):
        assert not _eval(cve, [cpe.format(version)], []).matched, version
