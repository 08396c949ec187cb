"""The order of a scan's output: one definition, most severe first (`core.matching.order`)."""

from __future__ import annotations

import random

from medvigil.core.matching.order import vulnerability_rank


def test_kev_first_then_score_then_epss_then_id() -> None:
    rows = [
        ("CVE-4", False, None, None),
        ("CVE-3", False, 5.0, 0.9),
        ("CVE-2", False, 9.8, None),
        ("CVE-1", False, 9.8, 0.1),
        ("CVE-6", True, 4.0, None),
        ("CVE-5", False, 5.0, 0.9),
    ]
    random.Random(3).shuffle(rows)
    ordered = sorted(rows, key=lambda r: vulnerability_rank(r[1], r[2], r[3], r[0]))
    assert [r[0] for r in ordered] == ["CVE-6", "CVE-1", "CVE-2", "CVE-3", "CVE-5", "CVE-4"]
