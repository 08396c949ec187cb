"""View decorators for role checks."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

from medvigil.web.accounts.roles import can_read, can_write

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
