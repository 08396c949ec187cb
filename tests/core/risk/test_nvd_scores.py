"""Our CVSS base scores against every published score in ../shared/data (NVD feeds and Vulnrichment).

The raw files are read here directly (gzip + JSON per line or per file), independent of the
feed readers. Scores are computed once per distinct vector. Every published score that our score
does not equal must be on the allow-list ``cvss_mismatches.json`` (documented with its cause in
docs/cvss-mismatches.md); the list found must equal the allow-list exactly.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import IO, Any

import cvss.cvss4
import orjson
import pytest
from cvss import CVSS3
from isal import igzip

from medvigil.core.risk.cvss import CvssScore, parse_vector
from tests.conftest import shared_path

pytestmark = pytest.mark.shared_data

ALLOW_LIST = Path(__file__).with_name("cvss_mismatches.json")


@dataclass(frozen=True, slots=True)
class Published:
    """One published CVSS metric block."""

    source: str
    """File name."""
    cve: str
    """CVE ID."""
    provider: str
    """``nvd`` or the CVE container's provider short name."""
    key: str
    """Metric key as in the file (``baseMetricV3``, ``cvssMetricV31``, ``cvssV3_1``...)."""
    vector: str
    """vectorString."""
    base_score: float
    """Published baseScore."""
    severity: str | None = None
    """Published base severity, when given."""
    exploitability: float | None = None
    """Published exploitabilityScore (NVD only)."""
    impact: float | None = None
    """Published impactScore (NVD only)."""


def _gz_open(path: Path) -> IO[bytes]:
    """Open a gzip file for binary reading with isal (2-3x faster than :mod:`gzip` on the corpus)."""
    fh: IO[bytes] = igzip.open(path, "rb")  # type: ignore[no-untyped-call]  # isal's open() is unannotated
    return fh


def _v11_items(source: str, items: Iterator[dict[str, Any]]) -> Iterator[Published]:
    for item in items:
        cve = item["cve"]["CVE_data_meta"]["ID"]
        impact = item.get("impact") or {}
        assert isinstance(impact, dict)
        if "baseMetricV3" in impact:
            m = impact["baseMetricV3"]
            c = m["cvssV3"]
            yield Published(
                source, cve, "nvd", "baseMetricV3", c["vectorString"], c["baseScore"],
                c["baseSeverity"], m["exploitabilityScore"], m["impactScore"],
            )  # fmt: skip
        if "baseMetricV2" in impact:
            m = impact["baseMetricV2"]
            c = m["cvssV2"]
            yield Published(
                source, cve, "nvd", "baseMetricV2", c["vectorString"], c["baseScore"],
                m["severity"], m["exploitabilityScore"], m["impactScore"],
            )  # fmt: skip


def _api20(path: Path) -> Iterator[Published]:
    data = orjson.loads(path.read_bytes())
    for vuln in data["vulnerabilities"]:
        cve = vuln["cve"]
        for key, blocks in cve.get("metrics", {}).items():
            for m in blocks:
                c = m["cvssData"]
                yield Published(
                    path.name, cve["id"], m["source"], key, c["vectorString"], c["baseScore"],
                    c.get("baseSeverity", m.get("baseSeverity")), m.get("exploitabilityScore"),
                    m.get("impactScore"),
                )  # fmt: skip


def _vulnrichment(path: Path) -> Iterator[Published]:
    with _gz_open(path) as fh:
        for line in fh:
            record = orjson.loads(line)
            cve = record["cveMetadata"]["cveId"]
            containers = record.get("containers", {})
            for container in [containers.get("cna", {}), *containers.get("adp", [])]:
                provider = container.get("providerMetadata", {}).get("shortName", "?")
                for metric in container.get("metrics") or []:
                    for key, block in metric.items():
                        if key in ("cvssV2_0", "cvssV3_0", "cvssV3_1", "cvssV4_0"):
                            yield Published(
                                path.name, cve, provider, key, block["vectorString"],
                                block["baseScore"], block.get("baseSeverity"),
                            )  # fmt: skip


