"""CVSS parsing and scoring (medvigil.core.risk.cvss)."""

from __future__ import annotations

import pytest

from medvigil.core.errors import VectorError
from medvigil.core.risk.cvss import CvssVersion, modified_exploitability, parse_vector, pick_preferred

V31_CRITICAL = "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"


def test_scores_v31_base_with_nvd_subscores() -> None:
    score = parse_vector(V31_CRITICAL)
    assert score.version is CvssVersion.V3_1
    assert (score.base_score, score.base_severity) == (9.8, "CRITICAL")
    assert (score.exploitability_subscore, score.impact_subscore) == (3.9, 5.9)
    assert score.temporal_score is None
    assert score.environmental_score is None


def test_v3_temporal_and_environmental_metrics_are_honoured() -> None:
    score = parse_vector(V31_CRITICAL + "/E:P/RL:O/RC:C")
    assert score.temporal_score == 8.8  # roundup(9.8 x 0.94 x 0.95 x 1)
    assert score.environmental_score is None
    env = parse_vector(V31_CRITICAL + "/MAV:P/CR:L")
    assert env.temporal_score is None
    assert env.environmental_score is not None
    assert env.environmental_score < env.base_score
    assert env.vector_score == env.environmental_score


def test_v30_prefix_gives_v30() -> None:
    score = parse_vector("CVSS:3.0/AV:N/AC:H/PR:N/UI:N/S:U/C:N/I:N/A:H")
    assert (score.version, score.base_score, score.base_severity) == (CvssVersion.V3_0, 5.9, "MEDIUM")


@pytest.mark.parametrize(
    "written",
    [
        "AV:N/AC:L/Au:N/C:P/I:P/A:P",
        "(AV:N/AC:L/Au:N/C:P/I:P/A:P)",
        "CVSS:2.0/AV:N/AC:L/Au:N/C:P/I:P/A:P",
        " (CVSS:2.0/AV:N/AC:L/Au:N/C:P/I:P/A:P) ",
    ],
)
def test_v2_vectors_in_every_written_form(written: str) -> None:
    score = parse_vector(written)
    assert score.version is CvssVersion.V2
    assert score.vector == "AV:N/AC:L/Au:N/C:P/I:P/A:P"
    assert (score.base_score, score.base_severity) == (7.5, "HIGH")
    assert (score.exploitability_subscore, score.impact_subscore) == (10.0, 6.4)


def test_v2_temporal_score() -> None:
    score = parse_vector("AV:N/AC:L/Au:N/C:P/I:P/A:P/E:F/RL:OF/RC:C")
    assert score.temporal_score == 6.2  # 7.5 x 0.95 x 0.87 x 1.0 = 6.19875
    assert score.environmental_score is None


def test_v4_splits_base_threat_and_environmental_scores() -> None:
    base = "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N"
    plain = parse_vector(base)
    assert (plain.base_score, plain.base_severity, plain.temporal_score) == (9.3, "CRITICAL", None)
    assert plain.exploitability_subscore is None
    threat = parse_vector(base + "/E:U")  # CVE-2024-48918 publishes 8.1 for this vector
    assert (threat.base_score, threat.temporal_score, threat.vector_score) == (9.3, 8.1, 8.1)
    env = parse_vector(base + "/E:U/MAV:P")
    assert env.environmental_score is not None
    assert env.environmental_score < 8.1


@pytest.mark.parametrize(
    ("vector", "metric", "fragment"),
    [
        ("CVSS:3.1/AV:X/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", "AV", "invalid value 'X' for metric 'AV'"),
        ("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H", "A", "lacks base metric(s) A"),
        ("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/ZZ:1", "ZZ", "unknown metric 'ZZ'"),
        ("CVSS:3.1/AV:N/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", "AV", "metric 'AV' given twice"),
        ("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/", "", "malformed field ''"),
        ("AV:N/AC:L/Au:N/C:P/I:P/A:Q", "A", "invalid value 'Q' for metric 'A'"),
        ("CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N", "SA", "lacks base metric(s) SA"),
        ("AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", "version", "lacks its 'CVSS:3.0/' or 'CVSS:3.1/' prefix"),
        ("CVSS:5.0/AV:N", "version", "unsupported CVSS version 'CVSS:5.0'"),
        ("hello", "", "not a CVSS vector"),
    ],
)
def test_malformed_vectors_name_the_vector_and_metric(vector: str, metric: str, fragment: str) -> None:
    with pytest.raises(VectorError) as info:
        parse_vector(vector)
    assert info.value.field == metric
    assert fragment in info.value.message
    assert repr(vector) in info.value.message


def test_modified_exploitability_credits_modified_metrics() -> None:
    assert modified_exploitability(parse_vector(V31_CRITICAL)) == pytest.approx(3.887, abs=1e-3)
    physical = parse_vector(V31_CRITICAL + "/MAV:P")
    assert modified_exploitability(physical) == pytest.approx(0.9146, abs=1e-3)
    changed = parse_vector("CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:C/C:H/I:H/A:H")
    assert modified_exploitability(changed) == pytest.approx(3.1, abs=0.05)  # PR:L = 0.68 when S:C
    assert modified_exploitability(parse_vector("AV:N/AC:L/Au:N/C:P/I:P/A:P")) is None


def test_modified_exploitability_maps_v4_onto_v3_weights() -> None:
    v4 = parse_vector("CVSS:4.0/AV:N/AC:L/AT:P/PR:N/UI:P/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N")
    # AT:P counts as AC:H and UI:P as UI:R: 8.22 x 0.85 x 0.44 x 0.85 x 0.62
    assert modified_exploitability(v4) == pytest.approx(8.22 * 0.85 * 0.44 * 0.85 * 0.62, abs=1e-3)


def test_pick_preferred_orders_v31_v30_v4_v2() -> None:
    v2 = parse_vector("AV:N/AC:L/Au:N/C:P/I:P/A:P")
    v30 = parse_vector("CVSS:3.0/AV:N/AC:H/PR:N/UI:N/S:U/C:N/I:N/A:H")
    v4 = parse_vector("CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N")
    assert pick_preferred([v2, v4, v30]) is v30
    assert pick_preferred([v2, v4]) is v4
    assert pick_preferred([v2]) is v2
    assert pick_preferred([]) is None
