"""Background jobs: feed imports through huey (``medvigil worker`` runs them)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from huey.contrib.djhuey import db_task

from medvigil.web.advisories.presenters import RUN_COUNTS
from medvigil.web.advisories.services import feed_import


@db_task()  # type: ignore[untyped-decorator]
def feed_import_task(path: str, source: str | None = None, force: bool = False) -> dict[str, Any]:
    """Import one feed input; returns the run's id, status and counts (huey keeps the result)."""
    result = feed_import(path=Path(path), source=source, force=force)
    run = result.run
    return {
        "run": run.pk if run else None,
        "status": "skipped" if result.skipped else (run.status if run else "failed"),
        "message": result.message,
        **{name: result.counts[name] for name in RUN_COUNTS},
    }
