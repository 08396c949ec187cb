"""The root command's registry (``cli/main.py``): a run builds only the command it names, and each
command built alone is the command of the whole tree."""

from __future__ import annotations

from typing import Any

import pytest
import typer

from medvigil.cli import main
from tests.cli.test_errors import command_paths


def _help(path: str, capsys: pytest.CaptureFixture[str]) -> str:
    assert main.run([*path.split(), "--help"]) == 0
    return capsys.readouterr().out


@pytest.mark.parametrize("path", [p for p, _ in command_paths()])
def test_every_command_built_alone_is_the_command_of_the_whole_tree(
    path: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    alone = _help(path, capsys)  # the run builds only the top-level command it names
    monkeypatch.setattr(main, "_command_named", lambda args: None)  # the whole tree
    whole = _help(path, capsys)
    assert alone == whole
    assert "Usage: medvigil " + path in " ".join(alone.split())


def test_a_run_builds_only_the_command_it_names() -> None:
    assert main._command_named(["scan", "bom.json", "-f", "json"]) == "scan"
    assert main._command_named(["--debug", "case", "list"]) == "case"
    assert main._command_named(["--version"]) is None
    assert main._command_named(["--help"]) is None
    assert main._command_named(["no-such-command"]) is None  # the whole tree: click lists the choices
    group: Any = typer.main.get_command(main._build("scan"))
    assert sorted(group.commands) == ["scan"]


def test_the_registry_is_the_whole_tree_in_its_order(capsys: pytest.CaptureFixture[str]) -> None:
    group: Any = typer.main.get_command(main.app)
    assert set(group.commands) == main._NAMES
    for kind in (main._COMMAND, main._GROUP):  # typer lists commands, then groups, each as added
        listed = [name for name in group.commands if name in {n for n, k, _ in main._ENTRIES if k == kind}]
        assert listed == [name for name, k, _ in main._ENTRIES if k == kind]
    assert main.run(["--help"]) == 0
    shown = capsys.readouterr().out
    assert all(f" {name} " in shown for name in main._NAMES)


def test_the_case_group_gets_its_remediation_commands_once() -> None:
    alone: Any = typer.main.get_command(main._build("case"))
    names = list(alone.commands["case"].commands)
    assert "clock" in names and "transition" in names
    assert len(names) == len(set(names))
    again: Any = typer.main.get_command(main._build("case"))
    assert list(again.commands["case"].commands) == names


def test_an_unknown_command_is_a_usage_error_listing_nothing_lost(capsys: pytest.CaptureFixture[str]) -> None:
    assert main.run(["scna"]) == main.EXIT_USAGE
    assert "scna" in capsys.readouterr().err
