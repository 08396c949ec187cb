"""The ``medvigil`` command: dispatch only, one module per command group, and the one error boundary.

Exit codes: 0 success, 1 policy failure (e.g. ``--fail-on``, ``--strict``), 2 usage or input error
(a bad argument, a missing or unreadable file, an unknown product/version/case, an uninitialised
database), 3 internal error (a bug: please report it with the ``--debug`` traceback), 130
interrupted (Ctrl+C).

Errors are one line on stderr, ``medvigil: error: ...`` naming the file, argument or record, like
git or grype. ``--debug`` (or ``MEDVIGIL_DEBUG=1``) adds the full traceback.
"""

from __future__ import annotations

import functools
import importlib
import os
import sys
from collections.abc import Callable, Sequence

import typer
from typer._click import exceptions as click_exceptions

from medvigil import __version__
from medvigil.cli.output import err_console
from medvigil.core.errors import Error

_Loader = Callable[[], typer.Typer | Callable[..., object]]


def _attr(module: str, name: str) -> _Loader:
    return lambda: getattr(importlib.import_module(module), name)


@functools.cache
def _case_app() -> typer.Typer:
    """The ``case`` group with the remediation commands added (once per process)."""
    from medvigil.cli import cases, remediation

    remediation.register(cases.case_app)
    return cases.case_app


_GROUP, _COMMAND = "group", "command"
_ENTRIES: tuple[tuple[str, str, _Loader], ...] = (
    ("product", _GROUP, _attr("medvigil.cli.inventory", "product_app")),
    ("version", _GROUP, _attr("medvigil.cli.inventory", "version_app")),
    ("sbom", _GROUP, _attr("medvigil.cli.sbom", "sbom_app")),
    ("vex", _GROUP, _attr("medvigil.cli.vex", "vex_app")),
    ("case", _GROUP, _case_app),
    ("advisory", _GROUP, _attr("medvigil.cli.advisory", "advisory_app")),
    ("feeds", _GROUP, _attr("medvigil.cli.feeds", "feeds_app")),
    ("csaf", _GROUP, _attr("medvigil.cli.csaf", "csaf_app")),
    ("cvd", _GROUP, _attr("medvigil.cli.cvd", "cvd_app")),
    ("reporting", _GROUP, _attr("medvigil.cli.reporting", "reporting_app")),
    ("audit", _GROUP, _attr("medvigil.cli.audit", "audit_app")),
    ("notifications", _GROUP, _attr("medvigil.cli.notifications", "notifications_app")),
    ("user", _GROUP, _attr("medvigil.cli.server", "user_app")),
    ("token", _GROUP, _attr("medvigil.cli.server", "token_app")),
    ("init", _COMMAND, _attr("medvigil.cli.server", "init")),
    ("serve", _COMMAND, _attr("medvigil.cli.server", "serve")),
    ("worker", _COMMAND, _attr("medvigil.cli.server", "worker")),
    ("demo", _COMMAND, _attr("medvigil.cli.server", "demo")),
    ("cvss", _COMMAND, _attr("medvigil.cli.cvss", "cvss")),
    ("metrics", _COMMAND, _attr("medvigil.cli.metrics", "metrics")),
    ("scan", _COMMAND, _attr("medvigil.cli.scan", "scan")),
    ("rematch", _COMMAND, _attr("medvigil.cli.scan", "rematch")),
)
"""Every top-level command and group, in help order: the registry the root command is built
from. A run builds only the one it names (a fresh ``medvigil scan`` in a pipeline imports and
converts one command, not the ~100 of the whole tree: a third of its start-up)."""
_NAMES = frozenset(name for name, _, _ in _ENTRIES)


EXIT_USAGE = 2
EXIT_INTERNAL = 3
EXIT_INTERRUPTED = 130
_DEBUG_ENV = "MEDVIGIL_DEBUG"


class _State:
    debug = False


def _version(value: bool) -> None:
    if value:
        typer.echo(f"medvigil {__version__}")
        raise typer.Exit()


def _root(
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="print the version"
    ),
    debug: bool = typer.Option(
        False, "--debug", help=f"show the full traceback of an error (or set {_DEBUG_ENV}=1)"
    ),
) -> None:
    """Postmarket cybersecurity for medical devices."""
    _State.debug = _State.debug or debug


def _build(only: str | None = None) -> typer.Typer:
    """The root command with every entry of :data:`_ENTRIES`, or with only the one named ``only``."""
    root = typer.Typer(
        name="medvigil",
        help="Postmarket cybersecurity for medical devices: inventory, SBOMs, intelligence, risk.",
        no_args_is_help=True,
        pretty_exceptions_enable=False,
    )
    root.callback()(_root)
    for name, kind, load in _ENTRIES:
        if only is not None and name != only:
            continue
        target = load()
        if kind == _GROUP:
            assert isinstance(target, typer.Typer)
            root.add_typer(target, name=name)
        else:
            assert not isinstance(target, typer.Typer)
            root.command(name)(target)
    return root


@functools.cache
def _full_app() -> typer.Typer:
    return _build()


