"""``medvigil notifications list|retry|test``: deliveries and their dead letters, for operators.

The CLI holds the database credentials, so it acts as the server operator (no ``--user``).
"""

from __future__ import annotations

from typing import Annotated

import typer

from medvigil.cli import _django
from medvigil.cli.output import FormatOpt, OutputFormat, console, print_json, print_table
from medvigil.core.errors import InputError

notifications_app = typer.Typer(
    help="Notification deliveries: list, retry dead letters, test-send.", no_args_is_help=True
)


@notifications_app.command("list")
def list_deliveries(
    state: Annotated[str, typer.Option(help="pending, sending, held, delivered or dead (default: all)")] = "",
    limit: Annotated[int, typer.Option(min=1, max=10_000, help="newest this many")] = 50,
    format: FormatOpt = OutputFormat.TABLE,
) -> None:
    """Deliveries newest first, with the count per state (``--state dead``: the dead letters)."""
    _django.setup()
    from medvigil.web.notifications import selectors
    from medvigil.web.notifications.models import DeliveryState

    if state and state not in DeliveryState.values:
        raise InputError(f"--state must be one of {', '.join(DeliveryState.values)}", field="state")
    rows = [selectors.delivery_dict(d) for d in selectors.deliveries_list(state=state)[:limit]]
    if format is OutputFormat.JSON:
        print_json({"states": selectors.delivery_counts(), "items": rows})
        return
    counts = selectors.delivery_counts()
    console.print(" · ".join(f"{k} {v}" for k, v in counts.items()), highlight=False)
    print_table(
        "Deliveries",
        ["id", "state", "attempts", "kind", "event", "subscription", "last error"],
        (
            [r["id"], r["state"], r["attempts"], r["event"]["kind"], r["event"]["title"][:60],
             r["subscription"]["name"], r["last_error"][:60]]
            for r in rows
        ),
    )  # fmt: skip


@notifications_app.command("retry")
def retry(
    ids: Annotated[list[int] | None, typer.Argument(help="delivery ids", show_default=False)] = None,
    dead: Annotated[bool, typer.Option("--dead", help="every dead delivery")] = False,
    format: FormatOpt = OutputFormat.TABLE,
) -> None:
    """Queue dead (or pending) deliveries again now, from the first attempt."""
    _django.setup()
    from medvigil.web.notifications import services

    queued = services.deliveries_retry(user=None, ids=ids or [], dead=dead)
    if format is OutputFormat.JSON:
        print_json({"queued": queued})
    else:
        console.print(f"{queued} deliveries queued again", highlight=False)


@notifications_app.command("test")
def test(
    subscription: Annotated[int, typer.Argument(help="subscription id", show_default=False)],
    format: FormatOpt = OutputFormat.TABLE,
) -> int:
    """Send a test event to one subscription now; exit 1 when it did not arrive."""
    _django.setup()
    from medvigil.core.errors import NotFoundError
    from medvigil.web.notifications import selectors, services
    from medvigil.web.notifications.models import DeliveryState, Subscription

    sub = Subscription.objects.filter(pk=subscription).first()
    if sub is None:
        raise NotFoundError(f"no subscription {subscription}")
    delivery = services.subscription_test(user=None, subscription=sub)
    data = selectors.delivery_dict(delivery)
    if format is OutputFormat.JSON:
        print_json(data)
    elif delivery.state == DeliveryState.DELIVERED:
        console.print(f"test delivered to {sub.name}", highlight=False)
    else:
        console.print(f"test to {sub.name} failed: {delivery.last_error}", highlight=False, markup=False)
    return 0 if delivery.state == DeliveryState.DELIVERED else 1
