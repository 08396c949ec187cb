"""``sbom check`` on every SBOM and lockfile in ../shared/data: a real check result for each, never
"no schema"; files that are not SBOMs or lockfiles (manifests, checksum files) are refused by name."""

from __future__ import annotations

from pathlib import Path

import pytest

from medvigil.core.errors import SbomError, UnsupportedFormatError
from medvigil.core.sbom.schema import check_sbom
from tests.conftest import SHARED_DATA, shared_path

# Not SBOMs or lockfiles (manifests, checksums), or broken upstream: refused by the reader.
REFUSED = {
    "lockfiles/androidaps/gradle-wrapper.properties": "not a recognised SBOM or lockfile",
    "lockfiles/monai-deploy-app-sdk/pyproject.toml": "not a recognised SBOM or lockfile",
    "lockfiles/monai-deploy-app-sdk/setup.cfg": "not a recognised SBOM or lockfile",
    "lockfiles/nightscout-cgm-remote-monitor/v14.2.6/package.json": "not a recognised SBOM or lockfile",
    "lockfiles/nightscout-cgm-remote-monitor/v15.0.7/package.json": "not a recognised SBOM or lockfile",
    "lockfiles/openaps-oref0/package.json": "not a recognised SBOM or lockfile",
    "lockfiles/pynetdicom/pyproject.toml": "not a recognised SBOM or lockfile",
    "sbom/spdx/bom-shelter/in-the-wild/powershell-2.2.6.spdx.json": "unexpected content after document",
    "sbom/spdx/spdx-examples/software/example10/spdx2.3/shas": "not a recognised SBOM or lockfile",
    "sbom/spdx/spdx-examples/software/example12/spdx2.2/hello-dist.spdx.json.sha256": "not a recognised",
    "sbom/spdx/spdx-examples/software/example12/spdx2.2/hello-src.spdx.json.sha256": "not a recognised",
}


def _files() -> list[str]:
    if not SHARED_DATA.exists():
        return ["<shared data missing>"]
    return sorted(
        str(p.relative_to(SHARED_DATA))
        for folder in ("sbom", "lockfiles")
        for p in (SHARED_DATA / folder).rglob("*")
        if p.is_file() and p.suffix.lower() != ".md"
    )


@pytest.mark.shared_data
@pytest.mark.parametrize("rel", _files())
def test_every_shared_file_gets_a_meaningful_check(rel: str) -> None:
    path = shared_path(*Path(rel).parts)
    if rel in REFUSED:
        with pytest.raises(SbomError, match=REFUSED[rel]):
            check_sbom(path.read_bytes(), source=rel)
        return
    try:
        parsed, result = check_sbom(path.read_bytes(), source=rel)
    except UnsupportedFormatError as exc:  # pragma: no cover - the failure this test exists for
        pytest.fail(f"no check for {rel}: {exc}")
    assert result.checked_with
    assert "no schema for" not in " ".join(result.problems)
    for problem in result.problems:  # located: a pointer, a line, an SPDX id or an spdx-tools context
        assert problem.startswith(("/", "line ", "spdx-tools: ", "... and")), problem
    if parsed.format not in (
        "cyclonedx-json",
        "cyclonedx-xml",
        "spdx3-jsonld",
    ) and not parsed.format.startswith("spdx"):
        assert result.valid and f"parsed {len(parsed.components):,} packages" in result.notes[0]
