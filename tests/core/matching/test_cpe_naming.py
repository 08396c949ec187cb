"""CPE 2.3 naming (NISTIR 7695 quoting, unbinding, logical values) and name matching (NISTIR 7696),
on both sides: advisory criteria and inventory CPEs, every special character quoted and not."""

from __future__ import annotations

import string
from pathlib import Path

import pytest

from medvigil.core.feeds.interface import ParsedRecord
from medvigil.core.feeds.nvd import NvdFeed
from medvigil.core.matching.cpe import (
    ANY,
    NA,
    CpeCriterion,
    CpeError,
    parse_cpe,
    quote_value,
    split_key,
    vendor_product_of,
)
from medvigil.core.matching.engine import MatchIndex, match
from medvigil.core.model import Component
from medvigil.core.model.advisory import AdvisoryRecord

ASPOSE, DAJ = "cpe:2.3:a:aspose:aspose.pdf_for_c", "cpe:2.3:a:daj:i-filter_browser_"
FIXTURE = Path(__file__).resolve().parents[2] / "fixtures" / "matching" / "nvd_escaped_cpes.jsonl"
SPECIALS = [c for c in string.punctuation if c not in "_.-"]
"""Printable ASCII characters a formatted string must quote (``_``, ``.``, ``-`` need not)."""
UNQUOTABLE = set("\\:*?")
"""Characters that cannot appear unquoted as literals (escape, separator, wildcards)."""


def _fs(product: str, version: str = "1.0") -> str:
    return f"cpe:2.3:a:acme:{product}:{version}:*:*:*:*:*:*:*"


def _uri(product: str) -> str:
    return f"cpe:/a:acme:{product}:1.0"


def _spellings(c: str) -> list[str]:
    """Every way a producer may write the product ``pro<c>duct``."""
    quoted = [_fs(f"pro\\{c}duct"), _fs(f"PRO\\{c}DUCT"), _uri(f"pro%{ord(c):02x}duct")]
    return quoted if c in UNQUOTABLE else [*quoted, _fs(f"pro{c}duct")]


@pytest.mark.parametrize("c", SPECIALS)
def test_every_special_character_in_every_spelling_names_one_cpe(c: str) -> None:
    names = [parse_cpe(s) for s in _spellings(c)]
    assert all(n == names[0] for n in names), [n.to_fs() for n in names]
    assert names[0].product == f"pro\\{c}duct"  # canonical: quoted, lower case
    assert parse_cpe(names[0].to_fs()) == names[0]  # the formatted string round-trips
    keys = {vendor_product_of(s) for s in _spellings(c)}
    assert keys == {("acme", f"pro\\{c}duct")}
    assert split_key(names[0].vendor_product) == ("acme", f"pro\\{c}duct")


@pytest.mark.parametrize("c", SPECIALS)
def test_every_spelling_of_a_criterion_matches_every_spelling_of_a_component(c: str) -> None:
    for criteria in _spellings(c):
        criterion = CpeCriterion.build(criteria, True)
        for target in _spellings(c):
            assert criterion.matches(parse_cpe(target)), (criteria, target)
        assert not criterion.matches(parse_cpe(_fs("pro_duct")))
        assert not criterion.matches(parse_cpe(_fs(f"pro\\{c}duct", "2.0")))


def test_unquoted_dot_hyphen_underscore_equal_their_quoted_form() -> None:
    assert parse_cpe(_fs(r"a\.b\-c\_d")) == parse_cpe(_fs("a.b-c_d"))
    assert parse_cpe(_fs(r"a\.b\-c\_d")).product == "a.b-c_d"


def test_logical_values_and_quoted_look_alikes() -> None:
    cpe = parse_cpe(r"cpe:2.3:h:acme:pump:-:*:\-:\*:*:*:*:*")
    assert (cpe.version, cpe.update) == (NA, ANY)
    assert cpe.edition == r"\-" and cpe.language == r"\*"  # literal hyphen and asterisk, not NA/ANY
    assert not CpeCriterion.build("cpe:2.3:h:acme:pump:-:*:-:*:*:*:*:*", True).matches(cpe)
    assert CpeCriterion.build(r"cpe:2.3:h:acme:pump:-:*:\-:\*:*:*:*:*", True).matches(cpe)
    assert parse_cpe("cpe:2.3:a:acme:pump").version == ANY  # missing components are ANY
    assert quote_value("4.0(1)+") == r"4.0\(1\)\+" and quote_value("-") == NA and quote_value(" ") == ANY
    assert quote_value("1.*") == r"1.\*"  # a component's version is literal


