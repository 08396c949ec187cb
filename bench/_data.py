"""Helpers for benchmarks: locate ../shared/data and build large SBOMs from real components."""

from __future__ import annotations

import gzip
import json
import os
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("MEDVIGIL_SHARED_DATA", REPO.parent / "shared" / "data"))
REAL_CDX = [
    "sbom/cyclonedx/bom-examples/SBOM/keycloak-10.0.2/bom.json.gz",
    "sbom/cyclonedx/bom-examples/SBOM/juice-shop/v11.1.2/bom.json",
    "sbom/cyclonedx/bom-examples/SBOM/dropwizard-1.3.15/bom.json",
    "sbom/cyclonedx/bom-examples/SBOM/laravel-7.12.0/bom.1.4.json",
]


def compile_project() -> None:
    """Byte-compile the project before timing a fresh ``medvigil`` process, as a wheel install
    does: with PYTHONDONTWRITEBYTECODE=1 (set on these machines) an editable checkout is compiled
    again by every fresh process (~0.3 s of a ``scan``)."""
    import compileall

    import medvigil

    compileall.compile_dir(str(Path(medvigil.__file__).parent), quiet=2)


def _load(path: Path) -> Any:
    raw = path.read_bytes()
    return json.loads(gzip.decompress(raw) if path.suffix == ".gz" else raw)


def real_components() -> list[dict[str, Any]]:
    """Top-level components of the real CycloneDX examples in ../shared/data."""
    out: list[dict[str, Any]] = []
    for rel in REAL_CDX:
        out.extend(_load(SHARED / rel).get("components", []))
    return out


def cyclonedx_with(n: int) -> bytes:
    """A CycloneDX 1.4 JSON document with ``n`` components cycled from real ones, made unique."""
    base = real_components()
    comps = []
    for i in range(n):
        c = dict(base[i % len(base)])
        c.pop("components", None)
        round_ = i // len(base)
        if round_:
            c["version"] = f"{c.get('version', '0')}-r{round_}"
            if c.get("purl"):
                c["purl"] = c["purl"].split("@")[0] + "@" + c["version"]
        c["bom-ref"] = f"ref-{i}"
        comps.append(c)
    deps = [{"ref": f"ref-{i}", "dependsOn": [f"ref-{i + 1}"]} for i in range(0, n - 1, 2)]
    doc = {
        "bomFormat": "CycloneDX",
        "specVersion": "1.4",
        "version": 1,
        "components": comps,
        "dependencies": deps,
    }
    return json.dumps(doc).encode()
