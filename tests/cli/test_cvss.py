"""``medvigil cvss`` through Typer's CliRunner."""

from __future__ import annotations

import json

import pytest
import typer
from typer.testing import CliRunner

from medvigil.cli.cvss import register
from medvigil.cli.main import run

runner = CliRunner()


def _app() -> typer.Typer:
    app = typer.Typer()
    register(app)

    @app.command()
    def other() -> None:  # a second command so Typer keeps "cvss" as a sub-command name
        """Placeholder."""

    return app


def test_json_output_has_exactly_the_documented_keys() -> None:
    result = runner.invoke(
        _app(),
        [
            "cvss",
            "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/E:P",
            "(AV:N/AC:L/Au:N/C:P/I:P/A:P)",
            "--format",
            "json",
        ],
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data == [
        {
            "vector": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/E:P",
            "version": "3.1",
            "base_score": 9.8,
            "base_severity": "CRITICAL",
            "temporal_score": 9.3,
            "environmental_score": None,
        },
        {
            "vector": "AV:N/AC:L/Au:N/C:P/I:P/A:P",
            "version": "2.0",
            "base_score": 7.5,
            "base_severity": "HIGH",
            "temporal_score": None,
            "environmental_score": None,
        },
    ]


def test_table_output_shows_scores() -> None:
    result = runner.invoke(
        _app(), ["cvss", "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N"]
    )
    assert result.exit_code == 0, result.output
    assert "9.3" in result.stdout
    assert "CRITICAL" in result.stdout


def test_malformed_vector_exits_2_with_a_clear_message(capsys: pytest.CaptureFixture[str]) -> None:
    code = run(["cvss", "CVSS:3.1/AV:N/AC:Z/PR:N/UI:N/S:U/C:H/I:H/A:H", "--format", "json"])
    out, err = capsys.readouterr()
    assert code == 2
    assert "invalid value 'Z' for metric 'AC'" in err
    assert "CVSS:3.1/AV:N/AC:Z" in err and err.startswith("medvigil: error: ")
    assert out == ""


def test_unknown_format_is_a_usage_error() -> None:
    result = runner.invoke(_app(), ["cvss", "AV:N/AC:L/Au:N/C:P/I:P/A:P", "--format", "xml"])
    assert result.exit_code == 2