def _nvd_all() -> Iterator[Published]:
    root = shared_path("nvd")
    for path in sorted((root / "feeds-1.1-yearly").glob("*.jsonl.gz")):
        with _gz_open(path) as fh:
            yield from _v11_items(path.name, (orjson.loads(line) for line in fh))
    for path in sorted((root / "feeds-1.1-modified-recent").glob("*.json.gz")):
        with _gz_open(path) as fh:
            yield from _v11_items(path.name, iter(orjson.loads(fh.read())["CVE_Items"]))
    for path in sorted((root / "api-2.0-samples").glob("*.json")):
        yield from _api20(path)


@pytest.fixture(scope="module")
def nvd_published() -> list[Published]:
    return list(_nvd_all())


@pytest.fixture(scope="module")
def vulnrichment_published() -> list[Published]:
    return list(_vulnrichment(shared_path("cve-json5", "cisa-vulnrichment.jsonl.gz")))


@cache
def _ours(vector: str) -> CvssScore:
    return parse_vector(vector)


def _comparable(pub: Published) -> float:
    """Our score for what the record calls baseScore (v4 records score the whole vector)."""
    ours = _ours(pub.vector)
    return ours.vector_score if pub.key == "cvssV4_0" else ours.base_score


def _mismatches(published: list[Published]) -> list[tuple[str, str, str, str, float]]:
    return sorted(
        (p.cve, p.provider, p.key, p.vector, p.base_score)
        for p in published
        if _comparable(p) != p.base_score
    )


def _allow_list() -> list[dict[str, object]]:
    entries = orjson.loads(ALLOW_LIST.read_bytes())
    assert isinstance(entries, list)
    return entries


def test_every_nvd_base_score_matches(nvd_published: list[Published]) -> None:
    versions = {p.key for p in nvd_published}
    assert {"baseMetricV2", "baseMetricV3", "cvssMetricV31", "cvssMetricV2"} <= versions
    assert len(nvd_published) > 140_000
    assert _mismatches(nvd_published) == []


def test_nvd_subscores_and_severity_match(nvd_published: list[Published]) -> None:
    wrong = []
    for p in nvd_published:
        ours = _ours(p.vector)
        got = (ours.exploitability_subscore, ours.impact_subscore, ours.base_severity)
        want = (p.exploitability, p.impact, p.severity)
        if got != want:
            wrong.append((p.cve, p.vector, got, want))
    assert wrong == []


def test_nvd_v2_vectors_in_all_written_forms_score_alike(nvd_published: list[Published]) -> None:
    v2 = sorted({p.vector for p in nvd_published if p.key == "baseMetricV2"})[:50]
    for vector in v2:
        score = _ours(vector).base_score
        assert parse_vector(f"({vector})").base_score == score
        assert parse_vector(f"CVSS:2.0/{vector}").base_score == score
        assert parse_vector(f"(CVSS:2.0/{vector})").vector == vector


def test_vulnrichment_mismatches_equal_the_documented_allow_list(
    vulnrichment_published: list[Published],
) -> None:
    keys = {p.key for p in vulnrichment_published}
    assert {"cvssV2_0", "cvssV3_0", "cvssV3_1", "cvssV4_0"} <= keys
    found = _mismatches(vulnrichment_published)
    allowed = sorted(
        (str(e["cve"]), str(e["provider"]), str(e["key"]), str(e["vector"]), float(e["published"]))  # type: ignore[arg-type]
        for e in _allow_list()
    )
    assert found == allowed


def test_allow_list_causes_hold(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each classified cause is re-derived: the CNA published another equation's result."""
    for entry in _allow_list():
        vector, published, cause = str(entry["vector"]), entry["published"], entry["cause"]
        ours = _ours(vector)
        if cause == "temporal-score-as-base":
            assert ours.temporal_score == published, entry
        elif cause == "environmental-equation-as-base":
            assert float(CVSS3(vector).environmental_score) == published, entry
        elif cause == "v4-score-before-rounding-fix":
            with monkeypatch.context() as patch:
                patch.setattr(cvss.cvss4, "EPSILON", 0)  # FIRST's calculator before the fix
                assert cvss.cvss4.CVSS4(vector).base_score == published, entry
        else:
            assert cause == "inconsistent-with-vector", entry
        assert _comparable_score(ours, str(entry["key"])) == entry["ours"], entry


def _comparable_score(ours: CvssScore, key: str) -> float:
    return ours.vector_score if key == "cvssV4_0" else ours.base_score
