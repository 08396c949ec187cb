"""The ``medvigil`` command: dispatch only, one module per command group.

Exit codes: 0 success, 1 policy failure (e.g. ``--fail-on``, ``--strict``), 2 usage or input error.
"""

from __future__ import annotations

import sys

import typer

from medvigil import __version__
from medvigil.cli import cases, csaf, cvss, feeds, inventory, remediation, reporting, sbom, scan, server, vex
from medvigil.cli.output import err_console
from medvigil.core.errors import Error

app = typer.Typer(
    name="medvigil",
    help="Postmarket cybersecurity for medical devices: inventory, SBOMs, intelligence, risk.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
app.add_typer(inventory.product_app, name="product")
app.add_typer(inventory.version_app, name="version")
app.add_typer(sbom.sbom_app, name="sbom")
app.add_typer(vex.vex_app, name="vex")
app.add_typer(cases.case_app, name="case")
remediation.register(cases.case_app)
app.add_typer(feeds.feeds_app, name="feeds")
app.add_typer(csaf.csaf_app, name="csaf")
app.add_typer(reporting.reporting_app, name="reporting")
app.add_typer(server.user_app, name="user")
app.add_typer(server.token_app, name="token")
app.command("init")(server.init)
app.command("serve")(server.serve)
app.command("worker")(server.worker)
app.command("demo")(server.demo)
cvss.register(app)
scan.register(app)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"medvigil {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="print the version"
    ),
) -> None:
    """Postmarket cybersecurity for medical devices."""


def main() -> None:
    """Entry point: the one error boundary of the CLI."""
    try:
        result = app(standalone_mode=False)
    except Error as exc:
        err_console.print(f"[red]error:[/] {exc.diagnostics()}", highlight=False)
        sys.exit(2)
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    except typer.Abort:
        err_console.print("aborted")
        sys.exit(2)
    except Exception as exc:  # click usage errors arrive here in non-standalone mode
        from click.exceptions import ClickException

        if isinstance(exc, ClickException):
            exc.show()
            sys.exit(2)
        raise
    if isinstance(result, int):
        sys.exit(result)
