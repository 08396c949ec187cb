"""Package-name equivalence per ecosystem, shared by the core-engine and database-backed tests.

Each case is an OSV ``affected[].package`` (ecosystem, name as the advisory spells it) and a
component purl; ``same`` says whether the ecosystem treats them as one package. Names cover
``-``, ``_``, ``.`` and upper case. The rules, and where they come from:

* PyPI: PEP 503 (case-insensitive; runs of ``-_.`` are one ``-``).
* crates.io: case-insensitive, ``-`` and ``_`` equivalent (crates.io refuses a new crate equal to
  an existing one under that folding, and its index paths are lower case); ``.`` is not allowed.
* npm: punctuation is significant (``lodash.merge`` and ``lodash-merge`` are different packages).
  Case is folded: purl (ECMA-427, npm type) declares npm names case-insensitive and tells
  producers to lower-case them, and packageurl-python / packageurl-js do, so an SBOM's purl for
  the legacy ``JSONStream`` reads ``jsonstream``. Keeping case would miss every such component;
  the cost is that the pre-2017 pair JSONStream / jsonstream is joined (a possible extra finding
  for an analyst, never a missed one). New upper-case names have been refused since npm 1.x.
* Go: module paths are case-sensitive (the module proxy escapes upper case as ``!x``; the go
  command refuses a path whose case differs from the module's own), and punctuation is kept.
* Maven: ``group:artifact``, case-sensitive, punctuation kept.
* NuGet: package ids are case-insensitive (nuget.org, the flat-container API lower-cases them);
  ``.`` is part of the id.
* RubyGems: case-sensitive names (Bundler: "Could not find gem 'redcloth'... Did you mean
  RedCloth?"), ``-`` and ``_`` distinct.
* Packagist (Composer): ``vendor/package`` case-insensitive, lower case by convention and purl.
* Hex, Pub: lower case only (``[a-z0-9_]``); purl lower-cases; ``_`` is not ``-``.
* Debian, Alpine: lower-case package names (policy); ``-``/``.``/``+`` significant; the
  distribution (purl namespace) is part of the key.
"""

from __future__ import annotations

from typing import NamedTuple


class NameCase(NamedTuple):
    ecosystem: str
    advisory_name: str
    purl: str
    same: bool

    @property
    def id(self) -> str:
        return f"{self.ecosystem}:{self.advisory_name}~{self.purl.split('@', 1)[0]}"


def _cases(ecosystem: str, name: str, version: str, *purls: tuple[str, bool]) -> list[NameCase]:
    return [NameCase(ecosystem, name, f"{purl}@{version}", same) for purl, same in purls]


