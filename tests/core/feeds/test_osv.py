"""OSV parsing: full PyPI and Go corpora, schema errors, packagings, normalisation."""

from __future__ import annotations

import gzip
import json
import shutil
import zipfile
from pathlib import Path

import pytest

from medvigil.core.errors import FeedParseError
from medvigil.core.feeds.osv import OsvFeed
from medvigil.core.model.advisory import AdvisoryRecord
from tests.conftest import FIXTURES, shared_path
from tests.core.feeds.helpers import Split, advisory, count_lines, parsed, split

BAD_PYPI = {
    "PYSEC-2021-371",
    "PYSEC-2021-424",
    "PYSEC-2021-425",
    "PYSEC-2021-436",
    "PYSEC-2019-155",
    "PYSEC-2017-27",
    "PYSEC-2023-80",
}


@pytest.fixture(scope="module")
def pypi() -> Split:
    return parsed("osv", "osv", "pypi-pypa-advisory-database.jsonl.gz")


def test_pypi_corpus_counts_and_precise_schema_errors(pypi: Split) -> None:
    records, errors = pypi
    path = shared_path("osv", "pypi-pypa-advisory-database.jsonl.gz")
    assert len(records) + len(BAD_PYPI) == count_lines(path)
    assert {e.record_id for e in errors} == BAD_PYPI
    by_id = {e.record_id: e for e in errors}
    bad = by_id["PYSEC-2021-371"]
    assert bad.field == "/affected/0/ranges/0/events/1/fixed"
    assert bad.location.startswith("line ")
    assert "195caac172690456dcdc8cc7a6ca50e05abf8182.patch" in bad.message
    assert all(e.field.startswith("/affected/") for e in errors)
    assert not BAD_PYPI & {advisory(r).id for r in records}


def test_pypi_record_content(pypi: Split) -> None:
    records, _ = pypi
    rec = next(a for a in map(advisory, records) if a.id == "PYSEC-2021-335")
    assert isinstance(rec, AdvisoryRecord)
    assert "CVE-2021-32807" in rec.aliases
    pkg = rec.affected[0]
    assert (pkg.purl, pkg.purl_type, pkg.purl_name) == ("pkg:pypi/accesscontrol", "pypi", "accesscontrol")
    assert pkg.versions == ("4.0", "4.1", "4.2", "5.0", "5.1")
    git, eco = pkg.ranges
    assert git.type == "GIT" and git.repo == "https://github.com/zopefoundation/AccessControl"
    assert [(e.kind, e.value) for e in eco.events] == [
        ("introduced", "4.0"),
        ("fixed", "4.3"),
        ("introduced", "5.0"),
        ("fixed", "5.2"),
    ]
    raw = json.loads(next(r.raw for r in records if advisory(r).id == "PYSEC-2021-335"))
    assert raw["id"] == "PYSEC-2021-335"


def test_go_corpus() -> None:
    path = shared_path("osv", "go-vulndb.jsonl.gz")
    records, errors = split(OsvFeed().parse(path))
    assert errors == []
    assert len(records) == count_lines(path)
    rec = next(a for a in map(advisory, records) if a.id == "GO-2020-0001")
    pkg = rec.affected[0]
    assert (pkg.purl_namespace, pkg.purl_name) == ("github.com/gin-gonic", "gin")
    assert pkg.ranges[0].type == "SEMVER"
    assert json.loads(pkg.ecosystem_specific_json or "{}")["imports"][0]["path"] == "github.com/gin-gonic/gin"


def test_ghsa_conversion_testdata_parses_and_graphql_form_is_rejected() -> None:
    folder = shared_path("osv", "osv-schema-ghsa-conversion-testdata")
    for path in sorted(folder.glob("*.osv.json")):
        records, errors = split(OsvFeed().parse(path))
        assert errors == [] and len(records) == 1, path.name
    withdrawn = advisory(split(OsvFeed().parse(folder / "withdrawn.osv.json"))[0][0])
    assert withdrawn.withdrawn is not None and withdrawn.aliases == ("CVE-2015-3227",)
    normalised = advisory(split(OsvFeed().parse(folder / "pypi_normalize.osv.json"))[0][0])
    raw_name = json.loads((folder / "pypi_normalize.osv.json").read_text())["affected"][0]["package"]["name"]
    assert normalised.affected[0].purl_name == raw_name.lower().replace("_", "-").replace(".", "-")
    with pytest.raises(FeedParseError, match="not an OSV record"):
        list(OsvFeed().parse(folder / "withdrawn.json"))


def test_folder_zip_and_single_file(tmp_path: Path) -> None:
    src = FIXTURES / "feeds" / "osv"
    records, errors = split(OsvFeed().parse(src))
    assert sorted(advisory(r).id for r in records) == ["GO-2020-0001", "PYSEC-2021-335"]
    assert [(e.record_id, e.location) for e in errors] == [("PYSEC-2021-371", "PYSEC-2021-371.json")]
    archive = tmp_path / "all.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for path in src.glob("*.json"):
            zf.write(path, path.name)
    zrecords, zerrors = split(OsvFeed().parse(archive))
    assert len(zrecords) == 2 and len(zerrors) == 1
    single = split(OsvFeed().parse(src / "GO-2020-0001.json"))[0]
    assert advisory(single[0]).id == "GO-2020-0001"


def test_jsonl_with_bad_line_continues(tmp_path: Path) -> None:
    path = tmp_path / "mixed.jsonl"
    good = (FIXTURES / "feeds" / "osv" / "GO-2020-0001.json").read_text().replace("\n", "")
    path.write_text(f"{good}\n{{not json\n{good}\n")
    records, errors = split(OsvFeed().parse(path))
    assert len(records) == 2
    assert errors[0].location == "line 2" and "not valid JSON" in errors[0].message


def test_truncated_archives_fail_the_whole_input(tmp_path: Path) -> None:
    src = shared_path("osv", "go-vulndb.jsonl.gz")
    cut = tmp_path / "go.jsonl.gz"
    cut.write_bytes(src.read_bytes()[:200_000])
    with pytest.raises(FeedParseError, match="truncated or corrupt"):
        list(OsvFeed().parse(cut))
    archive = tmp_path / "all.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf, gzip.open(src, "rb") as fh:
        for number, line in enumerate(fh):
            zf.writestr(f"{number}.json", line)
    broken = tmp_path / "broken.zip"
    broken.write_bytes(archive.read_bytes()[: archive.stat().st_size // 2])
    with pytest.raises(FeedParseError, match="zip"):
        list(OsvFeed().parse(broken))
    shutil.rmtree(tmp_path, ignore_errors=True)
