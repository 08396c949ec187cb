"""A worker killed with SIGKILL mid-delivery loses no event, and a receiver that honours the
``Idempotency-Key`` processes none twice: a real ``run_huey`` worker process posts to a receiver
on 127.0.0.1 that holds the request; the worker is killed; a new worker redelivers after the lease.

Runs real processes against a file-backed store (SQLite in a temporary data folder, or a database
of its own on the PostgreSQL server of ``MEDVIGIL_DATABASE_URL``), so it does not use the
pytest-django test database. The job queue is huey's SQLite file in the data folder.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import pytest

from tests.conftest import REPO
from tests.web.notifications.receiver import receiving

EVENTS = 20
LEASE = 3

SETUP = """
import json, sys
from medvigil.cli import _django
_django.migrate()
from django.db import transaction
from medvigil.core.notify.events import EventKind
from medvigil.web.accounts.services import user_create
from medvigil.web.notifications import services
admin = user_create(username="admin", password="correct-horse-battery", role="admin")
sub, secret = services.subscription_create(user=admin, name="receiver", channel="webhook", target=sys.argv[1])
ids = []
for n in range(int(sys.argv[2])):
    with transaction.atomic():
        ids.append(str(services.outbox_emit(kind=EventKind.CVD_RECEIVED, title=f"report {n}").uuid))
print(json.dumps({"secret": secret, "ids": ids}))
"""
STATE = """
import json
from medvigil.cli import _django
_django.setup()
from medvigil.web.notifications.models import Delivery
rows = Delivery.objects.select_related("event").order_by("id")
print(json.dumps([[str(d.event.uuid), d.state, d.attempts] for d in rows]))
"""


def _env(data_dir: Path, database_url: str) -> dict[str, str]:
    env = {
        k: v for k, v in os.environ.items() if not k.startswith("MEDVIGIL_") and k != "DJANGO_SETTINGS_MODULE"
    }
    env |= {
        "MEDVIGIL_DATA_DIR": str(data_dir),
        "MEDVIGIL_TASKS_URL": "sqlite",
        "MEDVIGIL_WEBHOOK_ALLOWED_NETWORKS": "127.0.0.0/8",
        "MEDVIGIL_NOTIFY_LEASE_SECONDS": str(LEASE),
        "MEDVIGIL_NOTIFY_RETRY_BASE_SECONDS": "1",
        "MEDVIGIL_LOG_LEVEL": "WARNING",
        "DJANGO_SETTINGS_MODULE": "medvigil.web.config.settings",
        "PYTHONPATH": str(REPO / "src"),
    }
    if database_url:
        env["MEDVIGIL_DATABASE_URL"] = database_url
    return env


def _run(script: str, env: dict[str, str], *args: str) -> Any:
    out = subprocess.run(
        [sys.executable, "-c", script, *args],
        env=env,
        capture_output=True,
        text=True,
        check=True,
        timeout=180,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def _worker(env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    with log.open("ab") as out:
        return subprocess.Popen(
            [sys.executable, "-m", "django", "run_huey", "--workers", "2", "--worker-type", "thread"],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )


def _stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def _scenario(tmp_path: Path, database_url: str) -> None:
    env = _env(tmp_path / "data", database_url)
    log = tmp_path / "worker.log"
    with receiving(hold_after=5) as rx:
        made = _run(SETUP, env, rx.url, str(EVENTS))
        rx.secrets = [made["secret"]]  # the receiver verifies every request (documented helper)
        ids = set(made["ids"])
        assert len(ids) == EVENTS
        first = _worker(env, log)
        try:
            assert rx.holding.wait(60), f"no request arrived; worker log:\n{log.read_text()}"
            time.sleep(0.5)  # let the second worker thread reach the receiver too
            os.kill(first.pid, signal.SIGKILL)
            first.wait(timeout=30)
        finally:
            if first.poll() is None:
                first.kill()
        assert first.returncode == -signal.SIGKILL
        with rx.lock:
            in_flight = set(rx.held)
            rx.hold_after = None
        rx.release.set()
        killed = _run(STATE, env)
        abandoned = {key for key, state, _ in killed if state == "sending"}
        assert in_flight and in_flight <= abandoned, (in_flight, killed)
        assert len(rx.processed) < EVENTS  # the kill really left work undone

        time.sleep(LEASE + 0.5)  # the killed worker's claims expire
        second = _worker(env, log)
        try:
            delivered = rx.wait_for(lambda r: len(r.processed) == EVENTS, timeout=90)
            assert delivered, f"receiver has {len(rx.processed)} of {EVENTS}; log:\n{log.read_text()}"
            deadline = time.monotonic() + 60
            while True:
                final = _run(STATE, env)
                if all(state == "delivered" for _, state, _ in final) or time.monotonic() > deadline:
                    break
                time.sleep(0.5)
        finally:
            _stop(second)

    assert set(rx.processed) == ids  # no event lost
    assert all(count == 1 for count in rx.processed.values())  # each processed once
    assert rx.rejected == 0  # every request carried a valid signature
    assert set(rx.duplicates) <= abandoned  # only what the killed worker held came twice ...
    assert set(rx.duplicates) & in_flight  # ... and it did: the receiver dropped it by its key
    assert len(final) == EVENTS and all(state == "delivered" for _, state, _ in final), final
    attempts = {key: n for key, _, n in final}
    assert all(attempts[key] == 2 for key in abandoned) and all(
        n == 1 for key, n in attempts.items() if key not in abandoned
    )


def test_sigkill_during_webhook_delivery_on_sqlite(tmp_path: Path) -> None:
    _scenario(tmp_path, "")


@pytest.fixture
def postgres_url() -> Iterator[str]:
    base = os.environ.get("MEDVIGIL_DATABASE_URL", "")
    if not base.startswith(("postgres://", "postgresql://")):
        pytest.skip("the PostgreSQL run needs MEDVIGIL_DATABASE_URL=postgres://.../NAME")
    import psycopg

    parts = urlsplit(base)
    name = f"{parts.path.lstrip('/') or 'medvigil'}_sigkill_{os.getpid()}"
    admin_url = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield urlunsplit(parts._replace(path=f"/{name}"))
    finally:
        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_sigkill_during_webhook_delivery_on_postgresql(tmp_path: Path, postgres_url: str) -> None:
    _scenario(tmp_path, postgres_url)
