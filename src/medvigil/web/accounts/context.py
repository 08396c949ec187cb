"""Template context: the current user's role."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from medvigil.web.accounts.roles import Role, role_of


def role(request: HttpRequest) -> dict[str, Any]:
    """Expose ``role`` and ``can_write`` to templates."""
    current = role_of(getattr(request, "user", None))
    return {"role": current.label, "can_write": current >= Role.ANALYST}
