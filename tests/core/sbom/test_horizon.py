"""Support-horizon conflicts (components that stop being supported before the product)."""

from __future__ import annotations

import datetime as dt

from medvigil.core.model import Component, SupportLevel
from medvigil.core.sbom.horizon import support_conflicts

TODAY = dt.date(2026, 1, 1)
PRODUCT_EOS = dt.date(2030, 12, 31)


def names(components: list[Component], product: dt.date | None) -> dict[str, str]:
    return {c.component.name: c.reason for c in support_conflicts(components, product, TODAY)}


COMPONENTS = [
    Component(name="ok-long", end_of_support=dt.date(2032, 1, 1)),
    Component(name="ends-early", end_of_support=dt.date(2028, 6, 30)),
    Component(name="already-past", end_of_support=dt.date(2025, 6, 30)),
    Component(name="abandoned", support_level=SupportLevel.ABANDONED),
    Component(
        name="unmaintained",
        support_level=SupportLevel.NO_LONGER_MAINTAINED,
        end_of_support=dt.date(2035, 1, 1),
    ),
    Component(name="unknown"),
]


def test_with_product_end_of_support() -> None:
    found = names(COMPONENTS, PRODUCT_EOS)
    assert set(found) == {"ends-early", "already-past", "abandoned", "unmaintained"}
    assert found["ends-early"] == "support ends 2028-06-30, before the product's end of support 2030-12-31"
    assert "already past (today is 2026-01-01)" in found["already-past"]
    assert found["abandoned"] == "the component is abandoned"
    assert found["unmaintained"] == "the component is no longer maintained"


def test_without_product_end_of_support_only_past_dates_conflict() -> None:
    found = names(COMPONENTS, None)
    assert set(found) == {"already-past", "abandoned", "unmaintained"}
    assert found["already-past"] == "support ended 2025-06-30, and the product has no end of support"


def test_same_day_is_not_a_conflict() -> None:
    assert names([Component(name="x", end_of_support=PRODUCT_EOS)], PRODUCT_EOS) == {}
