"""Notification endpoints. Everyone with a role manages their own e-mail subscriptions; admins
manage webhook, Slack and Teams subscriptions and read and retry deliveries (the dead letters)."""

from __future__ import annotations

from typing import Annotated, Any

from django.http import HttpRequest
from ninja import Query, Router, Schema, Status
from ninja.errors import HttpError
from pydantic import Field

from medvigil.core.errors import NotFoundError
from medvigil.web.accounts.roles import Role, can_read, role_of
from medvigil.web.notifications import selectors, services
from medvigil.web.notifications.models import DeliveryState, Subscription

router = Router(tags=["notifications"])
MAX_LIMIT = 500


def _reader(request: HttpRequest) -> None:
    if not can_read(request.user):
        raise HttpError(403, "this account has no role")


def _admin(request: HttpRequest) -> None:
    if role_of(request.user) < Role.ADMIN:
        raise HttpError(403, "the admin role is needed")


def _managed(request: HttpRequest, subscription_id: int) -> Subscription:
    _reader(request)
    sub = Subscription.objects.filter(pk=subscription_id).first()
    if sub is None or not services.may_manage(request.user, sub):
        raise NotFoundError(f"no subscription {subscription_id}")
    return sub


class SubscriptionIn(Schema):
    name: str
    channel: str = "email"
    target: str = ""
    kinds: list[str] = []
    products: list[str] = []
    uncontrolled_only: bool = False
    digest: bool = False


class CreatedOut(Schema):
    subscription: dict[str, Any]
    secret: str


class DeliveriesQuery(Schema):
    state: str = ""
    limit: int = 100
    offset: int = 0


DeliveryId = Annotated[int, Field(ge=1, le=2**63 - 1)]


class RetryIn(Schema):
    ids: list[DeliveryId] = Field(default_factory=list, max_length=1000)
    dead: bool = False


@router.get("/notifications/subscriptions", response=list[dict[str, Any]], summary="Subscriptions you manage")
def subscriptions(request: HttpRequest) -> list[dict[str, Any]]:
    _reader(request)
    return [selectors.subscription_dict(s) for s in selectors.subscriptions_list(user=request.user)]


@router.post("/notifications/subscriptions", response=CreatedOut, summary="Create a subscription")
def subscription_create(request: HttpRequest, body: SubscriptionIn) -> dict[str, Any]:
    """E-mail goes to your own address; URL channels need the admin role. The webhook secret is
    returned once."""
    _reader(request)
    sub, secret = services.subscription_create(user=request.user, **body.dict())
    return {"subscription": selectors.subscription_dict(sub), "secret": secret}


@router.delete("/notifications/subscriptions/{subscription_id}", response={204: None}, summary="Delete")
def subscription_delete(request: HttpRequest, subscription_id: int) -> Status[None]:
    services.subscription_delete(user=request.user, subscription=_managed(request, subscription_id))
    return Status(204, None)


@router.post(
    "/notifications/subscriptions/{subscription_id}/test", response=dict[str, Any], summary="Test-send"
)
def subscription_test(request: HttpRequest, subscription_id: int) -> dict[str, Any]:
    """Send a test event now; the delivery says whether it arrived."""
    sub = _managed(request, subscription_id)
    return selectors.delivery_dict(services.subscription_test(user=request.user, subscription=sub))


@router.post(
    "/notifications/subscriptions/{subscription_id}/rotate-secret", response=dict[str, str], summary="Rotate"
)
def subscription_rotate(request: HttpRequest, subscription_id: int) -> dict[str, str]:
    """New webhook secret (returned once); the old one keeps signing for 24 hours."""
    sub = _managed(request, subscription_id)
    return {"secret": services.subscription_rotate_secret(user=request.user, subscription=sub)}


@router.get("/notifications/deliveries", response=dict[str, Any], summary="Deliveries (admins)")
def deliveries(request: HttpRequest, q: Query[DeliveriesQuery]) -> dict[str, Any]:
    """Newest first; ``state=dead`` lists the dead letters."""
    _admin(request)
    if not 1 <= q.limit <= MAX_LIMIT or q.offset < 0:
        raise HttpError(422, f"limit must be 1-{MAX_LIMIT} and offset >= 0")
    if q.state and q.state not in DeliveryState.values:
        raise HttpError(422, f"state must be one of {', '.join(DeliveryState.values)}")
    rows = selectors.deliveries_list(state=q.state)
    page = rows[q.offset : q.offset + q.limit]
    return {
        "count": rows.count(),
        "states": selectors.delivery_counts(),
        "items": [selectors.delivery_dict(d) for d in page],
    }


@router.post("/notifications/deliveries/retry", response=dict[str, int], summary="Retry deliveries (admins)")
def deliveries_retry(request: HttpRequest, body: RetryIn) -> dict[str, int]:
    """Queue the named dead or pending deliveries (or every dead one) again now."""
    _admin(request)
    return {"queued": services.deliveries_retry(user=request.user, ids=body.ids, dead=body.dead)}
