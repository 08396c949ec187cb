"""CVSS v2, v3.0, v3.1 and v4.0 vectors: parse, validate and score.

Scoring is done by the ``cvss`` library (Red Hat); this module validates the vector first so a
malformed one gives a ``VectorError`` that names the vector and the bad metric, and it fixes the
library's output where it does not match how NVD and FIRST publish scores:

* v3 temporal and environmental scores are always computed by the library, even when the vector
  carries no temporal or environmental metric; here they are ``None`` in that case (as for v2).
* v4 has one score for the whole vector (the library's ``base_score``). Here ``base_score`` is
  CVSS-B (base metrics only), ``temporal_score`` CVSS-BT (when the threat metric E is set) and
  ``environmental_score`` CVSS-BE/BTE (when an environmental metric is set). Note that CVE records
  and FIRST's v4 JSON put the score of the whole vector in ``baseScore``: compare those with
  ``CvssScore.vector_score``.
* v2 vectors are accepted as NVD and others write them: ``AV:N/...``, ``(AV:N/...)`` and
  ``CVSS:2.0/AV:N/...``; ``vector`` holds the bare NVD form.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from functools import lru_cache

from cvss import CVSS2, CVSS3, CVSS4, CVSSError
from cvss import constants2 as _c2
from cvss import constants3 as _c3
from cvss import constants4 as _c4

from medvigil.core.errors import VectorError

__all__ = [
    "CvssScore",
    "CvssVersion",
    "modified_exploitability",
    "parse_vector",
    "pick_preferred",
]


class CvssVersion(StrEnum):
    """CVSS specification version of a vector."""

    V2 = "2.0"
    V3_0 = "3.0"
    V3_1 = "3.1"
    V4_0 = "4.0"


@dataclass(frozen=True, slots=True)
class CvssScore:
    """A validated CVSS vector with its scores."""

    vector: str
    """The vector, trimmed; v2 in NVD's bare form (no parentheses, no ``CVSS:2.0/``)."""
    version: CvssVersion
    """Specification version."""
    base_score: float
    """Base score (v4: CVSS-B, from the base metrics alone)."""
    base_severity: str
    """Qualitative rating of the base score, upper case as in NVD/FIRST JSON (``HIGH``)."""
    temporal_score: float | None
    """Temporal score (v4: CVSS-BT, threat metric); ``None`` when the vector sets none."""
    environmental_score: float | None
    """Environmental score (v4: CVSS-BE/BTE); ``None`` when the vector sets no such metric."""
    exploitability_subscore: float | None
    """Exploitability sub-score, rounded to one decimal like NVD; ``None`` for v4 (not defined)."""
    impact_subscore: float | None
    """Impact sub-score, rounded to one decimal like NVD; ``None`` for v4 (not defined)."""
    metrics: tuple[tuple[str, str], ...] = ()
    """Metrics as written in the vector, in order (``("AV", "N")``, ...)."""

    @property
    def vector_score(self) -> float:
        """Score of the whole vector: environmental, else temporal, else base."""
        for score in (self.environmental_score, self.temporal_score):
            if score is not None:
                return score
        return self.base_score

    def metric(self, name: str) -> str | None:
        """Return the value written for metric ``name`` (``None`` when absent)."""
        for key, value in self.metrics:
            if key == name:
                return value
        return None


_PREFIX_VERSION = {
    "CVSS:3.0/": CvssVersion.V3_0,
    "CVSS:3.1/": CvssVersion.V3_1,
    "CVSS:4.0/": CvssVersion.V4_0,
}
_V4_THREAT = ("E",)
_V4_SUPPLEMENTAL = ("S", "AU", "R", "V", "RE", "U")
_ONE_DECIMAL = Decimal("0.1")


def _allowed_values(version: CvssVersion) -> dict[str, object]:
    if version is CvssVersion.V2:
        return dict(_c2.METRICS_VALUES)
    if version is CvssVersion.V4_0:
        return dict(_c4.METRICS_VALUE_NAMES)
    return dict(_c3.METRICS_VALUES)


def _mandatory(version: CvssVersion) -> list[str]:
    if version is CvssVersion.V2:
        return list(_c2.METRICS_MANDATORY)
    if version is CvssVersion.V4_0:
        return list(_c4.METRICS_MANDATORY)
    return list(_c3.METRICS_MANDATORY)


