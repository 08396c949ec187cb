"""CLI conventions, checked over every command of the app: ``--format json``, the product argument,
wide tables in a pipe, and the scan gate that never passes silently.
"""

from __future__ import annotations

import inspect
import json
import typing
from pathlib import Path
from typing import Annotated, Any

import pytest
from typer.testing import CliRunner

from medvigil.cli.main import app, run
from medvigil.cli.output import PIPED_WIDTH, OutputFormat
from tests.cli.test_errors import command_paths
from tests.web.conftest import DEMO_DATA

runner = CliRunner()

NO_FORMAT = {"serve", "worker"}
"""Long-running servers: they print a banner, not a result."""
OWN_FORMAT = {"scan": {"table", "json", "sarif", "cyclonedx-vex"}, "sbom export": {"cyclonedx", "spdx"},
              "advisory export": {"csaf", "csaf-vex", "cyclonedx-vex", "openvex", "notice-html",
                                  "notice-pdf", "stix"}}  # fmt: skip
"""Commands whose ``--format`` chooses a document format (all of them JSON)."""


def _invoke(*args: str) -> Any:
    return runner.invoke(app, list(args), catch_exceptions=False)


def _option(cmd: Any, name: str) -> Any:
    return next((p for p in cmd.params if getattr(p, "opts", None) and name in p.opts), None)


def _annotation(cmd: Any, param: str) -> Any:
    """The type a command's function declares for a parameter (read from the function, not from
    Typer's internals, which differ between releases)."""
    hint = typing.get_type_hints(inspect.unwrap(cmd.callback), include_extras=True)[param]
    return typing.get_args(hint)[0] if typing.get_origin(hint) is Annotated else hint


@pytest.mark.parametrize(("name", "cmd"), list(command_paths()), ids=[n for n, _ in command_paths()])
def test_every_command_that_prints_has_format_json(name: str, cmd: Any) -> None:
    option = _option(cmd, "--format")
    if name in NO_FORMAT:
        assert option is None
        return
    assert option is not None, f"{name} has no --format"
    kind = _annotation(cmd, option.name)
    if name in OWN_FORMAT:
        assert {f.value for f in kind} == OWN_FORMAT[name]
    else:
        assert kind is OutputFormat, f"{name}: use FormatOpt of medvigil.cli.output"
    assert "-f" in option.opts


@pytest.mark.parametrize(("name", "cmd"), list(command_paths()), ids=[n for n, _ in command_paths()])
def test_the_product_is_always_a_positional_argument(name: str, cmd: Any) -> None:
    for param in cmd.params:
        if param.name == "product":
            assert param.param_type_name == "argument", f"{name}: the product must be positional"
        elif getattr(param, "opts", None) and "--product" in param.opts:
            assert param.hidden, f"{name}: --product is only a hidden deprecated alias"


def test_vex_and_sbom_commands_take_the_product_first() -> None:
    for name, cmd in command_paths():
        arguments = [p.name for p in cmd.params if p.param_type_name == "argument"]
        if "product" in arguments:
            assert arguments[0] == "product", name


@pytest.mark.django_db
def test_deprecated_product_option_still_works_with_a_warning(capsys: pytest.CaptureFixture[str]) -> None:
    _invoke("product", "add", "Pump", "--slug", "pump")
    assert run(["case", "list", "-p", "pump", "-f", "json"]) == 0
    out, err = capsys.readouterr()
    assert json.loads(out) == [] and "-p/--product is deprecated" in err
    assert run(["rematch", "--product", "pump", "-f", "json"]) == 0
    out, err = capsys.readouterr()
    assert json.loads(out)["versions"] == 0 and "deprecated" in err


@pytest.mark.django_db
def test_new_json_outputs(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _invoke("product", "add", "Cloud", "--slug", "cloud")
    _invoke("version", "add", "cloud", "14")
    lock = str(DEMO_DATA / "nightscout-14.2.6-package-lock.json")
    assert _invoke("sbom", "import", "cloud", "14", lock).exit_code == 0

    def json_of(*args: str) -> Any:
        out = _invoke(*args, "--format", "json")
        assert out.exit_code == 0, out.output
        return json.loads(out.stdout)

    rematched = json_of("rematch", "cloud")
    assert rematched["versions"] == 1 and rematched["components"] > 900 and "seconds" in rematched
    assert json_of("case", "sync", "cloud") == [
        {"product": "cloud", "opened": 0, "joined": 0, "left": 0, "carried": 0, "review": 0}
    ]
    support = json_of("sbom", "support", "cloud", "14", str(DEMO_DATA / "support-addendum.csv"))
    assert support["product"] == "cloud" and support["updated"] > 0
    user = json_of("user", "create", "ann", "--role", "analyst")
    assert user["username"] == "ann" and user["role"] == "analyst" and len(user["password"]) >= 12
    assert json_of("user", "create", "bob", "--password", "s3cret-pass")["password"] == ""
    token = json_of("token", "create", "ann", "--name", "ci")
    assert token["username"] == "ann" and token["name"] == "ci" and len(token["token"]) > 20
    assert json_of("init")["database"]
    assert json_of("cvss", "AV:N/AC:L/Au:N/C:P/I:P/A:P")[0]["base_score"] == 7.5


@pytest.mark.django_db
def test_tables_are_not_cut_to_80_columns_in_a_pipe() -> None:
    name = "Infusion pump with a very long marketing name " * 3
    _invoke("product", "add", name.strip(), "--slug", "pump", "--interface", "wifi,ble,ethernet,usb")
    out = _invoke("product", "list")
    assert out.exit_code == 0
    row = next(line for line in out.stdout.splitlines() if "pump" in line)
    assert name.strip() in row and len(row) > 120 and "…" not in out.stdout


def test_piped_width_is_wide_unless_columns_is_set(monkeypatch: pytest.MonkeyPatch) -> None:
    import io

    from medvigil.cli.output import _width

    assert PIPED_WIDTH >= 200
    monkeypatch.delenv("COLUMNS", raising=False)
    assert _width(io.StringIO()) == PIPED_WIDTH
    monkeypatch.setenv("COLUMNS", "100")
    assert _width(io.StringIO()) is None  # rich reads COLUMNS itself

    class Tty(io.StringIO):
        def isatty(self) -> bool:
            return True

    monkeypatch.delenv("COLUMNS")
    assert _width(Tty()) is None


@pytest.mark.django_db
def test_scan_of_an_unpinned_requirements_file_warns_and_fails_the_gate(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    unpinned = tmp_path / "requirements.txt"
    unpinned.write_text("flask>=2\nrequests\n")
    assert run(["scan", str(unpinned), "-f", "json"]) == 0  # no gate: a warning only
    out, err = capsys.readouterr()
    assert json.loads(out) == {"findings": []}
    assert "medvigil: warning:" in err and "no pinned package found" in err and "'flask' is not pinned" in err
    for gate in (["--fail-on", "critical"], ["--fail-on-kev"], ["--fail-on-epss", "0.9"]):
        assert run(["scan", str(unpinned), *gate]) == 1, gate
        assert "fail: nothing was scanned" in capsys.readouterr().err


@pytest.mark.django_db
def test_scan_reads_a_pinned_file_under_any_name(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    deps = tmp_path / "deps.txt"
    deps.write_text("flask==2.0.1\nrequests==2.31.0\n")
    assert run(["scan", str(deps), "--fail-on", "critical"]) == 0
    out, err = capsys.readouterr()
    assert "in 2 components" in out and "warning" not in err
