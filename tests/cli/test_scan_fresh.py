"""``medvigil scan`` in a fresh process: read-only start-up (no admin, task queue or API apps) and
the same findings as a scan in a process with every app."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from medvigil.web.advisories.services import feed_import
from medvigil.web.findings.scan import scan_components
from tests.web.findings.test_scan_cpe_names import FIXTURE, _components

_SCAN = """
import os, sys
from medvigil.cli.main import main
try:
    main()
finally:
    loaded = sorted(m for m in os.environ["NOT_LOADED"].split(",") if m in sys.modules)
    print(",".join(loaded) or "-", file=sys.stderr)
"""


_NOT_LOADED = (
    "huey.api", "ninja", "django.contrib.admin.sites",  # the server apps
    "django.http", "django.urls", "django.views", "django.middleware.csrf",  # request handling
    "django.contrib.auth", "medvigil.web.inventory.models", "medvigil.web.risk.models",  # other apps
    "medvigil.web.remediation.signals", "medvigil.web.findings.signals",  # receivers of writes
    "medvigil.cli.cases", "medvigil.cli.feeds", "medvigil.cli.sbom",  # other commands
    "yaml", "packaging.requirements",  # readers of other formats
    "medvigil.core.sbom.spdx_json", "medvigil.core.sbom.spdx_rdf", "medvigil.core.sbom.lockfiles.npm_lock",
    "medvigil.core.sbom.lockfiles._common",
    "medvigil.core.matching.csaf_products", "rich.console",  # no CSAF rows; nothing printed through Rich
)  # fmt: skip
"""What a fresh ``medvigil scan`` of a CycloneDX JSON SBOM must not import: each costs start-up."""


def _run(code: str, *args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", code, *args], capture_output=True, text=True, env=env, check=False
    )


@pytest.mark.django_db
def test_a_fresh_scan_loads_no_server_app_and_finds_what_a_full_process_finds(tmp_path: Path) -> None:
    env = {**os.environ, "MEDVIGIL_DATA_DIR": str(tmp_path / "store"), "MEDVIGIL_TASKS_URL": "immediate"}
    env.pop("MEDVIGIL_DATABASE_URL", None)  # the subprocesses' own SQLite store, never a shared one
    setup = "import sys; from medvigil.cli import _django; _django.migrate()\n"
    setup += "from medvigil.web.advisories.services import feed_import; feed_import(path=sys.argv[1])"
    assert _run(setup, str(FIXTURE), env=env).returncode == 0
    components = _components()
    bom = tmp_path / "bom.json"
    bom.write_text(json.dumps({"bomFormat": "CycloneDX", "specVersion": "1.5", "components": [
        {"type": "library", "name": c.name, "version": c.version, "bom-ref": c.bom_ref, "cpe": c.cpes[0]}
        for c in components
    ]}))  # fmt: skip
    fresh = _run(_SCAN, "scan", str(bom), "-f", "json", env={**env, "NOT_LOADED": ",".join(_NOT_LOADED)})
    assert fresh.returncode == 0, fresh.stderr
    assert fresh.stderr.strip().splitlines()[-1] == "-"  # none of them was imported
    feed_import(path=FIXTURE)  # the same store in this (full) process
    found: list[dict[str, Any]] = json.loads(fresh.stdout)["findings"]
    expected = json.loads(json.dumps(list(scan_components(components).findings)))
    assert len(found) >= 4
    assert found == expected
