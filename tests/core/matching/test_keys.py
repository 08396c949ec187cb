"""Package keys: one function for advisories and components, right per ecosystem (core engine)."""

from __future__ import annotations

import pytest

from medvigil.core.feeds.osv import osv_record
from medvigil.core.matching.engine import MatchIndex, match
from medvigil.core.matching.keys import package_key, purl_package_key
from medvigil.core.model import Component
from tests.core.matching.package_name_cases import NAME_CASES, NameCase, osv_doc


@pytest.mark.parametrize("case", NAME_CASES, ids=[c.id for c in NAME_CASES])
def test_engine_joins_exactly_the_names_the_ecosystem_treats_as_one(case: NameCase) -> None:
    index = MatchIndex.build([osv_record(osv_doc(case))])
    component = Component(name=case.purl, version="", purl=case.purl)
    found = [m.record_id for m in match([component], index)]
    assert found == (["OSV-2099-0001"] if case.same else [])


@pytest.mark.parametrize(
    ("ptype", "namespace", "name", "expected"),
    [
        ("pypi", None, "Zope.Interface", "pypi:zope-interface"),
        ("PyPI", None, "typing__extensions", "pypi:typing-extensions"),
        ("npm", "@Babel", "Core", "npm:@babel/core"),
        ("npm", "babel", "core", "npm:@babel/core"),
        ("npm", None, "JSONStream", "npm:jsonstream"),
        ("maven", "org.apache.logging.log4j", "log4j-core", "maven:org.apache.logging.log4j:log4j-core"),
        ("golang", "github.com/BurntSushi", "toml", "golang:github.com/BurntSushi/toml"),
        ("cargo", None, "Serde_JSON", "cargo:serde-json"),
        ("nuget", None, "Newtonsoft.Json", "nuget:newtonsoft.json"),
        ("deb", "debian", "OpenSSL", "deb:debian/openssl"),
        ("pub", None, "Http_Parser", "pub:http_parser"),
        ("gem", None, "Rails", "gem:Rails"),
        ("rpm", "redhat", "OpenSSL", "rpm:redhat/OpenSSL"),
    ],
)
def test_package_key(ptype: str, namespace: str | None, name: str, expected: str) -> None:
    assert package_key(ptype, namespace, name) == expected


def test_purl_package_key_is_package_key_of_the_purl_parts() -> None:
    assert purl_package_key("pkg:cargo/once_cell@0.2.5") == package_key("cargo", None, "once-cell")
    assert purl_package_key("pkg:npm/%40Babel/Core@7?x=y#z") == "npm:@babel/core"
    assert purl_package_key("not a purl") is None
