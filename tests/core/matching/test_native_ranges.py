"""npm semver ranges and vers strings."""

from __future__ import annotations

import pytest

from medvigil.core.matching.native_ranges import RangeSyntaxError, parse_npm_range, parse_vers


@pytest.mark.parametrize(
    ("text", "inside", "outside"),
    [
        (
            ">=1.2.3 <2.0.0 || ^3.1",
            ["1.2.3", "1.9.9", "3.1.0", "3.9.9"],
            ["1.2.2", "2.0.0", "3.0.9", "4.0.0"],
        ),
        ("~1.2.3", ["1.2.3", "1.2.99"], ["1.3.0", "1.2.2"]),
        ("~1", ["1.0.0", "1.99.0"], ["2.0.0"]),
        ("^0.2.3", ["0.2.3", "0.2.9"], ["0.3.0"]),
        ("1.x", ["1.0.0", "1.5.2"], ["2.0.0", "0.9.9"]),
        ("1.2.x || 2.*", ["1.2.0", "1.2.9", "2.7.1"], ["1.3.0", "3.0.0"]),
        ("1.2.3 - 2.3.4", ["1.2.3", "2.3.4"], ["2.3.5", "1.2.2"]),
        ("<1.6.5 || >=1.7.0 <1.7.2", ["1.6.4", "1.7.1", "1.7.2-rc1"], ["1.6.5", "1.7.2"]),
        ("*", ["0.0.1", "9.9.9"], []),
        ("=3.0.0-rc.1", ["3.0.0-rc.1"], ["3.0.0"]),
    ],
)
def test_npm_range(text: str, inside: list[str], outside: list[str]) -> None:
    parsed = parse_npm_range(text)
    assert [parsed.contains(v) for v in inside] == [True] * len(inside)
    assert [parsed.contains(v) for v in outside] == [False] * len(outside)


def test_npm_range_errors() -> None:
    with pytest.raises(RangeSyntaxError):
        parse_npm_range(">= foo")
    assert parse_npm_range("<2.0.0").contains("not-a-version") is None


@pytest.mark.parametrize(
    ("text", "inside", "outside"),
    [
        ("vers:npm/>=1.0.0|<2.0.0|>=3.0.0|<3.2.5", ["1.0.0", "3.1.0"], ["0.9.0", "2.0.0", "3.2.5"]),
        ("vers:pypi/1.0|2.0", ["1.0.0", "2"], ["1.5"]),
        ("vers:deb/>=1:1.0-1|!=1:1.1-1", ["1:1.0-1", "1:2.0-1"], ["1:1.1-1", "0.9-1"]),
        ("vers:generic/<8.2", ["8.1 SP2", "8.1"], ["8.2"]),
        ("vers:all/*", ["anything"], []),
    ],
)
def test_vers(text: str, inside: list[str], outside: list[str]) -> None:
    parsed = parse_vers(text)
    assert all(parsed.contains(v) for v in inside)
    assert not any(parsed.contains(v) for v in outside)


def test_vers_errors() -> None:
    with pytest.raises(RangeSyntaxError):
        parse_vers("vers:npm/>=1.0.0|>=")
