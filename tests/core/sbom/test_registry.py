"""Reader registry, format detection, size limits and gzip handling."""

from __future__ import annotations

import gzip
import zlib
from pathlib import Path

import orjson
import pytest

import medvigil.core.sbom as sbom_pkg
from medvigil.core.errors import SbomError, SbomTooLargeError, UnsupportedFormatError
from medvigil.core.sbom.interface import ReaderRegistry
from medvigil.core.sbom.lockfiles import LOCKFILE_READERS
from medvigil.core.sbom.registry import READERS, SBOM_READERS, detect_format, read_sbom, read_sbom_file
from tests.conftest import FIXTURES

CDX = orjson.dumps({"bomFormat": "CycloneDX", "specVersion": "1.5", "components": [{"name": "a"}]})


def test_registry_lists_every_reader_module() -> None:
    folder = Path(sbom_pkg.__file__).parent
    not_readers = {"__init__", "interface", "registry", "schema", "export", "diff", "horizon", "limits"}
    modules = {
        p.stem for p in folder.glob("*.py") if not p.stem.startswith("_") and p.stem not in not_readers
    }
    assert {type(r).__module__.rpartition(".")[2] for r in SBOM_READERS.values()} == modules


def test_registry_keys_are_format_ids_and_include_lockfiles() -> None:
    assert all(key == reader.format_id for key, reader in READERS.items())
    assert set(LOCKFILE_READERS) <= set(READERS)
    assert list(READERS)[: len(SBOM_READERS)] == list(SBOM_READERS)


@pytest.mark.parametrize(
    ("name", "data", "expected"),
    [
        ("bom.json", CDX, "cyclonedx-json"),
        ("x", b'<?xml version="1.0"?><bom xmlns="http://cyclonedx.org/schema/bom/1.4"/>', "cyclonedx-xml"),
        ("s.json", b'{"files": [{"SPDXID": "SPDXRef-F"}], "spdxVersion": "SPDX-2.2"}', "spdx-json"),
        ("s.spdx", b"SPDXVersion: SPDX-2.2\nDataLicense: CC0-1.0\n", "spdx-tag-value"),
        ("s.yaml", b"---\nSPDXID: SPDXRef-DOCUMENT\nspdxVersion: SPDX-2.3\n", "spdx-yaml"),
        ("s.xml", b"<?xml version='1.0'?><Document><SPDXID>SPDXRef-DOCUMENT</SPDXID></Document>", "spdx-xml"),
        ("s.rdf", b'<rdf:RDF xmlns:spdx="http://spdx.org/rdf/terms#" xmlns:rdf="x">', "spdx-rdf"),
        (
            "s3.json",
            b'{"@context": "https://spdx.org/rdf/3.0.1/spdx-context.jsonld", "@graph": []}',
            "spdx3-jsonld",
        ),
    ],
)
def test_detects_each_format(name: str, data: bytes, expected: str) -> None:
    assert detect_format(name, data) == expected


def test_unknown_content_names_the_file() -> None:
    with pytest.raises(UnsupportedFormatError) as info:
        detect_format("notes.txt", b"hello")
    assert info.value.source == "notes.txt"
    assert "cyclonedx-json" in str(info.value)


def test_forced_format_wins_and_unknown_id_lists_valid_ones() -> None:
    with pytest.raises(SbomError, match="'bomFormat'"):
        read_sbom(b'{"spdxVersion": "SPDX-2.3"}', source="s.json", format="cyclonedx-json")
    with pytest.raises(UnsupportedFormatError, match="unknown format 'cdx'; valid formats: cyclonedx-json"):
        read_sbom(CDX, source="b.json", format="cdx")


def test_gzip_is_transparent() -> None:
    assert read_sbom(gzip.compress(CDX), source="b.json.gz").components[0].name == "a"


def test_multi_member_gzip() -> None:
    half = len(CDX) // 2
    data = gzip.compress(CDX[:half]) + gzip.compress(CDX[half:])
    assert len(read_sbom(data, source="b.json.gz").components) == 1


def test_truncated_gzip_is_refused() -> None:
    with pytest.raises(SbomError, match="gzip data is truncated"):
        read_sbom(gzip.compress(CDX)[:-12], source="b.json.gz")


def test_size_limit_on_raw_input() -> None:
    with pytest.raises(SbomTooLargeError, match="larger than the limit of 100 bytes") as info:
        read_sbom(CDX + b" " * 100, source="big.json", max_bytes=100)
    assert info.value.source == "big.json"


def test_gzip_bomb_stops_at_the_limit() -> None:
    # 1 GiB of zeros in about 1 MB (1,024 gzip members of 1 MiB each): refused without inflating it all
    member = gzip.compress(b"\0" * (1 << 20), compresslevel=9)
    bomb = member * 1024
    assert len(bomb) < 2 << 20
    with pytest.raises(SbomTooLargeError, match="decompressed document is larger than the limit"):
        read_sbom(bomb, source="bomb.json.gz", max_bytes=10 << 20)


def test_single_member_gzip_bomb_stops_at_the_limit() -> None:
    comp = zlib.compressobj(9, zlib.DEFLATED, 31)
    bomb = b"".join(comp.compress(b"\0" * (1 << 20)) for _ in range(64)) + comp.flush()
    with pytest.raises(SbomTooLargeError):
        read_sbom(bomb, source="bomb.json.gz", max_bytes=8 << 20)


def test_read_sbom_file_checks_size_before_reading(tmp_path: Path) -> None:
    path = tmp_path / "bom.json"
    path.write_bytes(CDX)
    assert read_sbom_file(path).format == "cyclonedx-json"
    with pytest.raises(SbomTooLargeError):
        read_sbom_file(path, max_bytes=10)
    with pytest.raises(SbomError, match="cannot read file"):
        read_sbom_file(tmp_path / "missing.json")


def test_fixture_reads_through_registry() -> None:
    sbom = read_sbom_file(FIXTURES / "sbom/cyclonedx/laravel-7.12.0.bom.1.4.json")
    assert (sbom.format, sbom.spec_version, len(sbom.components)) == ("cyclonedx-json", "1.4", 62)


def test_a_reader_registered_under_another_format_id_is_refused() -> None:
    wrong = ReaderRegistry([("spdx-json", "medvigil.core.sbom.cyclonedx_json:CycloneDxJsonReader")])
    assert "spdx-json" in wrong and list(wrong) == ["spdx-json"]
    with pytest.raises(RuntimeError, match="registered as 'spdx-json'"):
        wrong["spdx-json"]
