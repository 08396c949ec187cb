"""Notification fan-out: outbox events to deliveries, and deliveries to a webhook receiver.

Builds a fresh SQLite store in a temporary folder: 20 products, ``--subscriptions`` webhook
subscriptions to a loopback receiver (a third take every event, a third one product's, a third
uncontrolled risks only; every tenth holds for a digest), then writes ``--events`` events in one
transaction (a feed import that turns up new findings on many products writes one per product
and kind) and times, with the job queue left out (the services are called directly, as the
worker's jobs call them):

* ``events_dispatch``: the fan-out of every event to the matching subscriptions (events/s and
  deliveries created/s);
* ``delivery_attempt`` of ``--send`` pending deliveries, one after another as one worker thread
  sends them: signed JSON POSTs to a ``ThreadingHTTPServer`` answering 200 (deliveries/s, with
  the per-delivery SSRF check, sealed secret and HMAC signature).

Run: ``python bench/bench_notify_fanout.py [--subscriptions 300] [--events 2000] [--send 1000]``.
"""

from __future__ import annotations

import argparse
import os
import resource
import secrets
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


class _Ok(BaseHTTPRequestHandler):
    def do_POST(self) -> None:  # noqa: N802 - http.server's name
        self.rfile.read(int(self.headers.get("Content-Length", "0")))
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: Any) -> None:
        return


def _setup(subscriptions: int, url: str) -> None:
    from medvigil.cli import _django

    _django.migrate()
    from medvigil.web.accounts.services import user_create
    from medvigil.web.inventory import services as inventory
    from medvigil.web.notifications import services

    admin = user_create(username="bench-admin", password=secrets.token_urlsafe(16), role="admin")
    for p in range(20):
        inventory.product_create(name=f"Bench device {p}", slug=f"device-{p}")
    for n in range(subscriptions):
        services.subscription_create(
            user=admin, name=f"hook {n}", channel="webhook", target=f"{url}/hook/{n}",
            products=[f"device-{n % 20}"] if n % 3 == 1 else [], uncontrolled_only=n % 3 == 2,
        )  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--subscriptions", type=int, default=300)
    parser.add_argument("--events", type=int, default=2000)
    parser.add_argument("--send", type=int, default=1000)
    args = parser.parse_args()
    os.environ["MEDVIGIL_DATA_DIR"] = tempfile.mkdtemp(prefix="medvigil-bench-notify-")
    os.environ["MEDVIGIL_TASKS_URL"] = "immediate"
    os.environ["MEDVIGIL_WEBHOOK_ALLOWED_NETWORKS"] = "127.0.0.0/8"
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Ok)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    _setup(args.subscriptions, f"http://127.0.0.1:{server.server_port}")

    from django.db import transaction

    from medvigil.core.notify.events import EventKind
    from medvigil.web.inventory.models import Product
    from medvigil.web.notifications import delivery, services
    from medvigil.web.notifications.models import Delivery, DeliveryState

    services._enqueue_dispatch = lambda: None  # the bench calls the jobs' services itself
    services._enqueue_deliveries = lambda ids: None
    products = list(Product.objects.order_by("id"))
    kinds = [EventKind.FINDING_NEW, EventKind.INTEL_KEV, EventKind.CASE_UNCONTROLLED, EventKind.INTEL_EPSS]
    start = time.perf_counter()
    with transaction.atomic():
        for n in range(args.events):
            kind = kinds[n % len(kinds)]
            services.outbox_emit(
                kind=kind, title=f"bench event {n}", product=products[n % len(products)],
                risk="uncontrolled" if kind is EventKind.CASE_UNCONTROLLED else "", path=f"/cases/{n}/",
            )  # fmt: skip
    emitted = time.perf_counter() - start
    start = time.perf_counter()
    handled = services.events_dispatch()
    dispatched = time.perf_counter() - start
    created = Delivery.objects.count()
    pending = list(
        Delivery.objects.filter(state=DeliveryState.PENDING).order_by("id").values_list("pk", flat=True)
    )[: args.send]
    start = time.perf_counter()
    outcomes = [delivery.delivery_attempt(delivery_id=pk, immediate=True) for pk in pending]
    sent = time.perf_counter() - start
    delivered = Delivery.objects.filter(state=DeliveryState.DELIVERED).count()
    server.shutdown()
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"{args.subscriptions} subscriptions, {args.events} events, SQLite")
    print(f"outbox_emit: {args.events / emitted:,.0f} events/s ({emitted:.2f} s, one transaction)")
    print(
        f"events_dispatch: {handled} events -> {created:,} deliveries in {dispatched:.2f} s "
        f"({handled / dispatched:,.0f} events/s, {created / dispatched:,.0f} deliveries/s)"
    )
    print(
        f"delivery_attempt: {len(pending)} webhook POSTs in {sent:.2f} s ({len(pending) / sent:,.0f}/s, "
        f"{1000 * sent / len(pending):.1f} ms each); delivered {delivered}, outcomes {sorted(set(outcomes))}"
    )
    print(f"peak RSS {rss:.0f} MB")


if __name__ == "__main__":
    main()
