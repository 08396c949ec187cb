"""The optional tests of CSAF 2.0 (section 6.2): advice, never a reason to reject a document.

:func:`check_optional` runs :data:`OPTIONAL_TESTS` (6.2.1 ... 6.2.19) and returns
:class:`~medvigil.core.csaf.validate.CsafViolation` values to show as warnings. 6.2.20
(additional properties, a stricter variant of the JSON schema) is not implemented.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from types import MappingProxyType
from typing import Any

from medvigil.core.csaf._doc import (
    AFFECTED,
    FIXED,
    UNDER_INVESTIGATION,
    CsafDoc,
    Finding,
    arr,
    ids,
    instant,
    obj,
)
from medvigil.core.csaf.products import product_references
from medvigil.core.csaf.validate import CsafTest, CsafViolation, run_tests


def unused_product_id(doc: CsafDoc) -> Iterator[Finding]:
    """6.2.1: every product defined in the product tree is referred to somewhere."""
    if doc.category == "csaf_informational_advisory":
        return  # no vulnerabilities to refer to products: the tree only names the subject
    used = {product_id for _, product_id in product_references(doc)}
    for pointer, product_id in doc.tree.product_ids:
        if product_id not in used:
            yield pointer, f"product id {product_id!r} is defined but never used"


def _status_members(vuln: dict[str, Any], categories: Iterable[str]) -> Iterator[tuple[str, int, str]]:
    status = obj(vuln.get("product_status"))
    for category in categories:
        for pos, product_id in enumerate(ids(status.get(category))):
            yield category, pos, product_id


def missing_remediation(doc: CsafDoc) -> Iterator[Finding]:
    """6.2.2: every affected or under-investigation product has a remediation."""
    for base, vuln in doc.vulns():
        covered: set[str] = set()
        for item in arr(vuln.get("remediations")):
            covered |= doc.members(obj(item))
        for category, pos, product_id in _status_members(vuln, (*AFFECTED, *UNDER_INVESTIGATION)):
            if product_id not in covered:
                yield f"{base}/product_status/{category}/{pos}", f"product {product_id!r} has no remediation"


def missing_score(doc: CsafDoc) -> Iterator[Finding]:
    """6.2.3: every affected product has a score."""
    for base, vuln in doc.vulns():
        scored = {p for score in arr(vuln.get("scores")) for p in ids(obj(score).get("products"))}
        for category, pos, product_id in _status_members(vuln, AFFECTED):
            if product_id not in scored:
                yield (
                    f"{base}/product_status/{category}/{pos}",
                    f"affected product {product_id!r} has no score",
                )


def _history(doc: CsafDoc) -> Iterator[tuple[str, dict[str, Any]]]:
    for i, item in enumerate(arr(doc.tracking.get("revision_history"))):
        yield f"/document/tracking/revision_history/{i}", obj(item)


def build_metadata_in_history(doc: CsafDoc) -> Iterator[Finding]:
    """6.2.4: revision numbers carry no build metadata."""
    for pointer, item in _history(doc):
        number = item.get("number")
        if isinstance(number, str) and "+" in number:
            yield f"{pointer}/number", f"revision {number!r} has build metadata"


def older_initial_release(doc: CsafDoc) -> Iterator[Finding]:
    """6.2.5: the initial release date is not older than the oldest revision."""
    initial = instant(doc.tracking.get("initial_release_date"))
    dates = [d for _, item in _history(doc) if (d := instant(item.get("date")))]
    if initial and dates and initial < min(dates):
        yield "/document/tracking/initial_release_date", "initial_release_date is older than every revision"


def older_current_release(doc: CsafDoc) -> Iterator[Finding]:
    """6.2.6: the current release date is not older than the newest revision."""
    current = instant(doc.tracking.get("current_release_date"))
    dates = [d for _, item in _history(doc) if (d := instant(item.get("date")))]
    if current and dates and current < max(dates):
        yield (
            "/document/tracking/current_release_date",
            "current_release_date is older than a revision",
        )


def involvement_without_date(doc: CsafDoc) -> Iterator[Finding]:
    """6.2.7: every involvement is dated."""
    for base, vuln in doc.vulns():
        for i, item in enumerate(arr(vuln.get("involvements"))):
            if "date" not in obj(item):
                yield f"{base}/involvements/{i}", "involvement without date"


def _only_algorithm(doc: CsafDoc, algorithm: str) -> Iterator[Finding]:
    for pointer, product in doc.tree.full_products:
        helper = obj(product.get("product_identification_helper"))
        for i, hashes in enumerate(arr(helper.get("hashes"))):
            algorithms = {
                str(obj(h).get("algorithm", "")).lower() for h in arr(obj(hashes).get("file_hashes"))
            }
            if algorithms == {algorithm}:
                yield (
                    f"{pointer}/product_identification_helper/hashes/{i}/file_hashes",
                    f"{algorithm} is the only hash algorithm",
                )


def only_md5(doc: CsafDoc) -> Iterator[Finding]:
    """6.2.8: MD5 is not the only hash of a file."""
    yield from _only_algorithm(doc, "md5")


def only_sha1(doc: CsafDoc) -> Iterator[Finding]:
    """6.2.9: SHA-1 is not the only hash of a file."""
    yield from _only_algorithm(doc, "sha1")


def missing_tlp(doc: CsafDoc) -> Iterator[Finding]:
    """6.2.10: the document has a TLP label."""
    if "label" not in obj(obj(doc.document.get("distribution")).get("tlp")):
        yield "/document/distribution", "no TLP label"


def file_name(tracking_id: str) -> str:
    """The file name a CSAF document must have (section 5.1): ``cisa-2024-001.json``."""
    return re.sub(r"[^+\-a-z0-9]+", "_", tracking_id.lower()) + ".json"


def missing_canonical_url(doc: CsafDoc) -> Iterator[Finding]:
    """6.2.11: a ``self`` reference gives the https URL of the document under its file name."""
    name = file_name(str(doc.tracking.get("id", "")))
    for ref in arr(doc.document.get("references")):
        url = obj(ref).get("url")
        is_self = obj(ref).get("category") == "self" and isinstance(url, str)
        if is_self and str(url).startswith("https://") and str(url).endswith(f"/{name}"):
            return
    yield "/document/references", f"no self reference to an https URL ending in /{name}"


def missing_language(doc: CsafDoc) -> Iterator[Finding]:
    """6.2.12: the document states its language."""
    if "lang" not in doc.document:
        yield "/document", "no document language (lang)"


def _unsorted(value: Any, pointer: str) -> Iterator[Finding]:
    if isinstance(value, dict):
        keys = list(value)
        if keys != sorted(keys):
            yield pointer or "/", "keys are not sorted alphabetically"
        for key, item in value.items():
            yield from _unsorted(item, f"{pointer}/{key.replace('~', '~0').replace('/', '~1')}")
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from _unsorted(item, f"{pointer}/{i}")


def sorting(doc: CsafDoc) -> Iterator[Finding]:
    """6.2.13: the keys of every object are sorted alphabetically."""
    yield from _unsorted(doc.raw, "")


_PRIVATE_LANGUAGE = re.compile(r"^q[a-t][a-z]$")
_PRIVATE_SCRIPT = re.compile(r"^qa(a[a-z]|b[a-x])$")
_PRIVATE_REGION = re.compile(r"^(aa|q[m-z]|x[a-z]|zz)$")


def _private(tag: str) -> bool:
    parts = tag.lower().split("-")
    if parts[0] == "x" or _PRIVATE_LANGUAGE.match(parts[0]):
        return True
    for part in parts[1:]:
        if part == "x":
            return True
        if (len(part) == 4 and _PRIVATE_SCRIPT.match(part)) or (
            len(part) == 2 and _PRIVATE_REGION.match(part)
        ):
            return True
    return False


def private_language(doc: CsafDoc) -> Iterator[Finding]:
    """6.2.14: ``lang`` and ``source_lang`` use no private-use subtag."""
    for key in ("lang", "source_lang"):
        tag = doc.document.get(key)
        if isinstance(tag, str) and _private(tag):
            yield f"/document/{key}", f"language {tag!r} uses a private-use subtag"


def default_language(doc: CsafDoc) -> Iterator[Finding]:
    """6.2.15: ``lang`` and ``source_lang`` are not ``i-default``."""
    for key in ("lang", "source_lang"):
        tag = doc.document.get(key)
        if isinstance(tag, str) and tag.lower() == "i-default":
            yield f"/document/{key}", "language 'i-default' says nothing about the language"


def missing_identification_helper(doc: CsafDoc) -> Iterator[Finding]:
    """6.2.16: every product has a product identification helper."""
    for pointer, product in doc.tree.full_products:
        if "product_identification_helper" not in product:
            yield pointer, f"product {product.get('product_id')!r} has no product_identification_helper"


_CVE = re.compile(r"^CVE-\d{4}-\d{4,}$")


def cve_in_ids(doc: CsafDoc) -> Iterator[Finding]:
    """6.2.17: a CVE id goes in ``cve``, not in ``ids``."""
    for base, vuln in doc.vulns():
        for i, item in enumerate(arr(vuln.get("ids"))):
            text = obj(item).get("text")
            if isinstance(text, str) and _CVE.match(text):
                yield f"{base}/ids/{i}/text", f"{text} belongs in the cve field"


def version_range_without_vers(doc: CsafDoc) -> Iterator[Finding]:
    """6.2.18: a ``product_version_range`` branch is written in vers."""
    for pointer, branch in doc.tree.branches:
        name = branch.get("name")
        is_range = branch.get("category") == "product_version_range" and isinstance(name, str)
        if is_range and not str(name).startswith("vers:"):
            yield f"{pointer}/name", f"version range {name!r} is not a vers range"


def cvss_for_fixed(doc: CsafDoc) -> Iterator[Finding]:
    """6.2.19: a CVSS score of a fixed product says, in its environmental metrics, that it is fixed.

    CVSS v3: modified confidentiality, integrity and availability impacts all NONE; CVSS v2:
    target distribution NONE (in the vector or as properties).
    """
    for base, vuln in doc.vulns():
        fixed = {product_id for _, _, product_id in _status_members(vuln, FIXED)}
        for i, score in enumerate(arr(vuln.get("scores"))):
            score = obj(score)
            if fixed.isdisjoint(ids(score.get("products"))):
                continue
            for key, wanted in _FIXED_METRICS.items():
                cvss = score.get(key)
                if isinstance(cvss, dict) and not _all_none(cvss, wanted):
                    yield (
                        f"{base}/scores/{i}/{key}",
                        f"score of a fixed product without {', '.join(p for _, p in wanted)} NONE",
                    )


_FIXED_METRICS = {
    "cvss_v3": (
        ("MC", "modifiedConfidentialityImpact"),
        ("MI", "modifiedIntegrityImpact"),
        ("MA", "modifiedAvailabilityImpact"),
    ),
    "cvss_v2": (("TD", "targetDistribution"),),
}


def _all_none(cvss: dict[str, Any], wanted: tuple[tuple[str, str], ...]) -> bool:
    vector = cvss.get("vectorString")
    fields = dict(f.partition(":")[::2] for f in vector.split("/")) if isinstance(vector, str) else {}
    return all(fields.get(metric) == "N" or cvss.get(name) == "NONE" for metric, name in wanted)


OPTIONAL_TESTS: Mapping[str, CsafTest] = MappingProxyType(
    {
        "6.2.1": unused_product_id,
        "6.2.2": missing_remediation,
        "6.2.3": missing_score,
        "6.2.4": build_metadata_in_history,
        "6.2.5": older_initial_release,
        "6.2.6": older_current_release,
        "6.2.7": involvement_without_date,
        "6.2.8": only_md5,
        "6.2.9": only_sha1,
        "6.2.10": missing_tlp,
        "6.2.11": missing_canonical_url,
        "6.2.12": missing_language,
        "6.2.13": sorting,
        "6.2.14": private_language,
        "6.2.15": default_language,
        "6.2.16": missing_identification_helper,
        "6.2.17": cve_in_ids,
        "6.2.18": version_range_without_vers,
        "6.2.19": cvss_for_fixed,
    }
)
"""The optional tests of CSAF 2.0 section 6.2 (6.2.20 excepted), by test id."""


def check_optional(doc: Mapping[str, Any], tests: Iterable[str] | None = None) -> list[CsafViolation]:
    """Run the optional tests (all, or those named) and return their findings, to show as warnings."""
    return run_tests(OPTIONAL_TESTS, CsafDoc.of(doc), tests)
