"""Pages: your subscriptions (create, delete, test-send; admins also webhooks and secret rotation)
and, for admins, the deliveries with their dead letters and a retry button."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from medvigil.core.errors import Error
from medvigil.core.notify.events import SUBSCRIBABLE
from medvigil.web.accounts.decorators import admin_required, viewer_required
from medvigil.web.accounts.roles import Role, role_of
from medvigil.web.inventory.models import Product
from medvigil.web.notifications import delivery, selectors, services
from medvigil.web.notifications.models import Channel, DeliveryState, Subscription

PAGE_SIZE = 50


def _page(request: HttpRequest, *, shown: dict[str, str] | None = None, status: int = 200) -> HttpResponse:
    admin = role_of(request.user) >= Role.ADMIN
    context: dict[str, Any] = {
        "subscriptions": list(selectors.subscriptions_list(user=request.user)),
        "kinds": [(k.value, k.label) for k in SUBSCRIBABLE],
        "products": Product.objects.order_by("name").values("slug", "name"),
        "channels": Channel.choices if admin else [(Channel.EMAIL.value, Channel.EMAIL.label)],
        "is_admin": admin,
        "shown": shown,
        "counts": selectors.delivery_counts() if admin else None,
    }
    return render(request, "notifications/subscriptions.html", context, status=status)


@viewer_required
def subscription_list(request: HttpRequest) -> HttpResponse:
    """Your subscriptions and the form for a new one."""
    return _page(request)


@require_POST
@viewer_required
def subscription_create(request: HttpRequest) -> HttpResponse:
    """Create; a webhook's secret is shown once on the result page."""
    post = request.POST
    try:
        sub, secret = services.subscription_create(
            user=request.user,
            name=post.get("name", ""),
            channel=post.get("channel", Channel.EMAIL),
            target=post.get("target", ""),
            kinds=post.getlist("kinds"),
            products=post.getlist("products"),
            uncontrolled_only=post.get("uncontrolled_only") == "on",
            digest=post.get("digest") == "on",
        )
    except Error as exc:
        messages.error(request, exc.diagnostics())
        return _page(request, status=400)
    if secret:
        return _page(request, shown={"name": sub.name, "secret": secret})
    messages.success(request, f"Subscription {sub.name!r} created.")
    return redirect("notifications:subscriptions")


def _managed(request: HttpRequest, subscription_id: int) -> Subscription:
    sub = Subscription.objects.filter(pk=subscription_id).first()
    if sub is None or not services.may_manage(request.user, sub):
        raise Http404("no such subscription")
    return sub


@require_POST
@viewer_required
def subscription_action(request: HttpRequest, subscription_id: int, action: str) -> HttpResponse:
    """delete, test or rotate one subscription you manage."""
    sub = _managed(request, subscription_id)
    try:
        if action == "delete":
            services.subscription_delete(user=request.user, subscription=sub)
            messages.success(request, f"Subscription {sub.name!r} deleted.")
        elif action == "test":
            d = services.subscription_test(user=request.user, subscription=sub)
            if d.state == DeliveryState.DELIVERED:
                status = f" (HTTP {d.last_status})" if d.last_status else ""
                messages.success(request, f"Test sent to {sub.name!r}{status}.")
            else:
                messages.error(request, f"Test to {sub.name!r} failed: {d.last_error}")
        elif action == "rotate":
            secret = services.subscription_rotate_secret(user=request.user, subscription=sub)
            return _page(request, shown={"name": sub.name, "secret": secret, "rotated": "yes"})
        else:
            raise Http404("no such action")
    except Error as exc:
        messages.error(request, exc.diagnostics())
        return _page(request, status=400)
    return redirect("notifications:subscriptions")


@admin_required
def delivery_list(request: HttpRequest) -> HttpResponse:
    """Every delivery, newest first, by state (``?state=dead``: the dead letters)."""
    state = request.GET.get("state", "")
    if state not in ("", *DeliveryState.values):
        state = ""
    page = Paginator(selectors.deliveries_list(state=state), PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "state": state,
        "states": DeliveryState.values,
        "counts": selectors.delivery_counts(),
        "schedule": delivery.retry_policy().schedule(),
    }
    return render(request, "notifications/deliveries.html", context)


@require_POST
@admin_required
def delivery_retry(request: HttpRequest) -> HttpResponse:
    """Retry the posted deliveries (``ids``) or every dead one (``dead=1``)."""
    try:
        ids = [int(x) for x in request.POST.getlist("ids")]
        n = services.deliveries_retry(user=request.user, ids=ids, dead=request.POST.get("dead") == "1")
    except ValueError:
        messages.error(request, "delivery ids are numbers")
    except Error as exc:
        messages.error(request, exc.diagnostics())
    else:
        messages.success(request, f"{n} deliver{'ies' if n != 1 else 'y'} queued again.")
    return redirect("notifications:deliveries")
