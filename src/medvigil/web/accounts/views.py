"""Login with a rate limit on failed attempts (per client address and per username)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import views as auth_views
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

MAX_FAILURES = 10
WINDOW_SECONDS = 15 * 60


def _keys(request: HttpRequest) -> list[str]:
    address = request.META.get("REMOTE_ADDR", "unknown")
    username = str(request.POST.get("username", "")).strip().lower()[:150]
    return [f"login-fail:ip:{address}", f"login-fail:user:{username}"]


class ThrottledLoginView(auth_views.LoginView):
    """Django's login view; after 10 failures in 15 minutes from one address or for one user,
    further attempts get HTTP 429 until the window passes."""

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        keys = _keys(request)
        if any(cache.get(k, 0) >= MAX_FAILURES for k in keys):
            context = {"message": "Too many failed logins. Wait 15 minutes and try again."}
            return render(request, "registration/throttled.html", context, status=429)
        response = super().post(request, *args, **kwargs)
        if response.status_code != 302:  # the form was re-shown: a failed attempt
            for k in keys:
                cache.add(k, 0, WINDOW_SECONDS)
                cache.incr(k)
        return response
