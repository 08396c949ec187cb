"""Mandatory tests on the CVSS scores of vulnerabilities.

6.1.7 one score per CVSS version and product, 6.1.8 CVSS objects valid against the FIRST
schemas, 6.1.9 scores and severities computed from the vector, 6.1.10 metric properties
consistent with the vector. Scores are computed by the ``cvss`` library, as in
:mod:`medvigil.core.risk.cvss`.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from functools import cache, lru_cache
from typing import Any

from cvss import CVSS2, CVSS3, CVSSError
from jsonschema.protocols import Validator
from jsonschema.validators import validator_for

from medvigil.core.csaf._doc import CsafDoc, Finding, arr, obj
from medvigil.core.feeds.validation import SCHEMA_DIR, violations

_SCHEMAS = {"2.0": "cvss-v2.0.json", "3.0": "cvss-v3.0.json", "3.1": "cvss-v3.1.json"}


@cache
def _cvss_validator(version: str) -> Validator:
    import orjson

    schema = orjson.loads((SCHEMA_DIR / _SCHEMAS[version]).read_bytes())
    validator: Validator = validator_for(schema)(schema)
    return validator


def _scores(doc: CsafDoc) -> Iterator[tuple[str, str, JsonCvss]]:
    """Yield ``(pointer, key, cvss object)`` for every ``cvss_v2`` / ``cvss_v3`` object."""
    for base, vuln in doc.vulns():
        for i, score in enumerate(arr(vuln.get("scores"))):
            for key in ("cvss_v2", "cvss_v3"):
                cvss = obj(score).get(key)
                if isinstance(cvss, dict):
                    yield f"{base}/scores/{i}/{key}", key, cvss


JsonCvss = dict[str, Any]


def one_score_per_version(doc: CsafDoc) -> Iterator[Finding]:
    """6.1.7: a product has at most one score per CVSS version in a vulnerability."""
    for base, vuln in doc.vulns():
        seen: set[tuple[str, str]] = set()
        for i, score in enumerate(arr(vuln.get("scores"))):
            score = obj(score)
            versions = [
                str(obj(score.get(key)).get("version", default))
                for key, default in (("cvss_v2", "2.0"), ("cvss_v3", "3"))
                if isinstance(score.get(key), dict)
            ]
            for pos, product_id in enumerate(arr(score.get("products"))):
                for version in versions:
                    if (product_id, version) in seen:
                        yield (
                            f"{base}/scores/{i}/products/{pos}",
                            f"product id {product_id!r} has a second CVSS {version} score",
                        )
                    seen.add((product_id, version))


def invalid_cvss(doc: CsafDoc) -> Iterator[Finding]:
    """6.1.8: every CVSS object is valid against the FIRST JSON schema of its version."""
    for pointer, key, cvss in _scores(doc):
        # the schema of the object's kind and version; a missing or wrong version is then
        # reported by that schema (``version`` is a required constant in each)
        version = "2.0" if key == "cvss_v2" else ("3.0" if cvss.get("version") == "3.0" else "3.1")
        for found in violations(_cvss_validator(version), cvss):
            yield f"{pointer}{found.pointer}", found.message


def cvss_computation(doc: CsafDoc) -> Iterator[Finding]:
    """6.1.9: base, temporal and environmental scores and severities follow from the vector."""
    for pointer, key, cvss in _scores(doc):
        vector = cvss.get("vectorString")
        if not isinstance(vector, str):
            continue
        try:
            expected = _expected_v2(vector) if key == "cvss_v2" else _expected_v3(vector)
        except CVSSError:
            continue  # a malformed vector is reported by 6.1.8
        for name, want in expected:
            got = cvss.get(name)
            if got is None:
                continue
            same = got == want if isinstance(want, str) else _number_equal(got, want)
            if not same:
                yield f"{pointer}/{name}", f"{name} is {got!r} but the vector {vector!r} gives {want!r}"


def _number_equal(got: Any, want: float) -> bool:
    return isinstance(got, int | float) and not isinstance(got, bool) and abs(got - want) < 1e-9


Expected = tuple[tuple[str, float | str], ...]


@lru_cache(maxsize=4096)
def _expected_v3(vector: str) -> Expected:
    lib = CVSS3(vector)
    base, temporal, environmental = lib.scores()
    severities = [s.upper() for s in lib.severities()]
    return (
        ("baseScore", float(base)),
        ("baseSeverity", severities[0]),
        ("temporalScore", float(temporal)),
        ("temporalSeverity", severities[1]),
        ("environmentalScore", float(environmental)),
        ("environmentalSeverity", severities[2]),
    )


@lru_cache(maxsize=4096)
def _expected_v2(vector: str) -> Expected:
    base, temporal, environmental = CVSS2(vector).scores()
    # without temporal (environmental) metrics the v2 formulas give the base (temporal) score
    temporal = base if temporal is None else temporal
    environmental = temporal if environmental is None else environmental
    return (
        ("baseScore", float(base)),
        ("temporalScore", float(temporal)),
        ("environmentalScore", float(environmental)),
    )


_V3_METRICS: Mapping[str, tuple[str, Mapping[str, str]]] = {
    "AV": ("attackVector", {"N": "NETWORK", "A": "ADJACENT_NETWORK", "L": "LOCAL", "P": "PHYSICAL"}),
    "AC": ("attackComplexity", {"L": "LOW", "H": "HIGH"}),
    "PR": ("privilegesRequired", {"N": "NONE", "L": "LOW", "H": "HIGH"}),
    "UI": ("userInteraction", {"N": "NONE", "R": "REQUIRED"}),
    "S": ("scope", {"U": "UNCHANGED", "C": "CHANGED"}),
    "C": ("confidentialityImpact", {"N": "NONE", "L": "LOW", "H": "HIGH"}),
    "I": ("integrityImpact", {"N": "NONE", "L": "LOW", "H": "HIGH"}),
    "A": ("availabilityImpact", {"N": "NONE", "L": "LOW", "H": "HIGH"}),
    "E": (
        "exploitCodeMaturity",
        {"U": "UNPROVEN", "P": "PROOF_OF_CONCEPT", "F": "FUNCTIONAL", "H": "HIGH", "X": "NOT_DEFINED"},
    ),
    "RL": (
        "remediationLevel",
        {
            "O": "OFFICIAL_FIX",
            "T": "TEMPORARY_FIX",
            "W": "WORKAROUND",
            "U": "UNAVAILABLE",
            "X": "NOT_DEFINED",
        },
    ),
    "RC": ("reportConfidence", {"U": "UNKNOWN", "R": "REASONABLE", "C": "CONFIRMED", "X": "NOT_DEFINED"}),
    "CR": ("confidentialityRequirement", {"L": "LOW", "M": "MEDIUM", "H": "HIGH", "X": "NOT_DEFINED"}),
    "IR": ("integrityRequirement", {"L": "LOW", "M": "MEDIUM", "H": "HIGH", "X": "NOT_DEFINED"}),
    "AR": ("availabilityRequirement", {"L": "LOW", "M": "MEDIUM", "H": "HIGH", "X": "NOT_DEFINED"}),
    "MAV": (
        "modifiedAttackVector",
        {"N": "NETWORK", "A": "ADJACENT_NETWORK", "L": "LOCAL", "P": "PHYSICAL", "X": "NOT_DEFINED"},
    ),
    "MAC": ("modifiedAttackComplexity", {"L": "LOW", "H": "HIGH", "X": "NOT_DEFINED"}),
    "MPR": ("modifiedPrivilegesRequired", {"N": "NONE", "L": "LOW", "H": "HIGH", "X": "NOT_DEFINED"}),
    "MUI": ("modifiedUserInteraction", {"N": "NONE", "R": "REQUIRED", "X": "NOT_DEFINED"}),
    "MS": ("modifiedScope", {"U": "UNCHANGED", "C": "CHANGED", "X": "NOT_DEFINED"}),
    "MC": ("modifiedConfidentialityImpact", {"N": "NONE", "L": "LOW", "H": "HIGH", "X": "NOT_DEFINED"}),
    "MI": ("modifiedIntegrityImpact", {"N": "NONE", "L": "LOW", "H": "HIGH", "X": "NOT_DEFINED"}),
    "MA": ("modifiedAvailabilityImpact", {"N": "NONE", "L": "LOW", "H": "HIGH", "X": "NOT_DEFINED"}),
}
_V2_METRICS: Mapping[str, tuple[str, Mapping[str, str]]] = {
    "AV": ("accessVector", {"N": "NETWORK", "A": "ADJACENT_NETWORK", "L": "LOCAL"}),
    "AC": ("accessComplexity", {"H": "HIGH", "M": "MEDIUM", "L": "LOW"}),
    "Au": ("authentication", {"N": "NONE", "S": "SINGLE", "M": "MULTIPLE"}),
    "C": ("confidentialityImpact", {"N": "NONE", "P": "PARTIAL", "C": "COMPLETE"}),
    "I": ("integrityImpact", {"N": "NONE", "P": "PARTIAL", "C": "COMPLETE"}),
    "A": ("availabilityImpact", {"N": "NONE", "P": "PARTIAL", "C": "COMPLETE"}),
    "E": (
        "exploitability",
        {"U": "UNPROVEN", "POC": "PROOF_OF_CONCEPT", "F": "FUNCTIONAL", "H": "HIGH", "ND": "NOT_DEFINED"},
    ),
    "RL": (
        "remediationLevel",
        {
            "OF": "OFFICIAL_FIX",
            "TF": "TEMPORARY_FIX",
            "W": "WORKAROUND",
            "U": "UNAVAILABLE",
            "ND": "NOT_DEFINED",
        },
    ),
    "RC": (
        "reportConfidence",
        {"UC": "UNCONFIRMED", "UR": "UNCORROBORATED", "C": "CONFIRMED", "ND": "NOT_DEFINED"},
    ),
    "CDP": (
        "collateralDamagePotential",
        {"N": "NONE", "L": "LOW", "LM": "LOW_MEDIUM", "MH": "MEDIUM_HIGH", "H": "HIGH", "ND": "NOT_DEFINED"},
    ),
    "TD": ("targetDistribution", {"N": "NONE", "L": "LOW", "M": "MEDIUM", "H": "HIGH", "ND": "NOT_DEFINED"}),
    "CR": ("confidentialityRequirement", {"L": "LOW", "M": "MEDIUM", "H": "HIGH", "ND": "NOT_DEFINED"}),
    "IR": ("integrityRequirement", {"L": "LOW", "M": "MEDIUM", "H": "HIGH", "ND": "NOT_DEFINED"}),
    "AR": ("availabilityRequirement", {"L": "LOW", "M": "MEDIUM", "H": "HIGH", "ND": "NOT_DEFINED"}),
}


def inconsistent_cvss(doc: CsafDoc) -> Iterator[Finding]:
    """6.1.10: metric properties given beside the vector have the vector's values."""
    for pointer, key, cvss in _scores(doc):
        vector = cvss.get("vectorString")
        if not isinstance(vector, str):
            continue
        table = _V2_METRICS if key == "cvss_v2" else _V3_METRICS
        fields = vector.split("/")[0 if key == "cvss_v2" else 1 :]
        for field in fields:
            metric, _, value = field.partition(":")
            if metric not in table:
                continue
            name, names = table[metric]
            want = names.get(value)
            got = cvss.get(name)
            if want is not None and got is not None and got != want:
                yield f"{pointer}/{name}", f"{name} is {got!r} but the vector says {metric}:{value} ({want})"


TESTS = {
    "6.1.7": one_score_per_version,
    "6.1.8": invalid_cvss,
    "6.1.9": cvss_computation,
    "6.1.10": inconsistent_cvss,
}
