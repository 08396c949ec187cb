"""Mandatory tests on document metadata and on values checked against outside registries.

6.1.11 CWE id and name, 6.1.12 language, 6.1.13 package URL, 6.1.15 translator,
6.1.23 one vulnerability per CVE, 6.1.24 involvements, 6.1.25 hash algorithms,
6.1.26 prohibited document category, 6.1.28 translation, 6.1.31 version range in a
``product_version`` branch.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import orjson
from packageurl import PackageURL

from medvigil.core.csaf._doc import CsafDoc, Finding, arr, instant, obj

DATA_DIR = Path(__file__).resolve().parent / "data"


@dataclass(frozen=True, slots=True)
class CweCatalog:
    """The bundled CWE catalog (see ``data/README.md``)."""

    version: str
    names: Mapping[str, str]
    """CWE id (``CWE-79``) -> name, for weaknesses, categories and views."""
    highest: int
    """Highest weakness or category number: a higher one is newer than this catalog."""


@cache
def cwe_catalog() -> CweCatalog:
    """Load the bundled CWE catalog once."""
    data = orjson.loads((DATA_DIR / "cwe_names.json").read_bytes())
    return CweCatalog(str(data["version"]), data["names"], int(data["highest_weakness_or_category"]))


def cwe(doc: CsafDoc) -> Iterator[Finding]:
    """6.1.11: the CWE exists and its name is the catalog's name for the id.

    An id numbered above every entry of the bundled catalog is newer than the catalog, not
    invalid: it is not judged (so a new CWE does not block a real advisory).
    """
    catalog = cwe_catalog()
    for base, vuln in doc.vulns():
        entry = obj(vuln.get("cwe"))
        cwe_id, name = entry.get("id"), entry.get("name")
        if not isinstance(cwe_id, str):
            continue
        known = catalog.names.get(cwe_id)
        if known is None:
            number = cwe_id.removeprefix("CWE-")
            if not number.isdigit() or int(number) <= catalog.highest:
                yield f"{base}/cwe/id", f"{cwe_id} is not in the CWE catalog (version {catalog.version})"
        elif isinstance(name, str) and name != known:
            yield f"{base}/cwe/name", f"the name of {cwe_id} is {known!r}, not {name!r}"


ISO_639_1 = frozenset(
    [
        "aa",
        "ab",
        "ae",
        "af",
        "ak",
        "am",
        "an",
        "ar",
        "as",
        "av",
        "ay",
        "az",
        "ba",
        "be",
        "bg",
        "bh",
        "bi",
        "bm",
        "bn",
        "bo",
        "br",
        "bs",
        "ca",
        "ce",
        "ch",
        "co",
        "cr",
        "cs",
        "cu",
        "cv",
        "cy",
        "da",
        "de",
        "dv",
        "dz",
        "ee",
        "el",
        "en",
        "eo",
        "es",
        "et",
        "eu",
        "fa",
        "ff",
        "fi",
        "fj",
        "fo",
        "fr",
        "fy",
        "ga",
        "gd",
        "gl",
        "gn",
        "gu",
        "gv",
        "ha",
        "he",
        "hi",
        "ho",
        "hr",
        "ht",
        "hu",
        "hy",
        "hz",
        "ia",
        "id",
        "ie",
        "ig",
        "ii",
        "ik",
        "in",
        "io",
        "is",
        "it",
        "iu",
        "iw",
        "ja",
        "ji",
        "jv",
        "jw",
        "ka",
        "kg",
        "ki",
        "kj",
        "kk",
        "kl",
        "km",
        "kn",
        "ko",
        "kr",
        "ks",
        "ku",
        "kv",
        "kw",
        "ky",
        "la",
        "lb",
        "lg",
        "li",
        "ln",
        "lo",
        "lt",
        "lu",
        "lv",
        "mg",
        "mh",
        "mi",
        "mk",
        "ml",
        "mn",
        "mo",
        "mr",
        "ms",
        "mt",
        "my",
        "na",
        "nb",
        "nd",
        "ne",
        "ng",
        "nl",
        "nn",
        "no",
        "nr",
        "nv",
        "ny",
        "oc",
        "oj",
        "om",
        "or",
        "os",
        "pa",
        "pi",
        "pl",
        "ps",
        "pt",
        "qu",
        "rm",
        "rn",
        "ro",
        "ru",
        "rw",
        "sa",
        "sc",
        "sd",
        "se",
        "sg",
        "sh",
        "si",
        "sk",
        "sl",
        "sm",
        "sn",
        "so",
        "sq",
        "sr",
        "ss",
        "st",
        "su",
        "sv",
        "sw",
        "ta",
        "te",
        "tg",
        "th",
        "ti",
        "tk",
        "tl",
        "tn",
        "to",
        "tr",
        "ts",
        "tt",
        "tw",
        "ty",
        "ug",
        "uk",
        "ur",
        "uz",
        "ve",
        "vi",
        "vo",
        "wa",
        "wo",
        "xh",
        "yi",
        "yo",
        "za",
        "zh",
        "zu",
    ]
)
"""Two-letter primary language subtags of the IANA registry (ISO 639-1, with deprecated ones)."""


def language_problem(tag: str) -> str | None:
    """Why ``tag`` is not a language that exists, or ``None``.

    Checked: the primary language subtag. Two letters must be an ISO 639-1 code, four letters are
    reserved; three letters (ISO 639-2/3/5), registered five-to-eight-letter subtags, and
    grandfathered (``i-``) or private-use (``x-``) tags are accepted as they are. The other
    subtags (script, region, variant) are only checked for syntax by the schema.
    """
    primary = tag.split("-", 1)[0].lower()
    if primary in ("i", "x"):
        return None
    if len(primary) == 2 and primary not in ISO_639_1:
        return f"{primary!r} is not an ISO 639-1 language code"
    if len(primary) == 4:
        return f"{primary!r}: four-letter primary language subtags are reserved"
    return None


def language(doc: CsafDoc) -> Iterator[Finding]:
    """6.1.12: ``lang`` and ``source_lang`` name languages that exist."""
    for key in ("lang", "source_lang"):
        tag = doc.document.get(key)
        if isinstance(tag, str):
            problem = language_problem(tag)
            if problem:
                yield f"/document/{key}", f"language {tag!r} does not exist: {problem}"


def purl(doc: CsafDoc) -> Iterator[Finding]:
    """6.1.13: every package URL is valid."""
    for pointer, product in doc.tree.full_products:
        value = obj(product.get("product_identification_helper")).get("purl")
        if isinstance(value, str):
            try:
                PackageURL.from_string(value)
            except ValueError as exc:
                yield f"{pointer}/product_identification_helper/purl", f"invalid package URL {value!r}: {exc}"


def translator(doc: CsafDoc) -> Iterator[Finding]:
    """6.1.15: a document published by a translator states its ``source_lang``."""
    if (
        obj(doc.document.get("publisher")).get("category") == "translator"
        and "source_lang" not in doc.document
    ):
        yield "/document/source_lang", "the publisher is a translator but source_lang is missing"


def cve_twice(doc: CsafDoc) -> Iterator[Finding]:
    """6.1.23: a CVE is the subject of one vulnerability only."""
    seen: dict[str, str] = {}
    for base, vuln in doc.vulns():
        cve_id = vuln.get("cve")
        if isinstance(cve_id, str):
            if cve_id in seen:
                yield f"{base}/cve", f"{cve_id} is already the subject of {seen[cve_id]}"
            else:
                seen[cve_id] = base


def involvements(doc: CsafDoc) -> Iterator[Finding]:
    """6.1.24: a vulnerability has one involvement per party and date."""
    for base, vuln in doc.vulns():
        seen: set[tuple[object, object]] = set()
        for i, item in enumerate(arr(vuln.get("involvements"))):
            item = obj(item)
            date = item.get("date")
            key = (item.get("party"), instant(date) or date)
            if key in seen:
                yield (
                    f"{base}/involvements/{i}",
                    f"a second involvement of party {item.get('party')!r} at {date!r}",
                )
            seen.add(key)


def hash_algorithms(doc: CsafDoc) -> Iterator[Finding]:
    """6.1.25: the hashes of one file use each algorithm once."""
    for pointer, product in doc.tree.full_products:
        helper = obj(product.get("product_identification_helper"))
        for i, hashes in enumerate(arr(helper.get("hashes"))):
            seen: set[object] = set()
            for j, file_hash in enumerate(arr(obj(hashes).get("file_hashes"))):
                algorithm = obj(file_hash).get("algorithm")
                if algorithm in seen:
                    yield (
                        f"{pointer}/product_identification_helper/hashes/{i}/file_hashes/{j}/algorithm",
                        f"hash algorithm {algorithm!r} is used twice for one file",
                    )
                seen.add(algorithm)


PROFILES = (
    "csaf_base",
    "csaf_security_incident_response",
    "csaf_informational_advisory",
    "csaf_security_advisory",
    "csaf_vex",
)
_SEPARATORS = re.compile(r"[\s_\-\u2010\u2011\u2012\u2013\u2014\u2212\ufe63\uff0d]+")


def _squash(value: str) -> str:
    return _SEPARATORS.sub("", value).lower()


_RESERVED = frozenset(
    {_squash(p) for p in PROFILES[1:]} | {_squash(p.removeprefix("csaf_")) for p in PROFILES[1:]}
)


def document_category(doc: CsafDoc) -> Iterator[Finding]:
    """6.1.26: a custom category is not a profile's name in disguise, nor starts with ``csaf_``."""
    category = doc.category
    if not category or category in PROFILES:
        return
    if _squash(category) in _RESERVED:
        yield "/document/category", f"category {category!r} is too close to the name of a CSAF profile"
    elif category.lower().startswith("csaf_"):
        yield "/document/category", f"category {category!r} uses the reserved prefix 'csaf_'"


