"""``medvigil feeds export-bundle`` / ``import-bundle``: JSON contract, refusal exit code, re-import."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from medvigil.cli.main import app, run
from medvigil.web.advisories.models import AdvisoryRecord, EpssScore, ImportRun, Source
from medvigil.web.advisories.services import feed_import
from tests.conftest import shared_path

runner = CliRunner()
pytestmark = pytest.mark.django_db


def invoke(*args: str) -> Any:
    return runner.invoke(app, list(args), catch_exceptions=False)


@pytest.fixture
def store() -> None:
    for path in (
        shared_path("csaf", "cisa", "icsma", "icsma-19-178-01.json"),
        shared_path("nvd", "api-2.0-samples", "nvd-cve-api-2.0-single-entry.json"),
        shared_path("epss", "first-epss-csv-format-sample.csv"),
    ):
        assert not feed_import(path=path).failed


def _empty() -> None:
    AdvisoryRecord.objects.all().delete()
    EpssScore.objects.all().delete()
    ImportRun.objects.all().delete()
    for model in ("cpeindexentry", "alias", "vulnerability"):
        AdvisoryRecord._meta.apps.get_model("advisories", model).objects.all().delete()
    Source.objects.all().delete()


def test_export_then_import_into_an_empty_store(store: None, tmp_path: Path) -> None:
    bundle = tmp_path / "intel.tar"
    records = AdvisoryRecord.objects.count()
    out = invoke("feeds", "export-bundle", str(bundle), "--format", "json")
    assert out.exit_code == 0, out.output
    manifest = json.loads(out.stdout)["manifest"]
    assert manifest["format"] == "medvigil-feed-bundle" and manifest["format_version"] == 1
    assert {e["parser"] for e in manifest["entries"]} == {"csaf", "nvd", "epss"}
    assert set(manifest["entries"][0]) == {"source", "parser", "file", "sha256", "size", "records"}
    _empty()
    checked = invoke("feeds", "import-bundle", str(bundle), "--verify-only", "--format", "json")
    assert checked.exit_code == 0 and json.loads(checked.stdout)["verified"] is True
    assert AdvisoryRecord.objects.count() == 0
    out = invoke("feeds", "import-bundle", str(bundle), "--format", "json")
    assert out.exit_code == 0, out.output
    runs = json.loads(out.stdout)["runs"]
    assert {r["status"] for r in runs} == {"imported"}
    assert AdvisoryRecord.objects.count() == records and EpssScore.objects.count() == 5
    again = json.loads(invoke("feeds", "import-bundle", str(bundle), "--format", "json").stdout)
    assert {r["status"] for r in again["runs"]} == {"skipped"}
    table = invoke("feeds", "import-bundle", str(bundle))
    assert table.exit_code == 0 and "skipped" in table.stdout


def test_source_filter_and_bad_since(store: None, tmp_path: Path) -> None:
    out = invoke("feeds", "export-bundle", str(tmp_path / "e.tar"), "--source", "epss", "--format", "json")
    assert [e["parser"] for e in json.loads(out.stdout)["manifest"]["entries"]] == ["epss"]
    bad = invoke("feeds", "export-bundle", str(tmp_path / "x.tar"), "--since", "last week")
    assert bad.exit_code == 2 and "YYYY-MM-DD" in bad.output


def test_truncated_bundle_exits_2_and_writes_nothing(
    store: None, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bundle = tmp_path / "intel.tar"
    assert invoke("feeds", "export-bundle", str(bundle)).exit_code == 0
    cut = tmp_path / "cut.tar"
    cut.write_bytes(bundle.read_bytes()[: bundle.stat().st_size // 3])
    _empty()
    for extra in ((), ("--verify-only",)):
        assert run(["feeds", "import-bundle", str(cut), *extra]) == 2
        (line,) = capsys.readouterr().err.splitlines()
        assert line.startswith("medvigil: error: ") and "truncated" in line
    assert AdvisoryRecord.objects.count() == 0 and ImportRun.objects.count() == 0
