"""Roles and what they may do.

Three roles, held as Django groups: ``viewer`` reads everything, ``analyst`` also writes inventory,
intelligence and assessments, ``admin`` also manages users and tokens. Superusers are admins.
"""

from __future__ import annotations

from enum import IntEnum
from typing import Any


class Role(IntEnum):
    """Ordered roles: a higher role includes the lower ones."""

    NONE = 0
    VIEWER = 1
    ANALYST = 2
    ADMIN = 3

    @property
    def label(self) -> str:
        """Lower-case name as used for the Django group."""
        return self.name.lower()


ROLE_GROUPS = {Role.VIEWER: "viewer", Role.ANALYST: "analyst", Role.ADMIN: "admin"}


def role_of(user: Any) -> Role:
    """Return the highest role the user holds (NONE for anonymous or inactive users)."""
    if user is None or not user.is_authenticated or not user.is_active:
        return Role.NONE
    if user.is_superuser:
        return Role.ADMIN
    cached = getattr(user, "_medvigil_role", None)
    if cached is not None:
        return Role(cached)
    names = set(user.groups.values_list("name", flat=True))
    role = max((r for r, g in ROLE_GROUPS.items() if g in names), default=Role.NONE)
    user._medvigil_role = int(role)
    return role


def can_read(user: Any) -> bool:
    """Viewers and above may read."""
    return role_of(user) >= Role.VIEWER


def can_write(user: Any) -> bool:
    """Analysts and above may change inventory and intelligence."""
    return role_of(user) >= Role.ANALYST
