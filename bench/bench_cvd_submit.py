# ruff: noqa: S310 - every URL opened is the local http server this script started
"""200 concurrent anonymous CVD submissions over HTTP against a served instance (target: every one
stored exactly once, with distinct references, on SQLite and on PostgreSQL).

Starts a real server on a fresh database: ``medvigil serve`` (gunicorn, one process, bounded threads) or
gunicorn (``medvigil.web.config.wsgi``, 2 workers x 8 threads, as in production), releases 200
client threads at once through a barrier, each POSTing one JSON report to ``/api/cvd/reports``,
then counts the stored rows in the database itself and checks references and tokens.

Run: ``python bench/bench_cvd_submit.py [--n 200] [--server serve|gunicorn]`` (SQLite) and
``python bench/bench_cvd_submit.py --postgres postgres://postgres@127.0.0.1:5432/bench_cvd``
(a database of its own, created and dropped). (``--server serve`` once gave 500s on PostgreSQL when
it was Django's threaded server: a connection per concurrent request exceeded max_connections.)
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _env(data_dir: str, db_url: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        MEDVIGIL_DATA_DIR=data_dir,
        MEDVIGIL_CVD_RATE_LIMIT="100000",  # one client address sends everything
        MEDVIGIL_TASKS_URL="immediate",
        MEDVIGIL_ALLOWED_HOSTS="127.0.0.1,localhost",
        DJANGO_SETTINGS_MODULE="medvigil.web.config.settings",
        PYTHONPATH=str(ROOT / "src") + os.pathsep + env.get("PYTHONPATH", ""),
    )
    env.pop("MEDVIGIL_DATABASE_URL", None)
    if db_url:
        env["MEDVIGIL_DATABASE_URL"] = db_url
    return env


def _start(server: str, port: int, env: dict[str, str]) -> subprocess.Popen[bytes]:
    subprocess.run([sys.executable, "-m", "django", "migrate", "-v", "0"], env=env, check=True)
    if server == "serve":
        cmd = ["medvigil", "serve", "--port", str(port)]
    else:
        cmd = [
            sys.executable,
            "-m",
            "gunicorn",
            "medvigil.web.config.wsgi",
            "-b",
            f"127.0.0.1:{port}",
            "--workers",
            "2",
            "--threads",
            "8",
            "--worker-class",
            "gthread",
            "--backlog",
            "2048",
            "--log-level",
            "warning",
        ]
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/.well-known/security.txt", timeout=2).read()
            return proc
        except OSError:
            time.sleep(0.3)
    proc.kill()
    raise SystemExit(f"server did not start: {proc.stderr.read().decode() if proc.stderr else ''}")


def _submit(url: str, n: int, barrier: threading.Barrier) -> tuple[int, dict[str, Any], float]:
    body = json.dumps(
        {
            "title": f"bench report {n}",
            "description": f"concurrent submission {n}",
            "steps": "run the bench",
            "credit": "anonymous",
        }
    ).encode()
    req = urllib.request.Request(url, data=body, headers={"Content-Type": "application/json"}, method="POST")
    barrier.wait()
    t0 = time.perf_counter()
    try:
        with urllib.request.urlopen(req, timeout=120) as resp:
            return resp.status, json.loads(resp.read()), time.perf_counter() - t0
    except urllib.error.HTTPError as exc:
        return exc.code, {"error": exc.read().decode()[:200]}, time.perf_counter() - t0
    except OSError as exc:  # connection refused or reset: status 0
        return 0, {"error": repr(exc)}, time.perf_counter() - t0


def _stored(db_url: str, data_dir: str) -> list[tuple[str, str]]:
    query = "SELECT reference, title FROM disclosure_report"
    if db_url:
        import psycopg

        with psycopg.connect(db_url) as conn:
            return [(r[0], r[1]) for r in conn.execute(query).fetchall()]
    with sqlite3.connect(Path(data_dir) / "medvigil.sqlite3") as conn:
        return [(r[0], r[1]) for r in conn.execute(query).fetchall()]


def _pg_database(url: str, create: bool) -> None:
    import psycopg

    name = url.rsplit("/", 1)[1]
    if name in ("test", "postgres"):
        raise SystemExit(f"refusing to use database {name!r}")
    with psycopg.connect(url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
        if create:
            admin.execute(f'CREATE DATABASE "{name}"')


def run(n: int, server: str, db_url: str) -> bool:
    data_dir = tempfile.mkdtemp(prefix="medvigil-bench-cvd-")
    if db_url:
        _pg_database(db_url, create=True)
    port = _free_port()
    proc = _start(server, port, _env(data_dir, db_url))
    try:
        barrier = threading.Barrier(n)
        url = f"http://127.0.0.1:{port}/api/cvd/reports"
        t0 = time.perf_counter()
        with ThreadPoolExecutor(max_workers=n) as pool:
            results = list(pool.map(lambda i: _submit(url, i, barrier), range(n)))
        wall = time.perf_counter() - t0
    finally:
        proc.terminate()
        proc.wait(timeout=20)
    stored = _stored(db_url, data_dir)
    if db_url:
        _pg_database(db_url, create=False)
    ok = [r for r in results if r[0] == 201]
    refs = [r[1]["reference"] for r in ok]
    tokens = {r[1]["token"] for r in ok}
    titles = sorted(t for _, t in stored)
    latencies = sorted(r[2] for r in results)
    checks = {
        "all 201": len(ok) == n,
        "distinct references": len(set(refs)) == len(refs) == n,
        "distinct tokens": len(tokens) == n,
        "stored exactly once": len(stored) == n and titles == sorted(f"bench report {i}" for i in range(n)),
        "stored = returned": {r for r, _ in stored} == set(refs),
    }
    backend = "PostgreSQL" if db_url else "SQLite"
    print(
        f"{backend} via {server}: {n} concurrent submissions in {wall:.2f} s "
        f"({n / wall:.0f}/s); latency median {statistics.median(latencies) * 1000:.0f} ms, "
        f"p95 {latencies[int(0.95 * (n - 1))] * 1000:.0f} ms, max {latencies[-1] * 1000:.0f} ms"
    )
    print(
        f"  status codes: {sorted({r[0] for r in results})}; rows stored: {len(stored)}; "
        f"references {min(refs, default='-')} .. {max(refs, default='-')}"
    )
    for name, passed in checks.items():
        print(f"  {'PASS' if passed else 'FAIL'} {name}")
    if not all(checks.values()):
        print("  first errors:", [r[1] for r in results if r[0] != 201][:3])
    return all(checks.values())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=200)
    parser.add_argument("--server", choices=["serve", "gunicorn"], default=None)
    parser.add_argument("--postgres", default="", help="postgres://.../bench_cvd (created and dropped)")
    args = parser.parse_args()
    server = args.server or ("gunicorn" if args.postgres else "serve")
    sys.exit(0 if run(args.n, server, args.postgres) else 1)


if __name__ == "__main__":
    main()