def translation(doc: CsafDoc) -> Iterator[Finding]:
    """6.1.28: a translation's ``lang`` differs from its ``source_lang``."""
    lang, source = doc.document.get("lang"), doc.document.get("source_lang")
    if isinstance(lang, str) and isinstance(source, str) and lang.lower() == source.lower():
        yield "/document/lang", f"lang {lang!r} is the same as source_lang"


_RANGE_WORDS = frozenset({"after", "all", "before", "earlier", "later", "prior", "versions"})


def version_range_problem(name: str) -> str | None:
    """The version-range indicator in a ``product_version`` name, or ``None``."""
    for operator in ("<=", ">=", "<", ">"):
        if operator in name:
            return operator
    for word in name.lower().split():
        if word in _RANGE_WORDS:
            return word
    return None


def version_range(doc: CsafDoc) -> Iterator[Finding]:
    """6.1.31: a ``product_version`` branch names one version, not a range."""
    for pointer, branch in doc.tree.branches:
        name = branch.get("name")
        if branch.get("category") == "product_version" and isinstance(name, str):
            indicator = version_range_problem(name)
            if indicator:
                yield (
                    f"{pointer}/name",
                    f"product_version {name!r} is a range ({indicator!r}); use product_version_range",
                )


TESTS = {
    "6.1.11": cwe,
    "6.1.12": language,
    "6.1.13": purl,
    "6.1.15": translator,
    "6.1.23": cve_twice,
    "6.1.24": involvements,
    "6.1.25": hash_algorithms,
    "6.1.26": document_category,
    "6.1.28": translation,
    "6.1.31": version_range,
}
