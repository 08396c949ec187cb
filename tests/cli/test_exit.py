"""The ``medvigil`` script leaves a finished scan without the interpreter's teardown, with its
whole output and exit code; a process that calls ``main()`` itself exits normally."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from medvigil.cli import _exit
from tests.web.findings.test_scan_cpe_names import FIXTURE, _components

SCRIPT = Path(sys.executable).parent / "medvigil"


def _script(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(SCRIPT), *args], capture_output=True, text=True, env=env, check=False)


@pytest.mark.skipif(not SCRIPT.exists(), reason="the medvigil script is not installed beside this Python")
def test_the_script_writes_everything_and_keeps_the_exit_code(tmp_path: Path) -> None:
    env = {**os.environ, "MEDVIGIL_DATA_DIR": str(tmp_path / "store"), "MEDVIGIL_TASKS_URL": "immediate"}
    for name in ("MEDVIGIL_DATABASE_URL", "DJANGO_SETTINGS_MODULE"):  # the product's own settings
        env.pop(name, None)
    assert _script("init", env=env).returncode == 0
    assert _script("feeds", "import", str(FIXTURE), env=env).returncode == 0
    bom = tmp_path / "bom.json"
    components = [
        {
            "type": "library",
            "name": c.name,
            "version": c.version,
            "bom-ref": f"{c.bom_ref}-{n}",
            "cpe": c.cpes[0],
        }
        for n in range(50)
        for c in _components()
    ]
    bom.write_text(json.dumps({"bomFormat": "CycloneDX", "specVersion": "1.5", "components": components}))
    passed = _script("scan", str(bom), "-f", "json", "-j", "1", env=env)
    assert passed.returncode == 0, passed.stderr
    assert len(json.loads(passed.stdout)["findings"]) >= 200  # the whole document, flushed
    tripped = _script("scan", str(bom), "-f", "json", "--fail-on", "low", env=env)
    assert tripped.returncode == 1
    assert tripped.stdout == passed.stdout and "fail:" in tripped.stderr
    broken = _script("scan", str(tmp_path / "missing.json"), env=env)
    assert broken.returncode == 2 and "missing.json" in broken.stderr


def test_a_test_runner_calling_main_gets_system_exit(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_exit, "_REQUESTED", True)  # as after a scan
    assert not _exit._started_for_the_command()  # this process is pytest's
    with pytest.raises(SystemExit) as exc:
        _exit.leave(3)
    assert exc.value.code == 3
