"""Percentile definition, bins and compliance share."""

from __future__ import annotations

import random
import statistics

import pytest

from medvigil.core.metrics.stats import DURATION_BINS, Bin, compliance_share, percentile


def test_percentile_matches_statistics_quantiles_inclusive() -> None:
    rng = random.Random(1)
    for size in (2, 3, 10, 11, 97):
        values = [rng.randrange(300) for _ in range(size)]
        deciles = statistics.quantiles(values, n=10, method="inclusive")
        assert percentile(values, 0.5) == pytest.approx(statistics.median(values))
        assert percentile(values, 0.9) == pytest.approx(deciles[8])


def test_percentile_edges() -> None:
    assert percentile([], 0.5) is None
    assert percentile([7], 0.9) == 7.0
    assert percentile([1, 2, 3, 4], 1.0) == 4.0
    assert percentile([1, 2, 3, 4], 0.0) == 1.0
    assert percentile([10, 10, 10, 20], 0.5) == 10.0  # ties
    with pytest.raises(ValueError, match="within 0..1"):
        percentile([1], 1.5)


def test_bins_cover_every_day_once() -> None:
    assert [b.label for b in DURATION_BINS] == ["0-7", "8-14", "15-30", "31-60", "61-90", "91-180", "181+"]
    for day in range(400):
        assert sum(1 for b in DURATION_BINS if b.low <= day and (b.high is None or day <= b.high)) == 1
    assert Bin(3, None).label == "3+"


def test_compliance_share() -> None:
    assert compliance_share(0, 0, 0) is None
    assert compliance_share(3, 1, 0) == 0.75
    assert compliance_share(0, 0, 2) == 0.0
