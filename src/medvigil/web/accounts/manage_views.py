"""Admin pages: users (create, role, deactivate) and API tokens (create, revoke). Admin role only."""

from __future__ import annotations

import secrets

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from medvigil.core.errors import Error
from medvigil.web.accounts import selectors, services
from medvigil.web.accounts.decorators import admin_required

ROLES = ("viewer", "analyst", "admin")
MAX_NAME = 100


def _users_page(
    request: HttpRequest, *, shown: dict[str, str] | None = None, status: int = 200
) -> HttpResponse:
    context = {"rows": selectors.user_rows(), "roles": ROLES, "shown": shown}
    return render(request, "accounts/users.html", context, status=status)


@admin_required
def users(request: HttpRequest) -> HttpResponse:
    return _users_page(request)


@require_POST
@admin_required
def user_create(request: HttpRequest) -> HttpResponse:
    """Create a user; a generated password is shown once on the result page."""
    username = request.POST.get("username", "").strip()
    role = request.POST.get("role", "")
    email = request.POST.get("email", "").strip()
    if not username or len(username) > 150:
        messages.error(request, "Username: give 1 to 150 characters.")
        return _users_page(request, status=400)
    if get_user_model().objects.filter(username=username).exists():
        messages.error(request, f"Username {username!r} is taken; change that user's role in the table.")
        return _users_page(request, status=400)
    password = secrets.token_urlsafe(15)
    try:
        services.user_create(username=username, password=password, role=role, email=email)
    except Error as exc:
        messages.error(request, str(exc))
        return _users_page(request, status=400)
    return _users_page(request, shown={"username": username, "password": password})


@require_POST
@admin_required
def user_role(request: HttpRequest, user_id: int) -> HttpResponse:
    user = get_object_or_404(get_user_model(), pk=user_id)
    if user.pk == request.user.pk:
        messages.error(request, "You cannot change your own role (ask another admin).")
        return redirect("accounts:users")
    try:
        services.user_set_role(user=user, role=request.POST.get("role", ""))
    except Error as exc:
        messages.error(request, str(exc))
        return redirect("accounts:users")
    messages.success(request, f"{user.username} is now {request.POST['role']}.")
    return redirect("accounts:users")


@require_POST
@admin_required
def user_active(request: HttpRequest, user_id: int) -> HttpResponse:
    user = get_object_or_404(get_user_model(), pk=user_id)
    active = request.POST.get("active") == "1"
    if user.pk == request.user.pk and not active:
        messages.error(request, "You cannot deactivate yourself.")
        return redirect("accounts:users")
    services.user_set_active(user=user, active=active)
    messages.success(request, f"{user.username} {'activated' if active else 'deactivated'}.")
    return redirect("accounts:users")


def _tokens_page(
    request: HttpRequest, *, shown: dict[str, str] | None = None, status: int = 200
) -> HttpResponse:
    context = {
        "tokens": selectors.token_rows(),
        "users": get_user_model().objects.filter(is_active=True).order_by("username"),
        "shown": shown,
    }
    return render(request, "accounts/tokens.html", context, status=status)


@admin_required
def tokens(request: HttpRequest) -> HttpResponse:
    return _tokens_page(request)


@require_POST
@admin_required
def token_create(request: HttpRequest) -> HttpResponse:
    """Create a token; its value is shown once on the result page and stored hashed."""
    name = request.POST.get("name", "").strip()
    user = get_user_model().objects.filter(pk=request.POST.get("user") or 0, is_active=True).first()
    if user is None or not name or len(name) > MAX_NAME:
        messages.error(
            request, f"Token: choose an active user and give a name of 1 to {MAX_NAME} characters."
        )
        return _tokens_page(request, status=400)
    raw = services.token_create(user=user, name=name)
    return _tokens_page(request, shown={"username": user.username, "name": name, "token": raw})


@require_POST
@admin_required
def token_revoke(request: HttpRequest, token_id: int) -> HttpResponse:
    if services.token_revoke(token_id=token_id):
        messages.success(request, "Token revoked; requests using it are now refused.")
    else:
        messages.error(request, "No such live token.")
    return redirect("accounts:tokens")