@pytest.mark.parametrize(
    "bad",
    [
        _fs("pro*duct"),  # an unquoted asterisk inside a value
        _fs("pro?duct"),  # an unquoted question mark inside a value
        _fs("??pro?duct"),
        "cpe:2.3:a:acme:pump:1.0:*:*:*:*:*:*:x\\",  # a lone backslash at the end
        _uri("pro%01duct"),  # the URI's ? wildcard inside a value
        _uri("pro%02duct"),
    ],
)
def test_malformed_values_are_rejected(bad: str) -> None:
    with pytest.raises(CpeError):
        parse_cpe(bad)
    assert vendor_product_of(bad) is None


def test_wildcards_at_both_ends_are_well_formed() -> None:
    assert parse_cpe(_fs("??pro*")).product == "??pro*"
    assert parse_cpe(_uri("%01%01pro%02")).product == "??pro*"
    assert parse_cpe(_fs("*pro?")).product == "*pro?"


@pytest.mark.parametrize(
    ("criteria", "target", "expected"),
    [
        ("pro*", "product", True),
        ("pro*", r"pro\*", True),  # a quoted asterisk is a literal character
        ("*duct", "product", True),
        ("*duct", r"pro\+duct", True),
        ("pro?", "pro", True),  # NISTIR 7696: each ? of a leading/trailing run is zero or one character
        ("pro?", "prod", True),
        ("pro?", "produ", False),
        ("??duct", "roduct", True),
        ("??duct", "duct", True),
        ("??duct", "product", False),
        ("??duct", "xproduct", False),
        (r"pro\*", "product", False),  # a literal asterisk is not a wildcard
        (r"pro\?", "prod", False),
        ("pro*", "pro*", False),  # a target with a wildcard compares undefined: never a match
        ("product", "pro*", False),
        ("*", "pro*", False),
    ],
)
def test_wildcards_in_criteria_and_targets(criteria: str, target: str, expected: bool) -> None:
    assert CpeCriterion.build(_fs(criteria), True).matches(parse_cpe(_fs(target))) is expected


def test_real_nvd_records_with_quoted_names_match_quoted_and_unquoted_components() -> None:
    index = MatchIndex.build(
        item.record
        for item in NvdFeed().parse(FIXTURE)
        if isinstance(item, ParsedRecord) and isinstance(item.record, AdvisoryRecord)
    )
    components = [
        Component("aspose.pdf", "19.2", cpes=(ASPOSE + r"\+\+:19.2:*:*:*:*:*:*:*",)),
        Component("aspose.pdf", "19.2", cpes=(ASPOSE + r"++:19.2:*:*:*:*:*:*:*",)),
        Component("aspose.pdf", "19.3", cpes=(ASPOSE + r"\+\+:19.3:*:*:*:*:*:*:*",)),
        Component("i-filter", "4.93r04", cpes=(DAJ + r"\&_cloud_multiagent:*:*:*:*:*:windows:*:*",)),
        Component("i-filter", "4.93r03", cpes=("cpe:/a:daj:i-filter_browser_%26_cloud_multiagent:4.93r03",)),
        Component("i-filter", "4.93r05", cpes=(DAJ + r"&_cloud_multiagent:4.93r05",)),
    ]  # fmt: skip
    found = {(m.component, m.record_id) for m in match(components, index)}
    aspose = {"CVE-2019-5042", "CVE-2019-5066", "CVE-2019-5067"}
    assert found == {
        *((0, cve) for cve in aspose),
        *((1, cve) for cve in aspose),
        (3, "CVE-2022-21170"),
        (4, "CVE-2022-21170"),
    }
