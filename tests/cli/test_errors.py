"""Every command's bad input: one ``medvigil: error:`` line naming the culprit, exit code 2.

The commands are enumerated from the Typer app, so a new command without a case here fails
``test_every_command_has_bad_input_cases``.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import typer.main

from medvigil.cli import main as cli_main
from medvigil.cli.main import app, run

MISSING = "/nonexistent/medvigil-test/missing.json"


def command_paths() -> Iterator[tuple[str, Any]]:
    """``("sbom import", click command)`` for every leaf command of the app."""

    def walk(cmd: Any, path: list[str]) -> Iterator[tuple[str, Any]]:
        subcommands = getattr(cmd, "commands", None)
        if subcommands is None:
            yield " ".join(path), cmd
            return
        for name, sub in sorted(subcommands.items()):
            yield from walk(sub, [*path, name])

    yield from walk(typer.main.get_command(app), [])


def _not_json(tmp_path: Path) -> str:
    path = tmp_path / "not.json"
    path.write_text("{ this is not json")
    return str(path)


def _not_a_tar(tmp_path: Path) -> str:
    path = tmp_path / "bundle.tar"
    path.write_bytes(b"not a tar file at all" * 100)
    return str(path)


def _addendum(tmp_path: Path) -> str:
    path = tmp_path / "support.csv"
    path.write_text("component,support_level,end_of_support\n")
    return str(path)


# Per command: (arguments, text the one error line must contain). Callables get tmp_path.
BAD_INPUT: dict[str, list[tuple[list[Any], str]]] = {
    "advisory draft": [(["999", "--user", "x"], "no case 999"), (["abc", "--user", "x"], "'case_id'")],
    "advisory submit": [(["999", "--user", "x"], "no advisory 999"), (["1"], "missing option '--user'")],
    "advisory publish": [(["999", "--user", "x"], "no advisory 999"), (["abc", "-u", "x"], "'advisory_id'")],
    "advisory show": [(["999"], "no advisory 999"), (["abc"], "'advisory_id'")],
    "advisory share": [
        (["999", "-u", "x", "--with", "H-ISAC", "-o", "b.json"], "no advisory 999"),
        (["1", "-u", "x", "-o", "b.json"], "missing option '--with'"),
        (["1", "-u", "x", "--with", "H-ISAC", "-o", "b.json", "--format", "xml"], "'--format'"),
    ],
    "advisory export": [
        (["999", "-o", "x.json"], "no advisory 999"),
        (["1", "-o", "x", "-f", "pdf"], "'--format'"),
    ],
    "audit anchor": [(["--format", "xml"], "'--format'")],
    "audit export": [
        (["--format", "xml"], "'--format'"),
        (["--output", "/nonexistent/dir/x.json"], "x.json"),
    ],
    "audit verify": [(["--anchor", MISSING], "missing.json"), (["--anchor", _not_json], "not JSON")],
    "case assess": [(["abc"], "'case_id'"), (["999"], "no case 999")],
    "case action": [
        (["999", "--kind", "validation", "--on", "2026-01-01", "--user", "x"], "no case 999"),
        (["1", "--kind", "validation", "--on", "soon", "--user", "x"], "YYYY-MM-DD"),
    ],
    "case clock": [
        (["999"], "no case 999"),
        (["--limit", "x"], "'--limit'"),
        (["--assignee", "nobody"], "nobody"),
    ],
    "case facts": [
        (["999", "--user", "x", "--reason", "r"], "no case 999"),
        (["1", "--reason", "r"], "'--user'"),
    ],
    "case plan": [
        (["999", "--text", "t", "--user", "x"], "no case 999"),
        (["abc", "--text", "t"], "'case_id'"),
    ],
    "case transition": [
        (["999", "--to", "closed", "--user", "x"], "no case 999"),
        (["abc", "--to", "closed", "--user", "x"], "'case_id'"),
    ],
    "case assign": [(["999", "bob"], "no case 999"), (["abc", "bob"], "'case_id'")],
    "case close": [(["999", "--user", "x"], "no case 999"), (["1"], "missing option '--user'")],
    "case confirm": [(["999", "--user", "x"], "no case 999"), (["abc", "--user", "x"], "'case_id'")],
    "case list": [(["nope"], "no product 'nope'"), (["--format", "xml"], "'--format'")],
    "case show": [(["999"], "no case 999"), (["abc"], "'case_id'")],
    "cvd list": [(["--state", "bogus"], "state must be one of"), (["--format", "xml"], "'--format'")],
    "cvd show": [(["CVD-1999-0001"], "no report 'CVD-1999-0001'"), ([], "missing argument")],
    "case sync": [(["nope"], "no product 'nope'")],
    "csaf validate": [([MISSING], "missing.json"), ([_not_json], "not.json: not valid JSON")],
    "cvss": [(["CVSS:3.1/AV:X"], "CVSS:3.1/AV:X"), ([], "missing argument 'vectors")],
    "demo": [(["--port", "eighty"], "'--port'")],
    "feeds export-bundle": [(["x.tar", "--since", "last week"], "YYYY-MM-DD"), ([], "missing argument")],
    "feeds import": [([MISSING], "missing.json' does not exist"), (["-f", "xml", MISSING], "'--format'")],
    "feeds import-bundle": [([MISSING], "missing.json' does not exist"), ([_not_a_tar], "bundle.tar")],
    "feeds sync": [(["nope"], "unknown feed source(s) nope")],
    "feeds screens": [(["--format", "xml"], "'--format'"), (["extra"], "unexpected extra argument")],
    "init": [(["--format", "xml"], "'--format'")],
    "notifications list": [(["--state", "bogus"], "--state must be one of"), (["--limit", "0"], "'--limit'")],
    "notifications retry": [(["999"], "no dead or pending delivery 999"), ([], "choose every dead one")],
    "notifications test": [(["999"], "no subscription 999"), (["abc"], "'subscription'")],
    "metrics": [
        (["nope"], "no product 'nope'"),
        (["--granularity", "year"], "'--granularity'"),
        (["--periods", "0"], "periods"),
    ],
    "product add": [([], "missing argument 'name'"), (["P", "--end-of-support", "soon"], "YYYY-MM-DD")],
    "product edit": [(["nope", "--set", "name=x"], "no product 'nope'"), (["nope"], "nothing to change")],
    "product list": [(["--format", "xml"], "'--format'")],
    "product show": [(["nope"], "no product 'nope'")],
    "reporting evaluate": [
        ([MISSING], "missing.json: cannot read file"),
        ([_not_json], "not.json: not JSON"),
    ],
    "rematch": [(["nope"], "no product 'nope'")],
    "sbom check": [([MISSING], "missing.json: cannot read file"), ([_not_json], "not.json")],
    "sbom diff": [(["nope", "1", "2"], "'nope'")],
    "sbom export": [(["nope", "1"], "'nope'"), (["nope", "1", "-f", "xml"], "'--format'")],
    "sbom horizon": [(["nope", "1"], "'nope'")],
    "sbom import": [(["nope", "1", MISSING], "'nope'"), (["nope", "1"], "missing argument 'file'")],
    "sbom support": [(["nope", "1", _addendum], "'nope'")],
    "scan": [([MISSING], "missing.json: cannot read file"), ([MISSING, "--fail-on", "x"], "'--fail-on'")],
    "serve": [(["--port", "eighty"], "'--port'")],
    "token create": [(["nobody"], "no user 'nobody'")],
    "user create": [(["u", "--role", "boss"], "unknown role 'boss'")],
    "version add": [
        (["nope", "1.0"], "no product 'nope'"),
        (["p", "1", "--release-date", "x"], "YYYY-MM-DD"),
    ],
    "vex import": [(["nope", MISSING], "no product 'nope'"), ([MISSING, "-p", "x"], "first argument")],
    "vex list": [(["nope"], "no product 'nope'"), (["-p", "nope"], "'medvigil vex list PRODUCT")],
    "vex remove": [(["nope", "1"], "no product 'nope'"), (["nope", "abc"], "'document_id'")],
    "worker": [(["--workers", "many"], "'--workers'")],
}


def test_every_command_has_bad_input_cases() -> None:
    commands = {name for name, _ in command_paths()}
    assert commands == set(BAD_INPUT), (
        f"commands without bad-input cases: {sorted(commands - set(BAD_INPUT))}; "
        f"cases for commands that do not exist: {sorted(set(BAD_INPUT) - commands)}"
    )


CASES = [(name, i) for name, cases in sorted(BAD_INPUT.items()) for i in range(len(cases))]


@pytest.mark.django_db
@pytest.mark.parametrize(("command", "index"), CASES, ids=[f"{c}-{i}" for c, i in CASES])
def test_bad_input_prints_one_line_and_exits_2(
    command: str, index: int, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args, expected = BAD_INPUT[command][index]
    argv = [*command.split(), *(a(tmp_path) if callable(a) else a for a in args)]
    code = run(argv)
    out, err = capsys.readouterr()
    lines = [line for line in err.splitlines() if not line.startswith("medvigil: warning:")]
    assert code == 2, err
    assert len(lines) == 1, err
    assert lines[0].startswith("medvigil: error: ") and expected in lines[0], lines[0]
    assert "Traceback" not in err and out == ""


def test_a_usage_error_names_the_command_and_the_argument(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["scan"]) == 2
    assert capsys.readouterr().err == (
        "medvigil: error: scan: missing argument 'file' (see 'medvigil scan --help')\n"
    )


def test_unknown_command_and_option(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["bogus"]) == 2
    assert capsys.readouterr().err.startswith("medvigil: error: no such command 'bogus'")
    assert run(["sbom", "check", "--bogus"]) == 2
    assert "sbom check: no such option: --bogus" in capsys.readouterr().err


def _failing(monkeypatch: pytest.MonkeyPatch, exc: BaseException) -> None:
    def boom(*args: Any, **kwargs: Any) -> None:
        raise exc

    monkeypatch.setattr("medvigil.core.risk.cvss.parse_vector", boom)
    monkeypatch.setattr("medvigil.cli.cvss.parse_vector", boom)


@pytest.mark.parametrize(
    ("exc", "expected"),
    [
        (FileNotFoundError(2, "No such file or directory", "a.json"), "a.json: No such file or directory"),
        (PermissionError(13, "Permission denied", "/etc/x"), "/etc/x: Permission denied"),
        (IsADirectoryError(21, "Is a directory", "dir"), "dir: Is a directory"),
    ],
)
def test_os_errors_name_the_file(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], exc: OSError, expected: str
) -> None:
    _failing(monkeypatch, exc)
    assert run(["cvss", "AV:N"]) == 2
    assert capsys.readouterr().err == f"medvigil: error: {expected}\n"


def test_django_not_found_and_uninitialised_database(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from django.core.exceptions import ObjectDoesNotExist
    from django.db import OperationalError

    _failing(monkeypatch, ObjectDoesNotExist("Product matching query does not exist."))
    assert run(["cvss", "AV:N"]) == 2
    assert capsys.readouterr().err.startswith("medvigil: error: not found: Product matching")
    _failing(monkeypatch, OperationalError("no such table: inventory_product"))
    assert run(["cvss", "AV:N"]) == 2
    (line,) = capsys.readouterr().err.splitlines()
    assert "not initialised" in line and "medvigil init" in line


def test_an_internal_error_is_one_line_exit_3_and_debug_shows_the_traceback(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _failing(monkeypatch, RuntimeError("bug"))
    assert run(["cvss", "AV:N"]) == 3
    (line,) = capsys.readouterr().err.splitlines()
    assert line.startswith("medvigil: error: internal error: RuntimeError: bug") and "--debug" in line
    assert run(["--debug", "cvss", "AV:N"]) == 3
    err = capsys.readouterr().err
    assert (
        "Traceback" in err
        and "boom" in err
        and err.endswith(f"medvigil: error: internal error: RuntimeError: bug ({line.split('(', 1)[1]}\n")
    )
    monkeypatch.setenv("MEDVIGIL_DEBUG", "1")
    assert run(["cvss", "AV:N"]) == 3
    assert "Traceback" in capsys.readouterr().err


def test_debug_traceback_for_an_input_error_too(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["--debug", "scan", MISSING]) == 2
    err = capsys.readouterr().err
    assert "Traceback" in err and err.rstrip().endswith(
        "missing.json: cannot read file: No such file or directory"
    )


def test_ctrl_c_exits_130(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    _failing(monkeypatch, KeyboardInterrupt())
    assert run(["cvss", "AV:N"]) == 130
    assert "Traceback" not in capsys.readouterr().err


def test_pretty_exceptions_are_off_for_users() -> None:
    assert app.pretty_exceptions_enable is False
    assert cli_main.EXIT_USAGE == 2


def test_the_script_prints_one_line_in_a_real_process(tmp_path: Path) -> None:
    import subprocess
    import sys

    proc = subprocess.run(
        [sys.executable, "-c", "from medvigil.cli.main import main; main()", "sbom", "check", MISSING],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 2
    assert proc.stderr == f"medvigil: error: {MISSING}: cannot read file: No such file or directory\n"
