"""The lockfile registry lists every reader module, and sniffing is strict."""

from __future__ import annotations

import gzip
import importlib
import pkgutil
from pathlib import Path

import pytest

import medvigil.core.sbom.lockfiles as lockfiles
from medvigil.core.sbom.interface import SbomReader
from medvigil.core.sbom.lockfiles import LOCKFILE_READERS
from tests.conftest import shared_path
from tests.core.sbom.lockfiles.conftest import LOCKFILE_FIXTURES

HEAD = 64 * 1024


def _reader_classes(module_name: str) -> list[type[SbomReader]]:
    module = importlib.import_module(f"{lockfiles.__name__}.{module_name}")
    return [
        obj
        for obj in vars(module).values()
        if isinstance(obj, type) and issubclass(obj, SbomReader) and obj.__module__ == module.__name__
    ]


def test_registry_lists_every_reader_module() -> None:
    modules = {m.name for m in pkgutil.iter_modules(lockfiles.__path__) if not m.name.startswith("_")}
    registered = {type(reader).__module__.rsplit(".", 1)[1] for reader in LOCKFILE_READERS.values()}
    assert modules == registered
    for name in modules:
        classes = _reader_classes(name)
        assert classes, f"{name} defines no reader"
        for cls in classes:
            assert isinstance(LOCKFILE_READERS.get(cls.format_id), cls), f"{cls.__name__} is not registered"


def test_registry_keys_are_format_ids() -> None:
    assert all(key == reader.format_id for key, reader in LOCKFILE_READERS.items())
    assert set(LOCKFILE_READERS) == {
        "package-lock",
        "yarn-lock",
        "pnpm-lock",
        "go-mod",
        "go-sum",
        "requirements",
        "poetry-lock",
        "cargo-lock",
        "gradle-catalog",
    }


FIXTURE_FORMATS = {
    "yarn-v1/yarn.lock": "yarn-lock",
    "yarn-berry/yarn.lock": "yarn-lock",
    "pnpm-v5/pnpm-lock.yaml": "pnpm-lock",
    "pnpm-v6/pnpm-lock.yaml": "pnpm-lock",
    "pnpm-v9/pnpm-lock.yaml": "pnpm-lock",
    "poetry-2/poetry.lock": "poetry-lock",
    "cargo-v3/Cargo.lock": "cargo-lock",
    "npm-v2/package-lock.json": "package-lock",
    "go-replace/go.mod": "go-mod",
    "gradle/libs.versions.toml": "gradle-catalog",
    "requirements/requirements.txt": "requirements",
}


@pytest.mark.parametrize(("relative", "format_id"), sorted(FIXTURE_FORMATS.items()))
def test_exactly_one_reader_claims_each_file_by_name(relative: str, format_id: str) -> None:
    path = LOCKFILE_FIXTURES / relative
    head = path.read_bytes()[:HEAD]
    claimed = [fid for fid, reader in LOCKFILE_READERS.items() if reader.sniff(relative, head)]
    assert claimed == [format_id]


CONTENT_SNIFFABLE = FIXTURE_FORMATS  # requirements too: a pinned file is recognised by content


@pytest.mark.parametrize(("relative", "format_id"), sorted(CONTENT_SNIFFABLE.items()))
def test_content_alone_identifies_the_format(relative: str, format_id: str) -> None:
    head = (LOCKFILE_FIXTURES / relative).read_bytes()[:HEAD]
    claimed = [fid for fid, reader in LOCKFILE_READERS.items() if reader.sniff("upload.bin", head)]
    assert claimed == [format_id]


def _sbom_heads() -> list[tuple[str, bytes]]:
    root = shared_path("sbom")
    out = []
    for path in sorted(root.rglob("*")):
        if not path.is_file() or path.suffix.lower() in (".md", ".txt", ".png", ".csv"):
            continue
        opener = gzip.open if path.suffix == ".gz" else Path.open
        with opener(path, "rb") as handle:
            out.append((path.name, handle.read(HEAD)))
    return out


def test_no_lockfile_reader_claims_a_cyclonedx_or_spdx_document() -> None:
    heads = _sbom_heads()
    assert len(heads) > 50  # the whole shared SBOM corpus: CycloneDX and SPDX, JSON/XML/tag-value/YAML
    for name, head in heads:
        claimed = [fid for fid, reader in LOCKFILE_READERS.items() if reader.sniff(name, head)]
        assert claimed == [], name
