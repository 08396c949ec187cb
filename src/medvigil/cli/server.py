"""Operating commands: init, serve, worker, demo, users and API tokens."""

from __future__ import annotations

import secrets
from typing import Annotated

import typer

from medvigil.cli import _django
from medvigil.cli.output import console

user_app = typer.Typer(help="Users and roles.", no_args_is_help=True)
token_app = typer.Typer(help="API tokens for scripts and CI.", no_args_is_help=True)


def init(
    admin: Annotated[str | None, typer.Option(help="also create this admin user")] = None,
    password: Annotated[str | None, typer.Option(help="admin password; generated when omitted")] = None,
) -> None:
    """Create or upgrade the database (SQLite in MEDVIGIL_DATA_DIR unless MEDVIGIL_DATABASE_URL is set)."""
    _django.migrate()
    from django.conf import settings

    console.print(f"Database ready: {settings.DATABASES['default']['NAME']}")
    if admin:
        _create_user(admin, password, "admin")


def _create_user(username: str, password: str | None, role: str) -> str:
    from medvigil.web.accounts.services import user_create

    chosen = password or secrets.token_urlsafe(12)
    user_create(username=username, password=chosen, role=role)
    console.print(
        f"User [bold]{username}[/] ({role})" + ("" if password else f" password: [bold]{chosen}[/]")
    )
    return chosen


@user_app.command("create")
def user_create(
    username: str,
    role: Annotated[str, typer.Option(help="admin, analyst or viewer")] = "viewer",
    password: Annotated[str | None, typer.Option(help="generated and printed when omitted")] = None,
) -> None:
    """Create a user (or reset its password and role)."""
    _django.migrate()
    _create_user(username, password, role)


@token_app.command("create")
def token_create(
    username: str, name: Annotated[str, typer.Option(help="what the token is for")] = "cli"
) -> None:
    """Create an API token for a user; it is printed once and stored hashed."""
    _django.setup()
    from django.contrib.auth import get_user_model

    from medvigil.core.errors import NotFoundError
    from medvigil.web.accounts.services import token_create as create

    user = get_user_model().objects.filter(username=username).first()
    if user is None:
        raise NotFoundError(f"no user {username!r}")
    console.print(create(user=user, name=name), soft_wrap=True)


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
    """Serve the web UI and API (Django's threaded server; put gunicorn behind a proxy in production)."""
    _django.migrate()
    import contextlib

    from django.core.management import call_command

    from medvigil.web.jobs import embedded_consumer, wants_embedded_consumer

    embedded = worker and wants_embedded_consumer()
    jobs = embedded_consumer() if embedded else contextlib.nullcontext()
    with jobs:
        extra = " with background jobs in this process" if embedded else ""
        console.print(f"Serving medvigil on http://{host}:{port}/{extra}  (Ctrl+C stops)")
        call_command("runserver", f"{host}:{port}", use_reloader=False, use_threading=True)


def worker(workers: Annotated[int, typer.Option(help="worker threads")] = 2) -> None:
    """Run the background-job consumer (huey) for feed syncs and re-matching."""
    _django.migrate()
    from django.core.management import call_command

    call_command("run_huey", workers=workers, worker_type="thread")


def demo(
    serve_after: Annotated[bool, typer.Option("--serve/--no-serve", help="serve the UI afterwards")] = True,
    port: Annotated[int, typer.Option(help="port")] = 8000,
    worker: WorkerOption = True,
) -> None:
    """Load the demo portfolio (idempotent), create demo users and serve the UI."""
    _django.migrate()
    from medvigil.web.inventory.demo import demo_load
    from medvigil.web.risk.demo import demo_cases

    with console.status("Loading the demo portfolio…"):
        summary = demo_load()
    for line in summary:
        console.print(f"  {line}")
    with console.status("Importing demo intelligence, matching and assessing…"):
        cases = demo_cases()
    for line in cases:
        console.print(f"  {line}")
    password = secrets.token_urlsafe(9)
    for username, role in (("admin", "admin"), ("analyst", "analyst"), ("viewer", "viewer")):
        _create_user(username, password, role)
    console.print(f"\nLog in at http://127.0.0.1:{port}/ as admin, analyst or viewer.")
    console.print(f"Demo password (all three users): [bold]{password}[/]", soft_wrap=True)
    if serve_after:
        serve(port=port, worker=worker)
