"""``medvigil feeds import``: folders, the JSON contract, skipped re-imports and exit codes."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from medvigil.cli.main import app
from medvigil.web.advisories.models import AdvisoryRecord
from tests.conftest import shared_path

runner = CliRunner()
pytestmark = pytest.mark.django_db
RUN_KEYS = {"source", "path", "new", "updated", "unchanged", "withdrawn", "rejected", "errors"}


def invoke(*args: str) -> Any:
    return runner.invoke(app, list(args), catch_exceptions=False)


def _folder(tmp_path: Path) -> Path:
    folder = tmp_path / "feeds"
    folder.mkdir()
    package = {"package": {"ecosystem": "PyPI", "name": "demo"}, "versions": ["1.0"]}
    good = {
        "schema_version": "1.6.0",
        "id": "PYSEC-1",
        "modified": "2024-01-01T00:00:00Z",
        "affected": [package],
    }
    (folder / "osv.jsonl").write_text(json.dumps(good) + "\n{broken\n")
    (folder / "README.md").write_text("not a feed\n")
    sample = shared_path("epss", "first-epss-csv-format-sample.csv")
    (folder / "nested").mkdir()
    (folder / "nested" / sample.name).write_bytes(sample.read_bytes())
    return folder


def test_json_output_follows_the_documented_contract(tmp_path: Path) -> None:
    out = invoke("feeds", "import", str(_folder(tmp_path)), "--format", "json")
    assert out.exit_code == 0, out.output
    runs = json.loads(out.stdout)["runs"]
    assert [set(r) for r in runs] == [RUN_KEYS, RUN_KEYS]  # README.md is not a feed: no run
    by_source = {r["source"]: r for r in runs}
    assert by_source["epss"]["new"] == 5 and by_source["epss"]["errors"] == []
    osv = by_source["osv"]
    assert (osv["new"], osv["updated"], osv["unchanged"]) == (1, 0, 0)
    (error,) = osv["errors"]
    assert set(error) == {"location", "record_id", "field", "message"} and error["location"] == "line 2"
    again = json.loads(invoke("feeds", "import", str(tmp_path / "feeds"), "-f", "json").stdout)["runs"]
    assert all(
        r["new"] == r["updated"] == r["unchanged"] == 0 and r["errors"] == [] for r in again
    )  # skipped


def test_table_output_names_the_skipped_inputs_and_record_errors(tmp_path: Path) -> None:
    folder = _folder(tmp_path)
    invoke("feeds", "import", str(folder))
    out = invoke("feeds", "import", str(folder))
    assert out.exit_code == 0
    assert "skipped" in out.stdout and "1 file(s) in the given folders are not feeds" in out.stdout


def test_a_failed_run_exits_2_and_keeps_nothing(tmp_path: Path) -> None:
    data = shared_path("nvd", "feeds-1.1-yearly", "nvdcve-1.1-2002.jsonl.gz").read_bytes()
    cut = tmp_path / "nvdcve-1.1-2002.jsonl.gz"
    cut.write_bytes(data[: len(data) // 2])
    out = invoke("feeds", "import", str(cut), "--format", "json")
    assert out.exit_code == 2
    (run,) = json.loads(out.stdout)["runs"]
    assert run["new"] == 0 and run["errors"][0]["location"] == "input"
    assert "nvdcve-1.1-2002.jsonl.gz" in run["errors"][0]["message"]
    assert not AdvisoryRecord.objects.exists()


def test_source_option_refuses_data_of_another_format(tmp_path: Path) -> None:
    kev = shared_path("kev", "known_exploited_vulnerabilities.json")
    out = invoke("feeds", "import", str(kev), "-s", "nvd", "-f", "json")
    assert out.exit_code == 2
    assert "not NVD" in json.loads(out.stdout)["runs"][0]["errors"][0]["message"]
