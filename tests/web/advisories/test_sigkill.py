"""An import killed with SIGKILL mid-way leaves nothing half-written; the next run completes it.

Runs real processes against an SQLite store in a temporary data folder (a killed process must
own its database connection, so this test does not use the pytest-django test database).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import REPO, shared_path
from tests.web.advisories import rawcount as raw

pytestmark = pytest.mark.shared_data

IMPORT = """
import sys
from pathlib import Path
from medvigil.cli import _django
_django.migrate()
from medvigil.web.advisories.services import feed_import
result = feed_import(path=Path(sys.argv[1]), progress=lambda n: print("progress", n, flush=True))
print("done", result.failed, flush=True)
"""
STATE = """
import json
from medvigil.cli import _django
_django.migrate()
from medvigil.web.advisories.models import AdvisoryRecord, Alias, ImportRun, Vulnerability
print(json.dumps({
    "records": AdvisoryRecord.objects.count(), "vulnerabilities": Vulnerability.objects.count(),
    "aliases": Alias.objects.count(),
    "runs": [[r.status, r.new, r.message] for r in ImportRun.objects.order_by("id")],
}))
"""


def _env(data_dir: Path) -> dict[str, str]:
    env = {
        k: v for k, v in os.environ.items() if not k.startswith("MEDVIGIL_") and k != "DJANGO_SETTINGS_MODULE"
    }
    return {**env, "MEDVIGIL_DATA_DIR": str(data_dir), "PYTHONPATH": str(REPO / "src")}


def _state(env: dict[str, str]) -> dict[str, Any]:
    out = subprocess.run([sys.executable, "-c", STATE], env=env, capture_output=True, text=True, check=True)
    return dict(json.loads(out.stdout))


def test_sigkill_mid_import_keeps_nothing_and_the_rerun_completes(tmp_path: Path) -> None:
    feed = shared_path("nvd", "feeds-1.1-yearly", "nvdcve-1.1-2018.jsonl.gz")
    expected = len(raw.nvd_ids(feed))
    env = _env(tmp_path / "data")
    written = 0
    with subprocess.Popen(
        [sys.executable, "-c", IMPORT, str(feed)], env=env, stdout=subprocess.PIPE, text=True
    ) as proc:
        assert proc.stdout is not None
        for line in proc.stdout:
            if line.startswith("progress"):
                written = int(line.split()[1])
                if written >= 6000:
                    proc.send_signal(signal.SIGKILL)
                    break
        proc.wait(timeout=60)
    assert proc.returncode == -signal.SIGKILL and 6000 <= written < expected
    killed = _state(env)
    assert (killed["records"], killed["vulnerabilities"], killed["aliases"]) == (0, 0, 0)
    assert killed["runs"] == [["running", 0, ""]]

    rerun = subprocess.run(
        [sys.executable, "-c", IMPORT, str(feed)], env=env, capture_output=True, text=True, check=True
    )
    assert rerun.stdout.strip().endswith("done False")
    done = _state(env)
    assert done["records"] == expected and done["vulnerabilities"] == expected
    assert [r[:2] for r in done["runs"]] == [["failed", 0], ["succeeded", expected]]
    assert "interrupted" in done["runs"][0][2]
