"""Percentiles and duration bins, defined once.

Percentiles are the linear interpolation between closest ranks (Hyndman and Fan type 7): for
sorted values ``x[0..n-1]`` and a fraction ``p``, ``h = (n - 1) * p`` and the result is
``x[floor(h)] + (h - floor(h)) * (x[floor(h) + 1] - x[floor(h)])``. This is PostgreSQL's
``percentile_cont``, numpy's default ``percentile`` and ``statistics.quantiles(method="inclusive")``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

__all__ = ["DURATION_BINS", "PERCENTILES", "Bin", "bin_label", "compliance_share", "percentile"]

PERCENTILES: tuple[float, ...] = (0.5, 0.9)
"""The percentiles every duration reports: the median and the 90th percentile."""


def percentile(values: Sequence[float], p: float) -> float | None:
    """The ``p`` percentile (0 <= p <= 1) of ``values`` by linear interpolation; ``None`` if empty."""
    if not 0 <= p <= 1:
        raise ValueError(f"percentile fraction {p} is not within 0..1")
    if not values:
        return None
    ordered = sorted(values)
    h = (len(ordered) - 1) * p
    low = math.floor(h)
    if low + 1 >= len(ordered):
        return float(ordered[low])
    return float(ordered[low] + (h - low) * (ordered[low + 1] - ordered[low]))


@dataclass(frozen=True, slots=True)
class Bin:
    """A histogram bin of whole days, ``low <= days <= high`` (``high`` None: no upper bound)."""

    low: int
    high: int | None

    @property
    def label(self) -> str:
        """``0-7``, ``8-14``, ..., ``181+``."""
        return bin_label(self.low, self.high)


def bin_label(low: int, high: int | None) -> str:
    """The label of the bin ``low..high`` days."""
    return f"{low}+" if high is None else f"{low}-{high}"


DURATION_BINS: tuple[Bin, ...] = (
    Bin(0, 7),
    Bin(8, 14),
    Bin(15, 30),
    Bin(31, 60),
    Bin(61, 90),
    Bin(91, 180),
    Bin(181, None),
)
"""Histogram bins of the time to assess, communicate and fix (edges at the FDA's 30 and 60 days)."""


def compliance_share(met: int, late: int, overdue: int) -> float | None:
    """Milestones met on time over those that are decided (met, late, or overdue); ``None`` if none."""
    decided = met + late + overdue
    return None if decided == 0 else met / decided
