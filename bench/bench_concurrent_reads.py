"""Concurrent page reads against a live ``medvigil serve``: no server error at any concurrency.

Issue: on PostgreSQL, Django's threaded server opened a connection per request thread, so more
than ~100 simultaneous requests exhausted ``max_connections`` and answered 500. This starts
``medvigil serve`` (a fresh SQLite data folder, or ``MEDVIGIL_DATABASE_URL``), logs in an admin,
then fires ``requests`` GETs of ``page`` all at once (httpx asyncio, one connection each) and
prints the status counts, the wall time and the latency percentiles.

    python bench/bench_concurrent_reads.py [requests=200] [page=/]
"""

from __future__ import annotations

import asyncio
import os
import statistics
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Coroutine
from pathlib import Path
from typing import Any, TypeVar

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_concurrent_uploads import ADMIN_PASSWORD, _free_port, _medvigil, _serve  # noqa: E402


def _login(base: str) -> dict[str, str]:
    with httpx.Client(base_url=base, timeout=60) as client:
        client.get("/login/")
        csrf = client.cookies["csrftoken"]
        resp = client.post(
            "/login/", data={"username": "bench", "password": ADMIN_PASSWORD, "csrfmiddlewaretoken": csrf}
        )
        if resp.status_code != 302:
            raise SystemExit(f"login failed: {resp.status_code}")
        return dict(client.cookies.items())


async def _fire(
    base: str, cookies: dict[str, str], page: str, requests: int
) -> tuple[Counter[int], list[float]]:
    statuses: Counter[int] = Counter()
    latencies: list[float] = []
    start = asyncio.Event()

    async def one() -> None:
        # A connection (and so a server thread's turn) per request, as many browsers at once.
        async with httpx.AsyncClient(base_url=base, cookies=cookies, timeout=300) as client:
            await start.wait()
            began = time.perf_counter()
            try:
                statuses[(await client.get(page)).status_code] += 1
            except httpx.HTTPError as exc:
                statuses[-1] += 1  # connection refused or reset: as bad as a 500
                print(f"  transport error: {exc!r}")
            latencies.append(time.perf_counter() - began)

    tasks = [asyncio.create_task(one()) for _ in range(requests)]
    await asyncio.sleep(0.5)
    start.set()
    await asyncio.gather(*tasks)
    return statuses, latencies


def _peak_connections(url: str, stop: threading.Event, peak: list[int]) -> None:
    """Sample the server's connections to its PostgreSQL database until ``stop``."""
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        while not stop.is_set():
            row = conn.execute(
                "SELECT count(*) FROM pg_stat_activity"
                " WHERE datname = current_database() AND pid <> pg_backend_pid()"
            ).fetchone()
            peak[0] = max(peak[0], int(row[0]) if row else 0)
            stop.wait(0.05)


T = TypeVar("T")


def _in_own_loop(work: Coroutine[Any, Any, T]) -> T:
    """``asyncio.run(work)`` in a thread of its own: the caller's thread may already run an event
    loop (pytest under some plugins), where ``asyncio.run`` refuses to start."""
    out: list[T] = []
    thread = threading.Thread(target=lambda: out.append(asyncio.run(work)))
    thread.start()
    thread.join()
    if not out:
        raise RuntimeError("the requests' event loop failed (see the thread's traceback above)")
    return out[0]


def run(requests: int = 200, page: str = "/") -> Counter[int]:
    """Serve, fire ``requests`` GETs of ``page`` at once, print and return the status counts."""
    env = dict(os.environ)
    env.setdefault("MEDVIGIL_DATA_DIR", tempfile.mkdtemp(prefix="medvigil-bench-"))
    env["MEDVIGIL_LOG_LEVEL"] = "WARNING"
    engine = "PostgreSQL" if env.get("MEDVIGIL_DATABASE_URL", "").startswith("postgres") else "SQLite"
    _medvigil(env, "init", "--admin", "bench", "--password", ADMIN_PASSWORD)
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    proc = _serve(env, port)
    try:
        cookies = _login(base)
        stop, peak = threading.Event(), [0]
        sampler = threading.Thread(
            target=_peak_connections, args=(env.get("MEDVIGIL_DATABASE_URL", ""), stop, peak)
        )
        if engine == "PostgreSQL":
            sampler.start()
        began = time.perf_counter()
        try:
            statuses, latencies = _in_own_loop(_fire(base, cookies, page, requests))
        finally:
            stop.set()
        wall = time.perf_counter() - began
        if sampler.is_alive():
            sampler.join()
    finally:
        proc.terminate()
        proc.wait(timeout=60)
    errors = sum(v for k, v in statuses.items() if k >= 500 or k < 0)
    cut = statistics.quantiles(latencies, n=20)
    print(f"{engine}: {requests} concurrent GET {page}")
    print(f"  statuses: {dict(sorted(statuses.items()))} (server errors: {errors})")
    print(f"  wall {wall:.1f} s, latency median {statistics.median(latencies):.2f} s, p95 {cut[18]:.2f} s")
    if engine == "PostgreSQL":
        print(f"  peak server connections to the database: {peak[0]}")
    return statuses


if __name__ == "__main__":
    args = sys.argv[1:]
    run(int(args[0]) if args else 200, args[1] if len(args) > 1 else "/")
