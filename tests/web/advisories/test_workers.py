"""The feed import's second process: started early, checked on first use."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from medvigil.web.advisories import services, workers


def test_a_worker_started_early_is_the_pool_imports_use() -> None:
    workers.shutdown()
    try:
        workers.start()
        workers.start()  # idempotent: still one launch
        pool = workers.worker_pool()
        assert pool is not None
        assert pool.submit(os.getpid).result(timeout=60) != os.getpid()
        assert workers.worker_pool() is pool
    finally:
        workers.shutdown()


def test_the_cli_starts_it_only_for_an_input_that_will_use_it(
    db: Any, tmp_path: Path, monkeypatch: Any, settings: Any
) -> None:
    settings.FEEDS_IMPORT_WORKERS = 1
    started: list[bool] = []
    monkeypatch.setattr(services, "start_worker", lambda: started.append(True))
    small = tmp_path / "modified.jsonl"
    small.write_bytes(b"{}\n")
    services.import_worker_start([small, tmp_path])
    assert started == []
    big = tmp_path / "yearly.jsonl"
    big.write_bytes(b" " * workers.PIPELINE_MIN_BYTES)
    services.import_worker_start([small, big])
    assert started == [True]
    settings.FEEDS_IMPORT_WORKERS = 0  # MEDVIGIL_IMPORT_WORKERS=0: never
    services.import_worker_start([big])
    assert started == [True]