def __getattr__(name: str) -> typer.Typer:
    """``app``: the whole command tree, built on first use (for tests and documentation tools)."""
    if name == "app":
        return _full_app()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _command_named(args: Sequence[str]) -> str | None:
    """The top-level command ``args`` run (root options come first), if it is one of
    :data:`_ENTRIES`; ``None`` for help, ``--version`` or an unknown name (the whole tree, so
    that click's messages list every command)."""
    for arg in args:
        if not arg.startswith("-"):
            return arg if arg in _NAMES else None
    return None


def _usage_message(exc: click_exceptions.UsageError) -> str:
    ctx = exc.ctx
    where = ctx.command_path.removeprefix("medvigil").strip() if ctx is not None else ""
    text = " ".join(exc.format_message().split()).replace(": Value error, ", ": ")
    text = text[:1].lower() + text[1:]
    hint = f" (see 'medvigil {where} --help')" if where else " (see 'medvigil --help')"
    return (f"{where}: " if where else "") + text.rstrip(".") + hint


def _database_error(exc: Exception) -> str | None:
    """The one-line text of a Django database error, or None for anything else."""
    if "django.db" not in sys.modules:
        return None
    from django.db import DatabaseError

    if not isinstance(exc, DatabaseError):
        return None
    text = " ".join(str(exc).split())
    if "no such table" in text or ("relation" in text and "does not exist" in text):
        return f"the database is not initialised ({text}); run 'medvigil init' first"
    return f"database: {text}"


def _not_found(exc: Exception) -> str | None:
    if "django.core.exceptions" not in sys.modules:
        return None
    from django.core.exceptions import ObjectDoesNotExist

    return f"not found: {exc}" if isinstance(exc, ObjectDoesNotExist) else None


def _message(exc: BaseException) -> tuple[str, int]:
    """The one-line message and exit code of an exception escaping a command."""
    if isinstance(exc, click_exceptions.UsageError):
        return _usage_message(exc), EXIT_USAGE
    if isinstance(exc, click_exceptions.ClickException):  # e.g. click's FileError
        return " ".join(exc.format_message().split()), exc.exit_code or EXIT_USAGE
    if isinstance(exc, Error):
        return " ".join(exc.diagnostics().split()), EXIT_USAGE
    if isinstance(exc, FileNotFoundError | PermissionError | IsADirectoryError | NotADirectoryError):
        name = exc.filename or ""
        return (f"{name}: " if name else "") + (exc.strerror or str(exc)), EXIT_USAGE
    if isinstance(exc, Exception):
        for special in (_not_found(exc), _database_error(exc)):
            if special is not None:
                return special, EXIT_USAGE
        hint = f"run with --debug or {_DEBUG_ENV}=1 for the traceback and report it"
        return f"internal error: {type(exc).__name__}: {exc} ({hint})", EXIT_INTERNAL
    raise exc  # SystemExit and other BaseExceptions pass through


def _debug_requested(args: Sequence[str]) -> bool:
    if os.environ.get(_DEBUG_ENV, "").strip().lower() in {"1", "true", "yes", "on"}:
        return True
    for arg in args:  # root options come before the command
        if arg == "--debug":
            return True
        if not arg.startswith("-"):
            break
    return False


def run(args: Sequence[str] | None = None) -> int:
    """Run the CLI on ``args`` (``sys.argv[1:]`` by default) and return its exit code.

    The one error boundary: usage errors, medvigil's ``Error`` tree, missing or unreadable
    files, unknown records and an uninitialised database become one ``medvigil: error:`` line
    and exit code 2; anything else is an internal error (exit code 3); Ctrl+C is 130.
    """
    argv = list(sys.argv[1:] if args is None else args)
    _State.debug = _debug_requested(argv)
    try:
        only = _command_named(argv)
        root = _full_app() if only is None else _build(only)
        result = root(args=argv, prog_name="medvigil", standalone_mode=False)
    except click_exceptions.NoArgsIsHelpError as exc:  # a bare group: its help, as click does
        err_console.print(exc.format_message(), markup=False, highlight=False)
        return EXIT_USAGE
    except typer.Exit as exc:
        return int(exc.exit_code or 0)
    except typer.Abort as exc:
        interrupted = isinstance(exc.__context__, KeyboardInterrupt)
        err_console.print("medvigil: interrupted" if interrupted else "medvigil: aborted", highlight=False)
        return EXIT_INTERRUPTED if interrupted else 1
    except KeyboardInterrupt:
        err_console.print("medvigil: interrupted", highlight=False)
        return EXIT_INTERRUPTED
    except Exception as exc:
        message, code = _message(exc)
        if _State.debug:
            err_console.print_exception()
        err_console.print(f"medvigil: error: {message}", markup=False, highlight=False, soft_wrap=True)
        return code
    if isinstance(result, int):
        return result
    return 0


def main() -> None:
    """Entry point of the ``medvigil`` script (a one-shot command may leave without the
    interpreter's teardown, see :mod:`medvigil.cli._exit`)."""
    from medvigil.cli import _exit

    _exit.leave(run())
