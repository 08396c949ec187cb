"""Large SBOMs end to end: `medvigil sbom check` and `medvigil sbom import` at 1,000-50,000 components.

Issue 15 targets: time and memory grow linearly; 50,000 components under 10 s and 500 MB end to
end through `sbom import`. Generated CycloneDX 1.5 JSON, CycloneDX 1.5 XML and SPDX 2.3 JSON
documents (unique npm purls, a hash and a licence each, a dependency chain) are written to a
temporary folder; every case runs the real CLI in its own process (fresh SQLite data folder for
imports) and reports its wall time and that process's peak RSS (``os.wait4``), so figures do not
add up across cases. Usage: ``python bench/bench_sbom_scale.py [N ...]``. ``--profile N`` prints a
cProfile summary of one in-process CycloneDX JSON import of N components instead.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from xml.sax.saxutils import escape

import orjson

SIZES = (1_000, 10_000, 50_000)


def _package(i: int) -> tuple[str, str, str]:
    name, version = f"pkg-{i}", f"1.{i % 97}.{i % 13}"
    return name, version, f"pkg:npm/{name}@{version}"


def cyclonedx_json(n: int) -> bytes:
    components = []
    for i in range(n):
        name, version, purl = _package(i)
        components.append(
            {
                "type": "library",
                "bom-ref": purl,
                "name": name,
                "version": version,
                "purl": purl,
                "hashes": [{"alg": "SHA-256", "content": f"{i:064x}"}],
                "licenses": [{"license": {"id": "MIT"}}],
            }
        )
    deps = [{"ref": _package(i)[2], "dependsOn": [_package(i + 1)[2]]} for i in range(n - 1)]
    doc = {"bomFormat": "CycloneDX", "specVersion": "1.5", "version": 1, "components": components}
    return orjson.dumps({**doc, "dependencies": deps})


def cyclonedx_xml(n: int) -> bytes:
    out = [
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<bom xmlns="http://cyclonedx.org/schema/bom/1.5" version="1">'
    ]
    out.append("<components>")
    for i in range(n):
        name, version, purl = _package(i)
        out.append(
            f'<component type="library" bom-ref="{escape(purl)}">'
            f"<name>{name}</name><version>{version}</version>"
            f'<hashes><hash alg="SHA-256">{i:064x}</hash></hashes><licenses><license><id>MIT</id></license>'
            f"</licenses><purl>{escape(purl)}</purl></component>"
        )
    out.append("</components><dependencies>")
    for i in range(n - 1):
        out.append(
            f'<dependency ref="{escape(_package(i)[2])}"><dependency ref="{escape(_package(i + 1)[2])}"/>'
        )
        out.append("</dependency>")
    out.append("</dependencies></bom>\n")
    return "\n".join(out).encode()


def spdx_json(n: int) -> bytes:
    packages = []
    for i in range(n):
        name, version, purl = _package(i)
        packages.append(
            {
                "SPDXID": f"SPDXRef-Package-{i}",
                "name": name,
                "versionInfo": version,
                "downloadLocation": "NOASSERTION",
                "filesAnalyzed": False,
                "licenseDeclared": "MIT",
                "checksums": [{"algorithm": "SHA256", "checksumValue": f"{i:064x}"}],
                "externalRefs": [
                    {
                        "referenceCategory": "PACKAGE-MANAGER",
                        "referenceType": "purl",
                        "referenceLocator": purl,
                    }
                ],
            }
        )
    relationships = [
        {
            "spdxElementId": "SPDXRef-DOCUMENT",
            "relationshipType": "DESCRIBES",
            "relatedSpdxElement": "SPDXRef-Package-0",
        }
    ] + [
        {
            "spdxElementId": f"SPDXRef-Package-{i}",
            "relationshipType": "DEPENDS_ON",
            "relatedSpdxElement": f"SPDXRef-Package-{i + 1}",
        }
        for i in range(n - 1)
    ]
    doc = {
        "spdxVersion": "SPDX-2.3",
        "dataLicense": "CC0-1.0",
        "SPDXID": "SPDXRef-DOCUMENT",
        "name": "bench",
        "documentNamespace": "https://example.org/spdx/bench",
        "creationInfo": {"created": "2026-12-02T00:00:00Z", "creators": ["Tool: bench"]},
        "packages": packages,
        "relationships": relationships,
    }
    return orjson.dumps(doc)


FORMATS = {"cyclonedx-json": (cyclonedx_json, "cdx.json"), "cyclonedx-xml": (cyclonedx_xml, "cdx.xml"),
           "spdx-json": (spdx_json, "spdx.json")}  # fmt: skip


def _run(args: list[str], env: dict[str, str]) -> tuple[float, float, float, int]:
    """Run the CLI in a child process: (wall s, CPU s, peak RSS MB of that child, exit code)."""
    start = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-c", "from medvigil.cli.main import main; main()", *args],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode not in (0, 1):
        assert proc.stderr is not None
        sys.stderr.write(proc.stderr.read().decode()[-2000:])
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, proc.returncode


def main(sizes: tuple[int, ...] = SIZES) -> None:
    root = Path(tempfile.mkdtemp(prefix="medvigil-bench-scale-"))
    # default embedded queue: `sbom import` enqueues the re-match for `medvigil worker` and returns
    base_env = {**os.environ, "MEDVIGIL_TASKS_URL": "sqlite", "MEDVIGIL_SBOM_MAX_BYTES": str(200 << 20)}
    print(
        f"{'format':15} {'components':>10} {'MB':>6} {'check s (CPU)':>14} {'check MB':>9} "
        f"{'import s (CPU)':>15} {'import MB':>10}"
    )
    for fmt, (make, suffix) in FORMATS.items():
        for n in sizes:
            path = root / f"{n}.{suffix}"
            path.write_bytes(make(n))
            check_s, check_cpu, check_mb, code = _run(
                ["sbom", "check", str(path), "--format", "json"], base_env
            )
            assert code == 0, f"sbom check {path} exited {code}"
            env = {**base_env, "MEDVIGIL_DATA_DIR": str(root / f"data-{fmt}-{n}")}
            for args in (["init"], ["product", "add", "Bench pump"], ["version", "add", "bench-pump", "1"]):
                assert _run(args, env)[3] == 0, args
            import_s, import_cpu, import_mb, code = _run(
                ["sbom", "import", "bench-pump", "1", str(path)], env
            )
            assert code == 0, f"sbom import {path} exited {code}"
            size_mb = path.stat().st_size / 1e6
            print(
                f"{fmt:15} {n:>10,} {size_mb:>6.1f} {check_s:>6.2f} ({check_cpu:5.2f}) {check_mb:>9.0f} "
                f"{import_s:>6.2f} ({import_cpu:6.2f}) {import_mb:>10.0f}"
            )


def profile(n: int) -> None:
    """cProfile of one in-process import (reader, mapping, bulk insert) of ``n`` CycloneDX components."""
    import cProfile
    import pstats

    os.environ.setdefault("MEDVIGIL_DATA_DIR", tempfile.mkdtemp(prefix="medvigil-bench-prof-"))
    os.environ.setdefault("MEDVIGIL_TASKS_URL", "immediate")
    from medvigil.cli import _django

    _django.migrate()
    from medvigil.web.inventory import services

    data = cyclonedx_json(n)
    product = services.product_create(name=f"Profiled pump {time.time_ns()}")
    pv = services.version_create(product=product, version="1")
    prof = cProfile.Profile()
    prof.enable()
    services.sbom_import(product_version=pv, data=data, filename="bench.cdx.json")
    prof.disable()
    pstats.Stats(prof).sort_stats("cumulative").print_stats(25)


if __name__ == "__main__":
    if sys.argv[1:2] == ["--profile"]:
        profile(int(sys.argv[2]) if len(sys.argv) > 2 else 50_000)
    else:
        main(tuple(int(a) for a in sys.argv[1:]) or SIZES)
