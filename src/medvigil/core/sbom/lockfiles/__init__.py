"""Lockfile readers: a fallback inventory when a product has no SBOM.

One module per lockfile format; :data:`LOCKFILE_READERS` lists them explicitly (the SBOM registry
imports it). Conventions shared by all readers (counting, local and dev packages, warnings) are
described in :mod:`medvigil.core.sbom.lockfiles._common`.
"""

from __future__ import annotations

from medvigil.core.sbom.interface import ReaderRegistry

_PACKAGE = __name__

LOCKFILE_READERS = ReaderRegistry([
    ("package-lock", f"{_PACKAGE}.npm_lock:PackageLockReader"),
    ("yarn-lock", f"{_PACKAGE}.yarn_lock:YarnLockReader"),
    ("pnpm-lock", f"{_PACKAGE}.pnpm_lock:PnpmLockReader"),
    ("go-mod", f"{_PACKAGE}.go_mod:GoModReader"),
    ("go-sum", f"{_PACKAGE}.go_mod:GoSumReader"),
    ("requirements", f"{_PACKAGE}.requirements:RequirementsReader"),
    ("poetry-lock", f"{_PACKAGE}.poetry_lock:PoetryLockReader"),
    ("cargo-lock", f"{_PACKAGE}.cargo_lock:CargoLockReader"),
    ("gradle-catalog", f"{_PACKAGE}.gradle_catalog:GradleCatalogReader"),
])  # fmt: skip
"""Lockfile readers by ``format_id``, in detection order (the strict content sniffers first);
each module is imported when its reader is first used."""

__all__ = ["LOCKFILE_READERS"]
