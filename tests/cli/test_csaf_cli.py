"""``medvigil csaf validate`` on real CISA and OASIS conformance documents."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from medvigil.cli.main import app
from medvigil.core.errors import InputError
from tests.conftest import shared_path

runner = CliRunner()
MANDATORY = ("csaf", "oasis-csaf-2.0", "test", "validator", "data", "mandatory")


def test_a_real_cisa_advisory_is_valid_and_gets_optional_warnings_only() -> None:
    doc = shared_path("csaf", "cisa", "icsma", "icsma-19-178-01.json")
    result = runner.invoke(app, ["csaf", "validate", str(doc), "-f", "json"])
    assert result.exit_code == 0, result.output
    (out,) = json.loads(result.output)["documents"]
    assert out["valid"] is True and out["errors"] == [] and out["id"] == "ICSMA-19-178-01"
    assert all(w["test"].startswith("6.2.") for w in out["warnings"])


def test_invalid_documents_fail_with_their_test_id_and_pointer() -> None:
    bad = shared_path(*MANDATORY, "oasis_csaf_tc-csaf_2_0-2021-6-1-10-01.json")
    good = shared_path("csaf", "cisa", "icsma", "icsma-19-178-01.json")
    result = runner.invoke(app, ["csaf", "validate", str(good), str(bad), "-f", "json", "--no-optional"])
    assert result.exit_code == 1
    docs = json.loads(result.output)["documents"]
    assert [d["valid"] for d in docs] == [True, False]
    assert docs[1]["warnings"] == []
    assert any(
        e["test"] == "6.1.10" and e["pointer"].startswith("/vulnerabilities/") for e in docs[1]["errors"]
    )
    table = runner.invoke(app, ["csaf", "validate", str(bad)])
    assert "CSAF 6.1.10" in table.output and "0 valid, 1 invalid" in table.output


def test_schema_violation_and_unreadable_file(tmp_path: Path) -> None:
    bad = shared_path(*MANDATORY, "oasis_csaf_tc-csaf_2_0-2021-6-1-08-01.json")
    docs = json.loads(runner.invoke(app, ["csaf", "validate", str(bad), "-f", "json"]).output)["documents"]
    assert docs[0]["errors"][0]["test"] == "schema"
    assert docs[0]["errors"][0]["pointer"] == "/vulnerabilities/0/scores/0/cvss_v3/version"
    broken = tmp_path / "broken.json"
    broken.write_text('{"document": ')
    result = runner.invoke(app, ["csaf", "validate", str(broken)])
    # the CLI's error boundary (cli.main.main) prints this and exits with 2
    assert isinstance(result.exception, InputError)
    assert "broken.json" in str(result.exception) and "not valid JSON" in str(result.exception)
