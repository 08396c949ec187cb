"""The parser registry lists every module, and detection recognises each source's files."""

from __future__ import annotations

import pkgutil
from pathlib import Path

import pytest

import medvigil.core.feeds as feeds_pkg
from medvigil.core.errors import FeedParseError
from medvigil.core.feeds.registry import DETECTION_ORDER, FEED_PARSERS, detect_source, parser_for
from tests.conftest import shared_path

HELPER_MODULES = {"_io", "_purl", "interface", "registry", "validation", "csaf_tree", "sync", "vex"}
"""Modules of the feeds package that are not parsers (``sync``: online fetchers; ``vex``: supplier VEX)."""


def test_registry_lists_every_parser_module() -> None:
    modules = {m.name for m in pkgutil.iter_modules(feeds_pkg.__path__)} - HELPER_MODULES
    registered = {type(p).__module__.rsplit(".", 1)[1] for p in FEED_PARSERS.values()}
    assert registered == modules
    assert set(DETECTION_ORDER) == set(FEED_PARSERS)
    assert all(key == parser.source_id for key, parser in FEED_PARSERS.items())


@pytest.mark.parametrize(
    ("parts", "expected"),
    [
        (("osv", "pypi-pypa-advisory-database.jsonl.gz"), "osv"),
        (("osv", "go-vulndb.jsonl.gz"), "osv"),
        (("osv", "osv-schema-ghsa-conversion-testdata", "withdrawn.osv.json"), "osv"),
        (("nvd", "feeds-1.1-yearly", "nvdcve-1.1-2019.jsonl.gz"), "nvd"),
        (("nvd", "feeds-1.1-modified-recent", "nvdcve-1.1-recent_2020-03-07.json.gz"), "nvd"),
        (("nvd", "api-2.0-samples", "nvd-cve-api-2.0-page-2023-10-18.json"), "nvd"),
        (("cve-json5", "cisa-vulnrichment.jsonl.gz"), "cve5"),
        (("kev", "known_exploited_vulnerabilities.json"), "kev"),
        (("kev", "known_exploited_vulnerabilities.csv"), "kev"),
        (("epss", "emba-epss-scores-by-cve.csv.gz"), "epss"),
        (("epss", "first-epss-csv-format-sample.csv"), "epss"),
        (("csaf", "cisa", "icsma", "icsma-19-178-01.json"), "csaf"),
        (("csaf", "cisa", "it-vex", "va-24-201-01.json"), "csaf"),
        (("csaf", "cisa", "icsma"), "csaf"),
    ],
)
def test_detect_source(parts: tuple[str, ...], expected: str) -> None:
    assert detect_source(shared_path(*parts)) == expected


@pytest.mark.parametrize(
    "parts",
    [
        ("kev", "known_exploited_vulnerabilities_schema.json"),
        ("osv", "osv-schema-ghsa-conversion-testdata", "withdrawn.json"),
        ("csaf", "cisa", "feeds", "cisa-csaf-it-feed-tlp-white.json"),
        ("nvd", "feeds-1.1-yearly", "nvdcve-1.1-2019.meta.json"),
    ],
)
def test_files_that_are_no_feed_are_rejected(parts: tuple[str, ...]) -> None:
    with pytest.raises(FeedParseError, match="unrecognised feed format"):
        detect_source(shared_path(*parts))


def test_missing_path_and_unknown_source(tmp_path: Path) -> None:
    with pytest.raises(FeedParseError, match="no such file"):
        detect_source(tmp_path / "absent.json")
    (tmp_path / "x.json").write_text("{}")
    with pytest.raises(FeedParseError, match="unknown feed source"):
        parser_for(tmp_path / "x.json", "ghsa")
