"""Concurrent SBOM uploads against a live ``medvigil serve``: no 500, and reads stay quick.

Issue 16: 50 concurrent API uploads of 20,000-component SBOMs on SQLite gave 6-14 HTTP 500
"database is locked" and a GET waited 15 s. This starts ``medvigil serve`` on 127.0.0.1 (a fresh
SQLite data folder, or ``MEDVIGIL_DATABASE_URL``), creates an admin token and the product
versions, fires the uploads at once (httpx, one thread each) and meanwhile times a GET of
``/api/products`` every 0.5 s. Prints the status counts, upload latencies and GET latencies.

    python bench/bench_concurrent_uploads.py [uploads=50] [components=20000]
"""

from __future__ import annotations

import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _data import cyclonedx_with  # noqa: E402

ADMIN_PASSWORD = "bench-" + "password-123"  # a throw-away data folder's admin
CLI = [sys.executable, "-c", "from medvigil.cli.main import main; main()"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _medvigil(env: dict[str, str], *args: str) -> str:
    out = subprocess.run([*CLI, *args], env=env, check=True, capture_output=True, text=True)
    return out.stdout.strip()


def _serve(env: dict[str, str], port: int) -> subprocess.Popen[bytes]:
    log = Path(env["MEDVIGIL_DATA_DIR"]) / "serve.log"
    with log.open("wb") as out:
        proc = subprocess.Popen([*CLI, "serve", "--port", str(port)], env=env, stdout=out, stderr=out)
    for _ in range(300):
        if proc.poll() is not None:
            raise SystemExit(f"medvigil serve exited with {proc.returncode}; see {log}")
        try:
            httpx.get(f"http://127.0.0.1:{port}/login/", timeout=1)
            return proc
        except httpx.HTTPError:
            time.sleep(0.2)
    raise SystemExit("medvigil serve did not start")


def _run(base: str, headers: dict[str, str], slug: str, uploads: int, data: bytes) -> None:
    statuses: Counter[int] = Counter()
    get_statuses: Counter[int] = Counter()
    upload_times: list[float] = []
    get_times: list[float] = []
    done = threading.Event()

    def upload(i: int) -> None:
        started = time.perf_counter()
        with httpx.Client(base_url=base, headers=headers, timeout=900) as c:
            url = f"/api/products/{slug}/versions/1.{i}/sbom"
            resp = c.post(url, files={"file": (f"bom-{i}.json", data)})
        upload_times.append(time.perf_counter() - started)
        statuses[resp.status_code] += 1

    def reader() -> None:
        with httpx.Client(base_url=base, headers=headers, timeout=900) as c:
            while not done.is_set():
                started = time.perf_counter()
                get_statuses[c.get("/api/products").status_code] += 1
                get_times.append(time.perf_counter() - started)
                done.wait(0.5)

    watcher = threading.Thread(target=reader)
    started = time.perf_counter()
    watcher.start()
    with ThreadPoolExecutor(max_workers=uploads) as pool:
        list(pool.map(upload, range(uploads)))
    wall = time.perf_counter() - started
    done.set()
    watcher.join()
    errors = sum(v for k, v in statuses.items() if k >= 500)
    print(f"  upload statuses: {dict(sorted(statuses.items()))} (server errors: {errors})")
    print(
        f"  uploads: wall {wall:.1f} s, latency median {statistics.median(upload_times):.1f} s, "
        f"max {max(upload_times):.1f} s"
    )
    print(
        f"  GET /api/products meanwhile: {len(get_times)} requests {dict(get_statuses)}, median "
        f"{statistics.median(get_times) * 1000:.0f} ms, max {max(get_times) * 1000:.0f} ms"
    )


def main(uploads: int = 50, components: int = 20_000) -> None:
    env = dict(os.environ)
    env.setdefault("MEDVIGIL_DATA_DIR", tempfile.mkdtemp(prefix="medvigil-bench-"))
    env["MEDVIGIL_LOG_LEVEL"] = "WARNING"
    engine = "PostgreSQL" if env.get("MEDVIGIL_DATABASE_URL", "").startswith("postgres") else "SQLite"
    _medvigil(env, "init", "--admin", "bench", "--password", ADMIN_PASSWORD)
    token = _medvigil(env, "token", "create", "bench", "--name", "bench").splitlines()[-1].strip()
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    proc = _serve(env, port)
    try:
        headers = {"Authorization": f"Bearer {token}"}
        slug = f"bench-{int(time.time())}"
        with httpx.Client(base_url=base, headers=headers, timeout=600) as client:
            client.post("/api/products", json={"name": slug, "slug": slug}).raise_for_status()
            for i in range(uploads):
                client.post(f"/api/products/{slug}/versions", json={"version": f"1.{i}"}).raise_for_status()
        data = cyclonedx_with(components)
        size = len(data) / 1e6
        print(f"{engine}: {uploads} concurrent uploads of {components:,} components ({size:.1f} MB each)")
        _run(base, headers, slug, uploads, data)
    finally:
        proc.terminate()
        proc.wait(timeout=30)


if __name__ == "__main__":
    main(*(int(a) for a in sys.argv[1:]))
