"""A scan split over worker processes (``medvigil scan --jobs``) writes exactly what one process
writes: same findings, same order, same bytes, same gate result; the parts are contiguous and
balanced; and it never splits where the workers could not see the data."""

from __future__ import annotations

import json
import os
import random
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from medvigil.core.model import Component
from medvigil.web.advisories.screens import cpe_screens_fill
from medvigil.web.advisories.services import feed_import
from medvigil.web.findings import candidates, scan_jobs
from medvigil.web.findings.scan import scan_components
from tests.web.findings.test_scan_cpe_names import FIXTURE, _components

_CLI = "import sys; from medvigil.cli.main import main; sys.argv[0] = 'medvigil'; main()"
_PG = os.environ.get("MEDVIGIL_DATABASE_URL", "")


def _record(cve: str, nodes: list[dict[str, Any]], score: float | None) -> dict[str, Any]:
    """An NVD 1.1 item (the escaped-CPE fixture's first record, with these id, nodes and score)."""
    item: dict[str, Any] = json.loads(FIXTURE.read_text().splitlines()[0])
    item["cve"]["CVE_data_meta"]["ID"] = cve
    item["configurations"]["nodes"] = nodes
    if score is None:
        item["impact"] = {}
    else:
        item["impact"]["baseMetricV3"]["cvssV3"]["baseScore"] = score
    return item


def _leaf(cpe: str, vulnerable: bool = True, **bounds: str) -> dict[str, Any]:
    return {"vulnerable": vulnerable, "cpe23Uri": cpe, **bounds}


def _generated_feed(path: Path, rng: random.Random) -> None:
    """Records over 40 products: plain version ranges, exact versions, and configurations that
    hold only on a running-on platform (an RTOS, a gateway), with scores that tie and differ."""
    items = []
    for n in range(120):
        product = f"prod_{n % 40}"
        cpe = f"cpe:2.3:a:acme:{product}:*:*:*:*:*:*:*:*"
        if n % 3 == 0:
            nodes = [{"operator": "OR", "cpe_match": [_leaf(cpe, versionEndExcluding=f"{1 + n % 5}.0")]}]
        elif n % 3 == 1:
            exact = f"cpe:2.3:a:acme:{product}:{n % 4}.{n % 3}:*:*:*:*:*:*:*"
            nodes = [{"operator": "OR", "cpe_match": [_leaf(exact)]}]
        else:
            platform = (
                "cpe:2.3:o:acme:rtos:3.1:*:*:*:*:*:*:*" if n % 2 else "cpe:2.3:h:acme:gateway:-:*:*:*:*:*:*:*"
            )
            nodes = [{"operator": "AND", "children": [
                {"operator": "OR", "cpe_match": [_leaf(cpe, versionStartIncluding="0.5")]},
                {"operator": "OR", "cpe_match": [_leaf(platform, vulnerable=False)]},
            ], "cpe_match": []}]  # fmt: skip
        score = rng.choice([None, 5.0, 7.5, 7.5, 9.8])
        items.append(_record(f"CVE-2099-{1000 + n}", nodes, score))
    path.write_text("".join(json.dumps(i) + "\n" for i in items))


def _sbom(rng: random.Random, n: int) -> dict[str, Any]:
    """Application components first (names repeat, so findings tie on vulnerability and name),
    the platforms last: a split puts them in another part than most applications."""
    comps = []
    for i in range(n):
        product = f"prod_{rng.randrange(40)}"
        version = f"{rng.randrange(5)}.{rng.randrange(3)}"
        cpe = f"cpe:2.3:a:acme:{product}:{version}:*:*:*:*:*:*:*"
        purl = f"pkg:generic/acme/{product}@{version}"
        comps.append({"type": "library", "name": product, "version": version, "bom-ref": f"c{i}", "cpe": cpe,
                      "purl": purl})  # fmt: skip
    comps.append({"type": "operating-system", "name": "rtos", "version": "3.1", "bom-ref": "os",
                  "cpe": "cpe:2.3:o:acme:rtos:3.1:*:*:*:*:*:*:*"})  # fmt: skip
    return {"bomFormat": "CycloneDX", "specVersion": "1.5", "version": 1, "components": comps}


