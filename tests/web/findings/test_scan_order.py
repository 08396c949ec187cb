"""``scan_components`` lists findings most severe first (KEV, CVSS, EPSS, id), then by component."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

from medvigil.core.model import Component
from medvigil.web.advisories.models import Vulnerability
from medvigil.web.advisories.services import feed_import
from medvigil.web.findings.scan import scan_components

pytestmark = pytest.mark.django_db


def test_findings_are_most_severe_first_then_by_component_name(tmp_path: Path) -> None:
    rng = random.Random(5)
    path = tmp_path / "osv.jsonl"
    records = [
        {
            "schema_version": "1.6.0",
            "id": f"PYSEC-2099-{n}",
            "modified": "2024-01-01T00:00:00Z",
            "aliases": [f"CVE-2099-{1000 + n}"],
            "affected": [{"package": {"ecosystem": "PyPI", "name": f"lib{n % 4}"},
                          "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}]}]}],
        }
        for n in range(24)
    ]  # fmt: skip
    path.write_text("".join(json.dumps(r) + "\n" for r in records))
    feed_import(path=path)
    for vuln in Vulnerability.objects.all():  # ties on every level, so each one decides somewhere
        Vulnerability.objects.filter(pk=vuln.pk).update(
            kev=rng.random() < 0.3,
            cvss_score=rng.choice((None, 5.0, 7.5, 9.8)),
            epss=rng.choice((None, 0.1, 0.5)),
        )
    names = ["b-copy", "a-copy", "c-copy", "z", "m"]
    components = [Component(name, "1.0", purl=f"pkg:pypi/lib{n % 4}@1.0") for n, name in enumerate(names)]
    found = scan_components(components).findings
    vulns = {v.key: v for v in Vulnerability.objects.all()}

    def order(f: dict[str, object]) -> tuple[object, ...]:
        v = vulns[f["vulnerability"]["id"]]  # type: ignore[index]
        score = v.cvss_score if v.cvss_score is not None else -1.0
        return (not v.kev, -score, -(v.epss or 0.0), v.key, f["component"]["name"])  # type: ignore[index]

    assert len(found) == 5 * 6
    assert [order(f) for f in found] == sorted(order(f) for f in found)
    assert len({order(f)[:4] for f in found}) < len(found)  # some vulnerability spans components
