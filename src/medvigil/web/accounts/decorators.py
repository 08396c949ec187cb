"""View decorators for role checks."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

from medvigil.web.accounts.roles import Role, can_read, can_write, role_of

View = Callable[..., HttpResponse]


def viewer_required(view: View) -> View:
    """Login, then at least the viewer role."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not can_read(request.user):
            raise PermissionDenied("this account has no role")
        return view(request, *args, **kwargs)

    return login_required(wrapper)


def analyst_required(view: View) -> View:
    """Login, then the analyst or admin role."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not can_write(request.user):
            raise PermissionDenied("the analyst role is needed")
        return view(request, *args, **kwargs)

    return login_required(wrapper)


def admin_required(view: View) -> View:
    """Login, then the admin role."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if role_of(request.user) < Role.ADMIN:
            raise PermissionDenied("the admin role is needed")
        return view(request, *args, **kwargs)

    return login_required(wrapper)