def _split_version(vector: str) -> tuple[CvssVersion, str, str]:
    """Return (version, canonical vector, body without prefix) or raise ``VectorError``."""
    text = vector.strip()
    if text.startswith("(") and text.endswith(")"):
        text = text[1:-1].strip()
    for prefix, version in _PREFIX_VERSION.items():
        if text.startswith(prefix):
            return version, text, text[len(prefix) :]
    if text.startswith("CVSS:2.0/"):
        text = text[len("CVSS:2.0/") :]
    if text.startswith("CVSS:"):
        head = text.split("/", 1)[0]
        raise VectorError(f"unsupported CVSS version {head!r} in vector {vector!r}", field="version")
    if "/Au:" in f"/{text}":
        return CvssVersion.V2, text, text
    if "/PR:" in f"/{text}":
        raise VectorError(
            f"CVSS v3 vector {vector!r} lacks its 'CVSS:3.0/' or 'CVSS:3.1/' prefix", field="version"
        )
    raise VectorError(f"not a CVSS vector: {vector!r} (no version prefix and no v2 'Au' metric)")


def _parse_fields(version: CvssVersion, body: str, vector: str) -> tuple[tuple[str, str], ...]:
    """Check every ``metric:value`` field against the specification's vocabulary."""
    allowed = _allowed_values(version)
    label = f"CVSS {version.value} vector {vector!r}"
    seen: dict[str, str] = {}
    for field in body.split("/"):
        metric, sep, value = field.partition(":")
        if not sep or not metric or not value or ":" in value:
            raise VectorError(f"malformed field {field!r} in {label}", field=metric or field)
        if metric not in allowed:
            raise VectorError(f"unknown metric {metric!r} in {label}", field=metric)
        values = allowed[metric]
        assert isinstance(values, dict)
        if value not in values:
            options = ", ".join(str(v) for v in values)
            raise VectorError(
                f"invalid value {value!r} for metric {metric!r} in {label} (allowed: {options})",
                field=metric,
            )
        if metric in seen:
            raise VectorError(f"metric {metric!r} given twice in {label}", field=metric)
        seen[metric] = value
    missing = [m for m in _mandatory(version) if m not in seen]
    if missing:
        raise VectorError(f"{label} lacks base metric(s) {', '.join(missing)}", field=missing[0])
    return tuple(seen.items())


def _round1(value: Decimal) -> float:
    return float(value.quantize(_ONE_DECIMAL, rounding=ROUND_HALF_UP))


def _severity_v3(score: float) -> str:
    if score == 0.0:
        return "NONE"
    if score < 4.0:
        return "LOW"
    if score < 7.0:
        return "MEDIUM"
    return "HIGH" if score < 9.0 else "CRITICAL"


def _severity_v2(score: float) -> str:
    if score < 4.0:
        return "LOW"
    return "MEDIUM" if score < 7.0 else "HIGH"


def _any_set(metrics: tuple[tuple[str, str], ...], names: tuple[str, ...] | list[str]) -> bool:
    return any(k in names and v not in ("X", "ND") for k, v in metrics)


def _score_v2(vector: str, metrics: tuple[tuple[str, str], ...]) -> CvssScore:
    lib = CVSS2(vector)
    base, temporal, environmental = lib.scores()
    exploit = Decimal(20) * lib.get_value("AV") * lib.get_value("AC") * lib.get_value("Au")
    return CvssScore(
        vector=vector,
        version=CvssVersion.V2,
        base_score=base,
        base_severity=_severity_v2(base),
        temporal_score=temporal,
        environmental_score=environmental,
        exploitability_subscore=_round1(exploit),
        impact_subscore=_round1(lib.impact_equation()),
        metrics=metrics,
    )


def _score_v3(vector: str, version: CvssVersion, metrics: tuple[tuple[str, str], ...]) -> CvssScore:
    lib = CVSS3(vector)
    base, temporal, environmental = lib.scores()
    return CvssScore(
        vector=vector,
        version=version,
        base_score=base,
        base_severity=_severity_v3(base),
        temporal_score=temporal if _any_set(metrics, _c3.TEMPORAL_METRICS) else None,
        environmental_score=environmental if _any_set(metrics, _c3.ENVIRONMENTAL_METRICS) else None,
        exploitability_subscore=_round1(lib.esc),
        impact_subscore=_round1(lib.isc),
        metrics=metrics,
    )


def _v4_score(metrics: tuple[tuple[str, str], ...], keep: frozenset[str]) -> float:
    body = "/".join(f"{k}:{v}" for k, v in metrics if k in keep)
    return float(CVSS4(f"CVSS:4.0/{body}").base_score)


