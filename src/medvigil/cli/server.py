"""Operating commands: init, serve, worker, demo, users and API tokens."""

from __future__ import annotations

import secrets
from contextlib import nullcontext
from typing import Annotated

import typer

from medvigil.cli import _django
from medvigil.cli.output import FormatOpt, OutputFormat, console, print_json

user_app = typer.Typer(help="Users and roles.", no_args_is_help=True)
token_app = typer.Typer(help="API tokens for scripts and CI.", no_args_is_help=True)


def init(
    admin: Annotated[str | None, typer.Option(help="also create this admin user")] = None,
    password: Annotated[str | None, typer.Option(help="admin password; generated when omitted")] = None,
    format: FormatOpt = OutputFormat.TABLE,
) -> None:
    """Create or upgrade the database (SQLite in MEDVIGIL_DATA_DIR unless MEDVIGIL_DATABASE_URL is set)."""
    _django.migrate()
    from django.conf import settings

    database = str(settings.DATABASES["default"]["NAME"])
    user = _create_user(admin, password, "admin") if admin else None
    if format is OutputFormat.JSON:
        print_json({"database": database, "user": user})
        return
    console.print(f"Database ready: {database}")
    if user:
        _print_user(user, shown=not password)


def _create_user(username: str, password: str | None, role: str) -> dict[str, str]:
    from medvigil.web.accounts.services import user_create

    chosen = password or secrets.token_urlsafe(12)
    user_create(username=username, password=chosen, role=role)
    return {"username": username, "role": role, "password": "" if password else chosen}


def _print_user(user: dict[str, str], *, shown: bool) -> None:
    console.print(
        f"User [bold]{user['username']}[/] ({user['role']})"
        + (f" password: [bold]{user['password']}[/]" if shown else "")
    )


@user_app.command("create")
def user_create(
    username: str,
    role: Annotated[str, typer.Option(help="admin, analyst or viewer")] = "viewer",
    password: Annotated[str | None, typer.Option(help="generated and printed when omitted")] = None,
    format: FormatOpt = OutputFormat.TABLE,
) -> None:
    """Create a user (or reset its password and role); ``password`` in JSON is empty when given."""
    _django.migrate()
    user = _create_user(username, password, role)
    if format is OutputFormat.JSON:
        print_json(user)
    else:
        _print_user(user, shown=not password)


@token_app.command("create")
def token_create(
    username: str,
    name: Annotated[str, typer.Option(help="what the token is for")] = "cli",
    format: FormatOpt = OutputFormat.TABLE,
) -> None:
    """Create an API token for a user; it is printed once and stored hashed."""
    _django.setup()
    from django.contrib.auth import get_user_model

    from medvigil.core.errors import NotFoundError
    from medvigil.web.accounts.services import token_create as create

    user = get_user_model().objects.filter(username=username).first()
    if user is None:
        raise NotFoundError(f"no user {username!r}")
    token = create(user=user, name=name)
    if format is OutputFormat.JSON:
        print_json({"username": username, "name": name, "token": token})
    else:
        console.print(token, soft_wrap=True, markup=False, highlight=False)


WorkerOption = Annotated[
    bool,
    typer.Option(
        "--worker/--no-worker",
        help="run background jobs (SBOM matching, feed syncs) in this process; on by default "
        "with the embedded SQLite queue, off when a separate `medvigil worker` runs them",
    ),
]


def serve(
    host: Annotated[str, typer.Option(help="address to bind")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="port")] = 8000,
    worker: WorkerOption = True,
) -> None:
    """Serve the web UI and API (gunicorn, MEDVIGIL_SERVE_THREADS request threads; a proxy for TLS)."""
    _django.migrate()
    from medvigil.web.jobs import wants_embedded_consumer
    from medvigil.web.serving import serve_wsgi

    embedded = worker and wants_embedded_consumer()
    extra = " with background jobs in this process" if embedded else ""
    console.print(f"Serving medvigil on http://{host}:{port}/{extra}  (Ctrl+C stops)")
    serve_wsgi(host=host, port=port, embedded_jobs=embedded)


def worker(workers: Annotated[int, typer.Option(help="worker threads")] = 2) -> None:
    """Run the background-job consumer (huey) for feed syncs and re-matching."""
    _django.migrate()
    from django.core.management import call_command

    call_command("run_huey", workers=workers, worker_type="thread")


def demo(
    serve_after: Annotated[bool, typer.Option("--serve/--no-serve", help="serve the UI afterwards")] = True,
    port: Annotated[int, typer.Option(help="port")] = 8000,
    format: FormatOpt = OutputFormat.TABLE,
    worker: WorkerOption = True,
) -> None:
    """Load the demo portfolio (idempotent), create demo users and serve the UI."""
    _django.migrate()
    from medvigil.web.inventory.demo import demo_load
    from medvigil.web.risk.demo import demo_cases

    quiet = format is OutputFormat.JSON
    with console.status("Loading the demo portfolio…") if not quiet else nullcontext():
        summary = demo_load()
    with (
        console.status("Importing demo intelligence, matching and assessing…") if not quiet else nullcontext()
    ):
        cases = demo_cases()
    password = secrets.token_urlsafe(9)
    users = [_create_user(name, password, name) for name in ("admin", "analyst", "viewer")]
    url = f"http://127.0.0.1:{port}/"
    if quiet:
        print_json({"portfolio": summary, "cases": cases, "users": [u["username"] for u in users],
                    "password": password, "url": url})  # fmt: skip
    else:
        for line in [*summary, *cases]:
            console.print(f"  {line}")
        for user in users:
            console.print(f"User [bold]{user['username']}[/] ({user['role']})")
        console.print(f"\nLog in at {url} as admin, analyst or viewer.")
        console.print(f"Demo password (all three users): [bold]{password}[/]", soft_wrap=True)
    if serve_after:
        serve(port=port, worker=worker)