def _run(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run([sys.executable, "-c", _CLI, *args], capture_output=True, env=env, check=False)


@pytest.fixture(params=["sqlite", "postgres"])
def store_env(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[dict[str, str]]:
    """The environment of CLI subprocesses with their own store: a SQLite file, or (on the
    PostgreSQL run) a database of their own beside the test database."""
    env = {**os.environ, "MEDVIGIL_DATA_DIR": str(tmp_path / "store"), "MEDVIGIL_TASKS_URL": "immediate"}
    env.pop("MEDVIGIL_DATABASE_URL", None)
    env.pop("MEDVIGIL_SCAN_JOBS", None)
    if request.param == "sqlite":
        yield env
        return
    if not _PG.startswith("postgres"):
        pytest.skip("the PostgreSQL variant runs when MEDVIGIL_DATABASE_URL names a PostgreSQL server")
    import psycopg

    name = f"medvigil_split_{os.getpid()}"
    base, _, _ = _PG.rpartition("/")
    with psycopg.connect(_PG, autocommit=True) as admin:
        admin.execute(f"DROP DATABASE IF EXISTS {name}")
        admin.execute(f"CREATE DATABASE {name}")
    try:
        yield {**env, "MEDVIGIL_DATABASE_URL": f"{base}/{name}"}
    finally:
        with psycopg.connect(_PG, autocommit=True) as admin:
            admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def test_a_split_scan_writes_what_one_process_writes(tmp_path: Path, store_env: dict[str, str]) -> None:
    rng = random.Random(7)
    feed = tmp_path / "generated.jsonl"
    _generated_feed(feed, rng)
    env = store_env
    assert _run("init", env=env).returncode == 0
    for path in (feed, FIXTURE):
        done = _run("feeds", "import", str(path), env=env)
        assert done.returncode == 0, done.stderr
    bom = tmp_path / "bom.json"
    bom.write_text(json.dumps(_sbom(rng, 400)))
    one = _run("scan", str(bom), "-f", "json", "-j", "1", "--fail-on", "high", env=env)
    assert one.returncode == 1, one.stderr  # the gate trips
    findings = json.loads(one.stdout)["findings"]
    on_rtos = {f"CVE-2099-{1000 + n}" for n in range(120) if n % 3 == 2 and n % 2}
    verified = [
        f for f in findings if f["vulnerability"]["id"] in on_rtos and not f["match"]["platform_unverified"]
    ]
    assert len(findings) > 100 and verified  # the last component's platform counts for the first ones
    for jobs in ("2", "3", "5"):
        split = _run("scan", str(bom), "-f", "json", "-j", jobs, "--fail-on", "high", env=env)
        assert split.stdout == one.stdout, f"--jobs {jobs}"
        assert (split.returncode, split.stderr) == (one.returncode, one.stderr)
    default = _run("scan", str(bom), "-f", "json", env=env)  # the cores of this machine
    assert default.stdout == one.stdout and default.returncode == 0
    vex = tmp_path / "vex.json"  # a supplier's not-affected statements: left out, and counted
    products = [{"@id": c["purl"]} for c in json.loads(bom.read_text())["components"][:200] if "purl" in c]
    vex.write_text(json.dumps({"@context": "https://openvex.dev/ns/v0.2.0", "statements": [
        {"vulnerability": {"name": f"CVE-2099-{1000 + n}"}, "products": products, "status": "not_affected",
         "justification": "vulnerable_code_not_in_execute_path"} for n in range(0, 120, 7)
    ]}))  # fmt: skip
    for form in ("table", "sarif", "cyclonedx-vex", "json"):  # the parent decodes what the workers found
        alone, split = (
            _run("scan", str(bom), "-f", form, "--vex", str(vex), "-j", j, env={**env, "COLUMNS": "200"})
            for j in "13"
        )
        assert _stable(split.stdout) == _stable(alone.stdout), form
        assert len(alone.stdout) > 10_000
        if form == "table":
            assert b"not affected" in alone.stdout  # some findings were left out by the VEX


def _stable(out: bytes) -> bytes:
    """Output without what differs between any two runs (a VEX's serial number and timestamp)."""
    return re.sub(rb'"(serialNumber|timestamp)": "[^"]*"', b"", out)


def _weighted(rng: random.Random, n: int) -> list[Component]:
    def cpes() -> tuple[str, ...]:
        product = f"p{rng.randrange(30)}"
        return tuple(f"cpe:2.3:a:v:{product}:{j}.0:*:*:*:*:*:*:*" for j in range(rng.choice([0, 0, 1, 3])))

    return [Component(f"c{rng.randrange(50)}", "1.0", cpes=cpes()) for _ in range(n)]


@pytest.mark.parametrize("seed", range(20))
def test_parts_cover_every_component_keep_a_product_together_and_balance_the_work(seed: int) -> None:
    rng = random.Random(seed)
    components = _weighted(rng, rng.randrange(1, 300))
    weights = [scan_jobs._weight(c) for c in components]
    product = [scan_jobs._product(c) for c in components]
    heaviest = max(sum(w for w, k in zip(weights, product, strict=True) if k == key) for key in set(product))
    for jobs in range(1, 7):
        parts = scan_jobs._parts(components, jobs)
        assert sorted(p for part in parts for p in part) == list(range(len(components)))
        assert all(part == sorted(part) and part for part in parts) and len(parts) <= jobs
        for key in set(product):  # one product's components in one part
            assert sum(any(product[p] == key for p in part) for part in parts) == 1
        assert all(sum(weights[p] for p in part) <= sum(weights) / jobs + heaviest for part in parts)


@pytest.mark.django_db
def test_no_split_inside_a_transaction_or_on_an_in_memory_database() -> None:
    big = _weighted(random.Random(1), 5000)
    assert scan_jobs.jobs_for(big, None) == 1  # a test's transaction: workers would not see its rows
    assert scan_jobs.jobs_for(big, 4) == 1


@pytest.mark.django_db
def test_the_order_key_is_the_order_of_a_scan() -> None:
    feed_import(path=FIXTURE)
    components = _components() * 3
    findings = list(scan_components(components).findings)
    assert len(findings) > 10
    assert sorted(findings, key=scan_jobs.order_key) == findings  # stable: ties keep component order


@pytest.mark.django_db
def test_work_is_counted_by_candidate_records() -> None:
    feed_import(path=FIXTURE)
    cpe_screens_fill()  # the screens decide what is admitted (rows not filled yet are all read)
    heavy = Component(
        "aspose.pdf", "19.2", cpes=(r"cpe:2.3:a:aspose:aspose.pdf_for_c\+\+:19.2:*:*:*:*:*:*:*",)
    )
    light = Component("other", "1.0", cpes=("cpe:2.3:a:nobody:nothing:1.0:*:*:*:*:*:*:*",))
    fixed = Component("aspose.pdf", "99.0", cpes=(heavy.cpes[0].replace("19.2", "99.0"),))
    components = [heavy, light, Component("plain", "1.0"), fixed]
    rows = candidates.cpe_rows(components, infer=False)
    assert len(rows) == 3  # the three CVEs' index rows, read once for the whole scan
    assert scan_jobs._work(components, rows, False) == [1 + 3, 1, 1, 1 + 3]  # by vendor:product
    # each worker screens its part's rows: none admits 99.0, so none is read
    assert candidates.load_index([fixed], infer=False, devices=False, preloaded=rows).record_pks == []
    assert len(candidates.load_index([heavy], infer=False, devices=False, preloaded=rows).record_pks) == 3
