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
RUN_KEYS = {"source", "path", "status", "error", "new", "updated", "unchanged", "withdrawn", "rejected",
            "error_count", "errors"}  # fmt: skip


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
    body = json.loads(out.stdout)
    runs = body["runs"]
    assert [set(r) for r in runs] == [RUN_KEYS, RUN_KEYS]  # README.md is not a feed: no run
    assert body["not_feeds"] == [str(tmp_path / "feeds" / "README.md")]
    assert body["totals"] == {"imported": 2, "skipped": 0, "failed": 0, "not_feeds": 1}
    by_source = {r["source"]: r for r in runs}
    assert by_source["epss"]["new"] == 5 and by_source["epss"]["errors"] == []
    osv = by_source["osv"]
    assert (osv["status"], osv["error"], osv["error_count"]) == ("imported", None, 1)
    assert (osv["new"], osv["updated"], osv["unchanged"]) == (1, 0, 0)
    (error,) = osv["errors"]
    assert set(error) == {"location", "record_id", "field", "message"} and error["location"] == "line 2"
    again = json.loads(invoke("feeds", "import", str(tmp_path / "feeds"), "-f", "json").stdout)
    assert all(
        r["status"] == "skipped" and r["new"] == r["updated"] == r["unchanged"] == 0 and r["errors"] == []
        for r in again["runs"]
    )
    assert again["totals"] == {"imported": 0, "skipped": 2, "failed": 0, "not_feeds": 1}


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
    assert run["status"] == "failed" and "nvdcve-1.1-2002.jsonl.gz" in run["error"]
    assert run["new"] == 0 and run["errors"][0]["location"] == "input"
    assert "nvdcve-1.1-2002.jsonl.gz" in run["errors"][0]["message"]
    assert not AdvisoryRecord.objects.exists()


def test_source_option_refuses_data_of_another_format(tmp_path: Path) -> None:
    kev = shared_path("kev", "known_exploited_vulnerabilities.json")
    out = invoke("feeds", "import", str(kev), "-s", "nvd", "-f", "json")
    assert out.exit_code == 2
    assert "not NVD" in json.loads(out.stdout)["runs"][0]["errors"][0]["message"]


def test_progress_bar_shows_the_total_size_and_an_eta(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import io

    from rich.console import Console

    from medvigil.cli import feeds

    out = io.StringIO()
    monkeypatch.setattr(feeds, "err_console", Console(file=out, force_terminal=True, width=200))
    folder = _folder(tmp_path)
    inputs, _ = feeds.expand_inputs([folder], None)
    total = sum(p.stat().st_size for p in inputs)
    runs = feeds._import_all(inputs, None, force=False, show=True)
    assert [r["status"] for r in runs] == ["imported", "imported"]
    shown = out.getvalue()
    assert f"/{total / 1000:.1f} kB" in shown or f"/{total} bytes" in shown  # the total is shown
    assert "-:--:--" in shown or "0:00:00" in shown  # the time-remaining column


def test_read_offset_follows_the_read_position(tmp_path: Path) -> None:
    from medvigil.cli.feeds import read_offset

    path = tmp_path / "big.jsonl"
    path.write_bytes(b"x" * 100_000)
    assert read_offset(path) is None  # not open
    with path.open("rb", buffering=0) as fh:
        fh.read(12_345)
        assert read_offset(path) == 12_345


def test_a_large_input_launches_the_worker_before_django_is_set_up(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from medvigil.cli import _django
    from medvigil.cli import feeds as feeds_cli
    from medvigil.web.advisories import workers

    launched: list[str] = []
    monkeypatch.setattr(workers, "start", lambda: launched.append("worker"))
    real_setup = _django.setup

    def setup() -> None:
        launched.append("django")
        real_setup()

    monkeypatch.setattr(_django, "setup", setup)
    monkeypatch.setattr(workers, "PIPELINE_MIN_BYTES", 10)
    small, large = tmp_path / "small.jsonl", tmp_path / "large.jsonl"
    small.write_text("{}")
    large.write_text("{}" * 10)
    feeds_cli._start_worker_early([small])
    assert launched == []  # too small for a second process
    monkeypatch.setenv("MEDVIGIL_IMPORT_WORKERS", "0")
    feeds_cli._start_worker_early([large])
    assert launched == []  # turned off
    monkeypatch.delenv("MEDVIGIL_IMPORT_WORKERS")
    result = invoke("feeds", "import", str(large), "--format", "json")
    assert launched[:2] == ["worker", "django"]  # the worker boots while Django is set up
    assert json.loads(result.stdout)["runs"][0]["status"] == "failed"  # "{}{}..." is not a feed


def test_feeds_screens_fills_what_the_import_left_null() -> None:
    from medvigil.web.advisories.models import CpeIndexEntry

    fixture = Path(__file__).resolve().parents[1] / "fixtures" / "matching" / "nvd_escaped_cpes.jsonl"
    assert invoke("feeds", "import", str(fixture), "-f", "json").exit_code == 0
    rows = CpeIndexEntry.objects.count()
    assert rows and CpeIndexEntry.objects.filter(screen=None).count() == rows
    body = json.loads(invoke("feeds", "screens", "-f", "json").stdout)
    assert body["rows"] == rows and body["records"] == 4
    assert not CpeIndexEntry.objects.filter(screen=None).exists()
    assert json.loads(invoke("feeds", "screens", "-f", "json").stdout) == {"records": 0, "rows": 0}
