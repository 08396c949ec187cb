"""CPE parsing and attribute/version matching."""

from __future__ import annotations

import pytest

from medvigil.core.matching.cpe import Cpe, CpeCriterion, CpeError, parse_cpe
from medvigil.core.matching.cpe_config import ConfigNode, CpeMatch, evaluate_configurations


def test_parse_formatted_string_with_escapes() -> None:
    cpe = parse_cpe(r"cpe:2.3:a:hp:insight_diagnostics:7.4.0.1570:-:*:*:online:win2003:x64:*")
    assert (cpe.vendor, cpe.version, cpe.update, cpe.target_sw) == ("hp", "7.4.0.1570", "-", "win2003")
    escaped = parse_cpe(r"cpe:2.3:a:foo\:corp:bar\!:1.0\:2:*:*:*:*:*:*:*")
    assert escaped.vendor == r"foo\:corp" and escaped.version == r"1.0\:2"
    assert escaped.vendor_product == r"foo\:corp:bar\!"


def test_parse_uri_binding_with_packed_edition() -> None:
    cpe = parse_cpe("cpe:/a:Microsoft:Internet_Explorer:8.%02:sp%01:~~~windows~x64~")
    assert cpe == Cpe(
        "a", "microsoft", "internet_explorer", "8.*", "sp?", "*", "*", "*", "windows", "x64", "*"
    )
    assert parse_cpe("cpe:/o:microsoft:windows_7::sp1").version == "*"
    assert parse_cpe("cpe:/o:microsoft:windows_7:-:sp1").version == "-"


@pytest.mark.parametrize("bad", ["cpe:2.2:a:x", "not a cpe", "cpe:2.3:" + ":".join(["a"] * 12)])
def test_rejects_malformed(bad: str) -> None:
    with pytest.raises(CpeError):
        parse_cpe(bad)


@pytest.mark.parametrize(
    ("criteria", "target", "expected"),
    [
        (
            "cpe:2.3:o:microsoft:windows_7:-:sp1:*:*:*:*:*:*",
            "cpe:2.3:o:microsoft:windows_7:-:sp1:*:*:*:*:x64:*",
            True,
        ),
        (
            "cpe:2.3:o:microsoft:windows_7:-:sp1:*:*:*:*:*:*",
            "cpe:2.3:o:microsoft:windows_7:-:-:*:*:*:*:*:*",
            False,
        ),
        (
            "cpe:2.3:o:microsoft:windows_7:-:*:*:*:*:*:*:*",
            "cpe:2.3:o:microsoft:windows_7:6.1:*:*:*:*:*:*:*",
            False,
        ),
        ("cpe:2.3:a:vendor:product:1.2*:*:*:*:*:*:*:*", "cpe:2.3:a:vendor:product:1.2.7:*:*:*:*:*:*:*", True),
        ("cpe:2.3:a:vendor:product:1.?:*:*:*:*:*:*:*", "cpe:2.3:a:vendor:product:1.10:*:*:*:*:*:*:*", False),
        ("cpe:2.3:a:vendor:product:1.0:*:*:*:*:*:*:*", "cpe:2.3:a:vendor:product:1.0.0:*:*:*:*:*:*:*", True),
        ("cpe:2.3:a:vendor:product:1.0:*:*:*:*:*:*:*", "cpe:2.3:a:other:product:1.0:*:*:*:*:*:*:*", False),
    ],
)
def test_criterion_matching(criteria: str, target: str, expected: bool) -> None:
    assert CpeCriterion.build(criteria, True).matches(parse_cpe(target)) is expected


def test_version_bounds_with_vendor_strings() -> None:
    crit = CpeCriterion.build(
        "cpe:2.3:a:acme:pump:*:*:*:*:*:*:*:*", True,
        version_start_excluding="8.0", version_end_including="8.1 SP2",
    )  # fmt: skip
    version = "cpe:2.3:a:acme:pump:{}:*:*:*:*:*:*:*"
    probes = ("8.0", "8.0.1", "8.1", "8.1 SP2", "8.1 SP3", "8.2")
    assert [crit.matches(parse_cpe(version.format(v))) for v in probes] == [
        False, True, True, True, False, False,
    ]  # fmt: skip
    assert not crit.matches(parse_cpe("cpe:2.3:a:acme:pump:*:*:*:*:*:*:*:*"))


def test_negated_node_and_bad_criteria() -> None:
    app = CpeMatch("cpe:2.3:a:acme:pump:*:*:*:*:*:*:*:*")
    not_eu = ConfigNode(negate=True, cpe_matches=(CpeMatch("cpe:2.3:a:acme:pump:*:*:*:*:eu:*:*:*", False),))
    root = ConfigNode("AND", children=(ConfigNode(cpe_matches=(app,)), not_eu))
    us = parse_cpe("cpe:2.3:a:acme:pump:1.0:*:*:*:us:*:*:*")
    eu = parse_cpe("cpe:2.3:a:acme:pump:1.0:*:*:*:eu:*:*:*")
    assert evaluate_configurations([root], [us], []).matched
    assert not evaluate_configurations([root], [eu], []).matched
    broken = ConfigNode(cpe_matches=(CpeMatch("cpe:/garbage:::::::::"),))
    assert not evaluate_configurations([broken], [us], []).matched


def test_only_platform_entries_never_match() -> None:
    platform_only = ConfigNode(
        cpe_matches=(CpeMatch("cpe:2.3:o:microsoft:windows_7:*:*:*:*:*:*:*:*", False),)
    )
    win = parse_cpe("cpe:2.3:o:microsoft:windows_7:-:sp1:*:*:*:*:*:*")
    result = evaluate_configurations([platform_only], [win], [])
    assert not result.matched and not result.partial
