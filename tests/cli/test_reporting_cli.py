"""``medvigil reporting evaluate``: no database, the documented JSON shape, exit 2 naming the field."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.core.remediation.examples import EXAMPLES


def _run(tmp_path: Path, facts: Any, *extra: str) -> subprocess.CompletedProcess[str]:
    path = tmp_path / "facts.json"
    path.write_text(json.dumps(facts) if not isinstance(facts, str) else facts)
    code = "import sys; from medvigil.cli.main import main; sys.argv[0] = 'medvigil'; main()"
    return subprocess.run(
        [sys.executable, "-c", code, "reporting", "evaluate", str(path), *extra],
        capture_output=True, text=True, check=False,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(Path(__file__).parents[2] / "src"),
             "DJANGO_SETTINGS_MODULE": "no.such.settings"},
    )  # fmt: skip


@pytest.mark.parametrize("name", sorted(EXAMPLES))
def test_examples_over_the_cli_without_a_database(tmp_path: Path, name: str) -> None:
    facts, expected = EXAMPLES[name]
    done = _run(tmp_path, facts, "--format", "json")
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    assert {o["code"]: o["outcome"] for o in out["obligations"]} == expected
    assert out["risk_status"] == facts["risk_status"]
    for o in out["obligations"]:
        assert set(o) == {"code", "regulation", "outcome", "due", "calendar", "reason"}
        assert o["calendar"] in (None, "calendar_days", "working_days", "work_days")


def test_table_output(tmp_path: Path) -> None:
    done = _run(tmp_path, EXAMPLES["EX-U4"][0])
    assert done.returncode == 0 and "803.53" in done.stdout


@pytest.mark.parametrize(
    ("facts", "needle"),
    [
        ({**EXAMPLES["EX-U1"][0], "communication_sent": None}, "field 'communication_parts'"),
        ({k: v for k, v in EXAMPLES["EX-U1"][0].items() if k != "today"}, "field 'today'"),
        ("{not json", "not JSON"),
        ([1, 2], "must be a JSON object"),
    ],
)
def test_bad_facts_exit_2_naming_file_and_field(tmp_path: Path, facts: Any, needle: str) -> None:
    done = _run(tmp_path, facts, "--format", "json")
    assert done.returncode == 2
    assert needle in " ".join(done.stderr.split()) and "facts.json" in done.stderr
    assert done.stdout == ""