def _score_v4(vector: str, metrics: tuple[tuple[str, str], ...]) -> CvssScore:
    names = frozenset(k for k, _ in metrics)
    base_names = frozenset(_c4.METRICS_MANDATORY)
    env_names = names - base_names - frozenset(_V4_THREAT) - frozenset(_V4_SUPPLEMENTAL)
    threat_set = _any_set(metrics, _V4_THREAT)
    env_set = _any_set(metrics, tuple(env_names))
    base = _v4_score(metrics, base_names)
    temporal = _v4_score(metrics, base_names | frozenset(_V4_THREAT)) if threat_set else None
    environmental = _v4_score(metrics, names) if env_set else None
    return CvssScore(
        vector=vector,
        version=CvssVersion.V4_0,
        base_score=base,
        base_severity=_severity_v3(base),
        temporal_score=temporal,
        environmental_score=environmental,
        exploitability_subscore=None,
        impact_subscore=None,
        metrics=metrics,
    )


@lru_cache(maxsize=8192)
def parse_vector(vector: str) -> CvssScore:
    """Parse and score a CVSS vector of any supported version.

    Raises ``VectorError`` naming the vector and the offending metric when it is malformed.
    Results are cached by vector string (feeds repeat the same vectors many times).
    """
    version, canonical, body = _split_version(vector)
    if not body:
        raise VectorError(f"empty CVSS {version.value} vector {vector!r}")
    metrics = _parse_fields(version, body, vector)
    try:
        if version is CvssVersion.V2:
            return _score_v2(canonical, metrics)
        if version is CvssVersion.V4_0:
            return _score_v4(canonical, metrics)
        return _score_v3(canonical, version, metrics)
    except CVSSError as exc:  # defensive: the checks above should have caught it
        raise VectorError(f"cannot score CVSS vector {vector!r}: {exc}") from exc


# Weights of the v3 exploitability metrics (FIRST CVSS v3.x specification, section 7.4).
_V3_WEIGHTS: dict[str, dict[str, float]] = {
    "AV": {"N": 0.85, "A": 0.62, "L": 0.55, "P": 0.2},
    "AC": {"L": 0.77, "H": 0.44},
    "PR": {"N": 0.85, "L": 0.62, "H": 0.27},
    "PR_C": {"N": 0.85, "L": 0.68, "H": 0.5},
    "UI": {"N": 0.85, "R": 0.62},
}
# v4 metric values mapped onto v3 weights: UI Passive/Active -> Required, AT:P lowers AC to High.
_V4_TO_V3_UI = {"N": "N", "P": "R", "A": "R"}


def _effective(score: CvssScore, metric: str) -> str:
    modified = score.metric(f"M{metric}")
    if modified not in (None, "X"):
        assert modified is not None
        return modified
    value = score.metric(metric)
    assert value is not None
    return value


def modified_exploitability(score: CvssScore) -> float | None:
    """Return the v3-scale exploitability sub-score from the effective metrics.

    Uses the environmental modified metrics (MAV, MAC, MPR, MUI, MS) where the vector sets them,
    which is how deployed compensating controls are credited (regulatory.md 1.4). For v4 vectors
    the v4 metrics are mapped onto v3 weights (AT:P counts as AC:H, UI:P/A as UI:R). Returns
    ``None`` for v2, which has no comparable sub-score.
    """
    if score.version is CvssVersion.V2:
        return None
    av = _effective(score, "AV")
    ac = _effective(score, "AC")
    pr = _effective(score, "PR")
    ui = _effective(score, "UI")
    changed = False
    if score.version is CvssVersion.V4_0:
        if _effective(score, "AT") == "P":
            ac = "H"
        ui = _V4_TO_V3_UI[ui]
    else:
        changed = _effective(score, "S") == "C"
    pr_weight = _V3_WEIGHTS["PR_C" if changed else "PR"][pr]
    value = 8.22 * _V3_WEIGHTS["AV"][av] * _V3_WEIGHTS["AC"][ac] * pr_weight * _V3_WEIGHTS["UI"][ui]
    return round(value, 4)


_PREFERENCE = (CvssVersion.V3_1, CvssVersion.V3_0, CvssVersion.V4_0, CvssVersion.V2)


def pick_preferred(scores: tuple[CvssScore, ...] | list[CvssScore]) -> CvssScore | None:
    """Return the score the risk policy should use: v3.1, then v3.0, v4.0, v2 (first of each)."""
    for version in _PREFERENCE:
        for score in scores:
            if score.version is version:
                return score
    return None
