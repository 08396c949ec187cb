"""Output helpers: JSON for scripts, Rich tables for people; the shared option and argument types.

Conventions every command follows: ``--format table|json`` (:data:`FormatOpt`) on each command
that prints, and the product as the first positional argument (:data:`ProductArg`, or
:data:`ProductFilterArg` where it is an optional filter).
"""

from __future__ import annotations

import datetime as dt
import os
import sys
from collections.abc import Iterable, Sequence
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, cast

import orjson
import typer

if TYPE_CHECKING:
    from rich.console import Console

PIPED_WIDTH = 1000
"""Console width when the output is not a terminal: tables are not cut to 80 columns in a pipe."""


def _width(stream: Any) -> int | None:
    """None (the terminal's width) on a terminal or with ``COLUMNS`` set, else :data:`PIPED_WIDTH`."""
    isatty = getattr(stream, "isatty", None)
    if os.environ.get("COLUMNS") or (isatty is not None and isatty()):
        return None
    return PIPED_WIDTH


class _LazyConsole:
    """A Rich console made when first used: a run that prints nothing through it (a JSON scan)
    never imports Rich (-6.5% of a fresh ``medvigil scan``'s start-up instructions, callgrind)."""

    __slots__ = ("_console", "_stderr")

    def __init__(self, *, stderr: bool) -> None:
        self._stderr = stderr
        self._console: Console | None = None

    def rich(self) -> Console:
        """The Rich console itself (made now if it was not)."""
        if self._console is None:
            from rich.console import Console

            stream = sys.stderr if self._stderr else sys.stdout
            self._console = Console(stderr=self._stderr, width=_width(stream))
        return self._console

    def __getattr__(self, name: str) -> Any:
        return getattr(self.rich(), name)


def rich_console(out: Console) -> Console:
    """``out`` as a Rich console (the made one of :data:`console` or :data:`err_console`), for Rich
    objects that keep a console (a progress bar)."""
    return out.rich() if isinstance(out, _LazyConsole) else out


console = cast("Console", _LazyConsole(stderr=False))
"""Standard output for tables and messages (Rich, made on first use)."""
err_console = cast("Console", _LazyConsole(stderr=True))
"""Standard error for warnings and failures (Rich, made on first use)."""


class OutputFormat(StrEnum):
    """``--format`` choices of listing commands."""

    TABLE = "table"
    JSON = "json"


FormatOpt = Annotated[OutputFormat, typer.Option("--format", "-f", help="table or json")]
"""The ``--format table|json`` option of every command that prints."""

ProductArg = Annotated[str, typer.Argument(help="product slug", show_default=False)]
"""The product a command acts on: always the first positional argument."""

ProductFilterArg = Annotated[
    str | None, typer.Argument(help="product slug; every product when omitted", show_default=False)
]
"""An optional product filter, positional like :data:`ProductArg`."""


def _deprecated_product(value: str | None) -> str | None:
    if value is not None:
        err_console.print(
            "medvigil: warning: -p/--product is deprecated; give the product slug as the first argument",
            markup=False,
            highlight=False,
        )
    return value


DeprecatedProductOpt = Annotated[
    str | None, typer.Option("--product", "-p", hidden=True, callback=_deprecated_product)
]
"""The old ``-p/--product`` of filter commands: still accepted, with a warning."""


def _removed_product(ctx: typer.Context, value: str | None) -> None:
    if value is not None:
        raise typer.BadParameter(
            f"the product is now the first argument: '{ctx.command_path} PRODUCT ...'",
            param_hint="-p/--product",
        )


RemovedProductOpt = Annotated[
    str | None, typer.Option("--product", "-p", hidden=True, callback=_removed_product, expose_value=False)
]
"""The old ``-p/--product`` where the argument order changed: a usage error saying the new form."""


def product_filter(positional: str | None, deprecated: str | None) -> str | None:
    """The product slug given positionally or by the deprecated option (not both)."""
    if positional and deprecated:
        raise typer.BadParameter("give the product once, as the first argument", param_hint="-p/--product")
    return positional or deprecated or None


def read_input_file(path: Path) -> bytes:
    """The bytes of a file named on the command line; an unreadable file is an ``InputError`` naming it."""
    from medvigil.core.errors import InputError

    try:
        return path.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read file: {exc.strerror}", source=str(path)) from None


def _default(value: Any) -> Any:
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    raise TypeError(f"cannot serialise {type(value).__name__}")


def print_json(data: Any) -> None:
    """Write ``data`` as indented JSON to stdout."""
    sys.stdout.write(orjson.dumps(data, default=_default, option=orjson.OPT_INDENT_2).decode() + "\n")


def print_table(title: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    """Render a Rich table."""
    from rich.table import Table

    table = Table(title=title, title_justify="left")
    for col in columns:
        table.add_column(col)
    for row in rows:
        table.add_row(*("" if v is None else str(v) for v in row))
    console.print(table)
