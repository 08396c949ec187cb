"""Support-horizon check: components whose support ends before the product's (FDA PRE-SBOM-2).

A component conflicts when:

* its support level is ``no-longer-maintained`` or ``abandoned`` (whatever the dates), or
* it has an end-of-support date before the product's end of support, or
* the product has no end of support (still supported, open-ended) and the component's end of
  support is already past (before ``today``): an open-ended product cannot rely on it.

With a product end of support, a component that is already past its end of support is also
before the product's, so it is reported with both facts in the reason. Components with no
support data are not conflicts (the FDA asks for a justification instead; that is reported
elsewhere).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from medvigil.core.model import Component, SupportLevel

_UNSUPPORTED = {
    SupportLevel.NO_LONGER_MAINTAINED: "is no longer maintained",
    SupportLevel.ABANDONED: "is abandoned",
}


@dataclass(frozen=True, slots=True)
class HorizonConflict:
    """One component whose support does not cover the product's support period."""

    component: Component
    """The component."""
    reason: str
    """Why, for people (``support ends 2025-06-30, before the product's end of support 2030-12-31``)."""


def _date_reason(eos: dt.date, product_eos: dt.date | None, today: dt.date) -> str:
    past = f", already past (today is {today.isoformat()})" if eos < today else ""
    if product_eos is not None and eos < product_eos:
        product = product_eos.isoformat()
        return f"support ends {eos.isoformat()}{past}, before the product's end of support {product}"
    if product_eos is None and eos < today:
        return f"support ended {eos.isoformat()}, and the product has no end of support"
    return ""


def support_conflicts(
    components: Iterable[Component], product_end_of_support: dt.date | None, today: dt.date
) -> list[HorizonConflict]:
    """Return the components whose support ends before the product's (see the module rules)."""
    conflicts = []
    for c in components:
        reasons = []
        if c.support_level in _UNSUPPORTED:
            reasons.append(f"the component {_UNSUPPORTED[c.support_level]}")
        if c.end_of_support is not None:
            text = _date_reason(c.end_of_support, product_end_of_support, today)
            if text:
                reasons.append(text)
        if reasons:
            conflicts.append(HorizonConflict(component=c, reason="; ".join(reasons)))
    return conflicts
