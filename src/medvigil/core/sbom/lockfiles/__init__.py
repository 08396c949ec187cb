"""Lockfile readers: a fallback inventory when a product has no SBOM.

One module per lockfile format; :data:`LOCKFILE_READERS` lists them explicitly (the SBOM registry
imports it). Conventions shared by all readers (counting, local and dev packages, warnings) are
described in :mod:`medvigil.core.sbom.lockfiles._common`.
"""

from __future__ import annotations

from medvigil.core.sbom.interface import SbomReader
from medvigil.core.sbom.lockfiles.cargo_lock import CargoLockReader
from medvigil.core.sbom.lockfiles.go_mod import GoModReader, GoSumReader
from medvigil.core.sbom.lockfiles.gradle_catalog import GradleCatalogReader
from medvigil.core.sbom.lockfiles.npm_lock import PackageLockReader
from medvigil.core.sbom.lockfiles.pnpm_lock import PnpmLockReader
from medvigil.core.sbom.lockfiles.poetry_lock import PoetryLockReader
from medvigil.core.sbom.lockfiles.requirements import RequirementsReader
from medvigil.core.sbom.lockfiles.yarn_lock import YarnLockReader

LOCKFILE_READERS: dict[str, SbomReader] = {
    reader.format_id: reader
    for reader in (
        PackageLockReader(),
        YarnLockReader(),
        PnpmLockReader(),
        GoModReader(),
        GoSumReader(),
        RequirementsReader(),
        PoetryLockReader(),
        CargoLockReader(),
        GradleCatalogReader(),
    )
}
"""Lockfile readers by ``format_id``, in detection order (the strict content sniffers first)."""

__all__ = [
    "LOCKFILE_READERS",
    "CargoLockReader",
    "GoModReader",
    "GoSumReader",
    "GradleCatalogReader",
    "PackageLockReader",
    "PnpmLockReader",
    "PoetryLockReader",
    "RequirementsReader",
    "YarnLockReader",
]