NAME_CASES: list[NameCase] = [
    *_cases(
        "PyPI", "Zope.Interface", "1.5.0",
        ("pkg:pypi/zope.interface", True), ("pkg:pypi/zope-interface", True),
        ("pkg:pypi/Zope_Interface", True), ("pkg:pypi/zope-_.interface", True),
        ("pkg:pypi/ZOPE.INTERFACE", True), ("pkg:pypi/zopeinterface", False),
        ("pkg:pypi/zope.interfaces", False),
    ),
    *_cases(
        "crates.io", "once_cell", "1.5.0",
        ("pkg:cargo/once_cell", True), ("pkg:cargo/once-cell", True), ("pkg:cargo/Once_Cell", True),
        ("pkg:cargo/ONCE-CELL", True), ("pkg:cargo/once.cell", False), ("pkg:cargo/oncecell", False),
    ),
    *_cases(
        "crates.io", "Tokio-Util", "1.5.0",
        ("pkg:cargo/tokio_util", True), ("pkg:cargo/tokio-util", True), ("pkg:cargo/tokio__util", False),
    ),
    *_cases(
        "npm", "JSONStream", "1.5.0",
        ("pkg:npm/JSONStream", True), ("pkg:npm/jsonstream", True),
        ("pkg:npm/json-stream", False), ("pkg:npm/json_stream", False), ("pkg:npm/json.stream", False),
    ),
    *_cases(
        "npm", "lodash.merge", "1.5.0",
        ("pkg:npm/lodash.merge", True), ("pkg:npm/Lodash.Merge", True),
        ("pkg:npm/lodash-merge", False), ("pkg:npm/lodash_merge", False),
    ),
    *_cases(
        "npm", "@babel/core", "1.5.0",
        ("pkg:npm/%40babel/core", True), ("pkg:npm/%40Babel/Core", True),
        ("pkg:npm/core", False), ("pkg:npm/%40babel/core-js", False), ("pkg:npm/%40babel-x/core", False),
    ),
    *_cases(
        "npm", "socket.io-parser", "1.5.0",
        ("pkg:npm/socket.io-parser", True), ("pkg:npm/socket-io-parser", False),
        ("pkg:npm/socket.io_parser", False),
    ),
    *_cases(
        "Go", "github.com/BurntSushi/toml", "v1.5.0",
        ("pkg:golang/github.com/BurntSushi/toml", True), ("pkg:golang/github.com/burntsushi/toml", False),
        ("pkg:golang/github.com/Burnt_Sushi/toml", False), ("pkg:golang/github.com/Burnt-Sushi/toml", False),
    ),
    *_cases(
        "Go", "gopkg.in/yaml.v2", "v1.5.0",
        ("pkg:golang/gopkg.in/yaml.v2", True), ("pkg:golang/gopkg.in/yaml-v2", False),
        ("pkg:golang/gopkg.in/yaml_v2", False),
    ),
    *_cases(
        "Maven", "org.apache.logging.log4j:log4j-core", "1.5.0",
        ("pkg:maven/org.apache.logging.log4j/log4j-core", True),
        ("pkg:maven/org.apache.logging.log4j/log4j_core", False),
        ("pkg:maven/org.apache.logging.log4j/log4j.core", False),
        ("pkg:maven/org.apache.logging.log4j/Log4j-Core", False),
        ("pkg:maven/org-apache-logging-log4j/log4j-core", False),
        ("pkg:maven/log4j-core", False),
    ),
    *_cases(
        "NuGet", "Newtonsoft.Json", "1.5.0",
        ("pkg:nuget/Newtonsoft.Json", True), ("pkg:nuget/newtonsoft.json", True),
        ("pkg:nuget/NEWTONSOFT.JSON", True), ("pkg:nuget/Newtonsoft-Json", False),
        ("pkg:nuget/Newtonsoft_Json", False),
    ),
    *_cases(
        "RubyGems", "RedCloth", "1.5.0",
        ("pkg:gem/RedCloth", True), ("pkg:gem/redcloth", False), ("pkg:gem/red_cloth", False),
    ),
    *_cases(
        "RubyGems", "rack-protection", "1.5.0",
        ("pkg:gem/rack-protection", True), ("pkg:gem/rack_protection", False),
    ),
    *_cases(
        "Packagist", "symfony/http-kernel", "1.5.0",
        ("pkg:composer/symfony/http-kernel", True), ("pkg:composer/Symfony/HTTP-Kernel", True),
        ("pkg:composer/symfony/http_kernel", False), ("pkg:composer/symfony/http.kernel", False),
    ),
    *_cases(
        "Hex", "phoenix_html", "1.5.0",
        ("pkg:hex/phoenix_html", True), ("pkg:hex/Phoenix_HTML", True), ("pkg:hex/phoenix-html", False),
    ),
    *_cases(
        "Pub", "http_parser", "1.5.0",
        ("pkg:pub/http_parser", True), ("pkg:pub/Http_Parser", True), ("pkg:pub/http-parser", False),
    ),
    *_cases(
        "Debian:12", "libxml2", "1.5.0",
        ("pkg:deb/debian/libxml2", True), ("pkg:deb/debian/LibXML2", True),
        ("pkg:deb/debian/libxml-2", False), ("pkg:deb/ubuntu/libxml2", False),
    ),
    *_cases(
        "Alpine:v3.19", "py3-cryptography", "1.5.0",
        ("pkg:apk/alpine/py3-cryptography", True), ("pkg:apk/alpine/py3_cryptography", False),
        ("pkg:apk/alpine/py3.cryptography", False),
    ),
]  # fmt: skip
"""Every case; ids via :attr:`NameCase.id`."""


def osv_doc(case: NameCase, record_id: str = "OSV-2099-0001") -> dict[str, object]:
    """An OSV record affecting ``case``'s package: the range [1.0.0, 2.0.0) and version 1.5.0 listed
    (the list covers ecosystems without version semantics here)."""
    range_type = "SEMVER" if case.ecosystem in ("Go", "crates.io") else "ECOSYSTEM"
    return {
        "schema_version": "1.6.0",
        "id": record_id,
        "modified": "2099-01-01T00:00:00Z",
        "aliases": ["CVE-2099-0001"],
        "affected": [
            {
                "package": {"ecosystem": case.ecosystem, "name": case.advisory_name},
                "ranges": [{"type": range_type, "events": [{"introduced": "1.0.0"}, {"fixed": "2.0.0"}]}],
                "versions": ["1.5.0"],
            }
        ],
    }
