"""OSV range evaluation, enumerated versions and name normalisation."""

from __future__ import annotations

from medvigil.core.matching.ranges import EnumeratedVersions, PreparedRange, is_affected


def _range(events: list[tuple[str, str]], ecosystem: str = "PyPI", kind: str = "ECOSYSTEM") -> PreparedRange:
    return PreparedRange.build(kind, events, ecosystem)


def test_introduced_zero_fixed() -> None:
    r = _range([("introduced", "0"), ("fixed", "1.0.2")], "npm", "SEMVER")
    assert [r.contains(v) for v in ("0.0.1", "1.0.1", "1.0.2-rc.1", "1.0.2", "2.0.0")] == [
        True,
        True,
        True,
        False,
        False,
    ]


def test_multiple_pairs_in_any_order() -> None:
    r = _range(
        [("introduced", "3.0.0"), ("fixed", "3.2.5"), ("introduced", "1.0.0"), ("fixed", "1.0.2")],
        "Go",
        "SEMVER",
    )
    assert [r.contains(v) for v in ("0.9.0", "1.0.0", "1.0.2", "2.0.0", "3.1.0", "3.2.5")] == [
        False,
        True,
        False,
        False,
        True,
        False,
    ]


def test_last_affected_is_inclusive() -> None:
    r = _range([("introduced", "0"), ("last_affected", "2.1.214")], "Maven")
    assert r.contains("2.1.214") and not r.contains("2.1.215")


def test_limit_caps_the_range() -> None:
    r = _range([("introduced", "1.0"), ("limit", "1.5")])
    assert r.contains("1.4") and not r.contains("1.5") and not r.contains("2.0")
    assert _range([("introduced", "1.0"), ("limit", "*")]).contains("99")


def test_same_version_events_keep_record_order() -> None:
    # PYSEC-2023-72 (pyspark): fixed 3.1.1 listed before introduced 3.1.1 joins the pieces,
    # introduced 3.2.0 listed before fixed 3.2.0 leaves [3.2.0, 3.2.2) out (as its list does)
    events = [
        ("introduced", "0"),
        ("fixed", "3.1.1"),
        ("introduced", "3.2.0"),
        ("fixed", "3.2.2"),
        ("introduced", "3.1.1"),
        ("fixed", "3.2.0"),
    ]
    r = _range(events)
    assert [r.contains(v) for v in ("3.1.0", "3.1.1", "3.1.3", "3.2.0", "3.2.1", "3.2.2")] == [
        True,
        True,
        True,
        False,
        False,
        False,
    ]


def test_fixed_then_reintroduced_at_the_same_version_joins_the_intervals() -> None:
    # PYSEC-2022-236 (pyspark): [0, 3.1.1) + [3.1.1, 3.1.3) + [3.2.0, 3.2.2)
    events = [
        ("introduced", "0"),
        ("fixed", "3.1.1"),
        ("introduced", "3.2.0"),
        ("fixed", "3.2.2"),
        ("introduced", "3.1.1"),
        ("fixed", "3.1.3"),
    ]
    r = _range(events)
    assert [r.contains(v) for v in ("3.1.0", "3.1.1", "3.1.2", "3.1.3", "3.2.1", "3.2.2")] == [
        True,
        True,
        True,
        False,
        True,
        False,
    ]


def test_pypi_prerelease_is_below_introduced_final() -> None:
    assert not _range([("introduced", "3.2"), ("fixed", "3.2.19")]).contains("3.2a1")


def test_debian_epoch_and_tilde() -> None:
    r = _range([("introduced", "0"), ("fixed", "1:2.4-1")], "Debian:12")
    assert r.contains("2.9-1") and r.contains("1:2.4~rc1-1") and not r.contains("1:2.4-1")


def test_git_ranges_are_unknown() -> None:
    r = _range([("introduced", "0"), ("fixed", "b42dd4badf803bb9fb71ac34cd9cb0c249262f2c")], "PyPI", "GIT")
    assert r.contains("1.0") is None and not r.evaluable and "commit graph" in r.unknown_reason


def test_invalid_event_or_version_is_unknown_not_false() -> None:
    assert _range([("introduced", "not a version")]).contains("1.0") is None
    assert _range([("introduced", "0"), ("fixed", "2.0")]).contains("2.0.0-final") is None
    assert _range([("introduced", "0")], "Hackage").contains("1.0") is None


def test_enumerated_versions_match_equal_versions() -> None:
    listed = EnumeratedVersions.build(["1.0", "1.1", "0.7.1.fix1"], "PyPI")
    assert listed.contains("1.0.0") and listed.contains("1.1") and listed.contains("0.7.1.fix1")
    assert not listed.contains("1.2") and not listed.contains("0.7.1.fix2")


def test_is_affected_combines_list_and_ranges() -> None:
    git = _range([("introduced", "0"), ("fixed", "abc")], "PyPI", "GIT")
    eco = _range([("introduced", "4.0"), ("fixed", "4.3")])
    listed = EnumeratedVersions.build(["4.0", "4.1", "4.2"], "PyPI")
    assert is_affected("4.2", [git, eco], listed) is True
    assert is_affected("4.3", [git, eco], listed) is False
    assert is_affected("4.3", [git], None) is None
