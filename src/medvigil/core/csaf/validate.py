"""The mandatory tests of CSAF 2.0 (section 6.1) as a pure-Python validator.

:func:`validate_csaf` runs every test of :data:`MANDATORY_TESTS` (6.1.1 ... 6.1.33, with the
profile tests 6.1.27.1-11) on a parsed document and returns the violations, each with its test
id and a JSON pointer. The tests assume the document already passed the CSAF JSON schema
(:func:`medvigil.core.feeds.validation.csaf_validator`); on one that did not they still do not
crash: a test that cannot make sense of the document reports that as a violation.

Every mandatory test blocks an import (:class:`medvigil.core.feeds.csaf.CsafFeed` turns each
violation into a record error): a document failing one is not a CSAF 2.0 document, and no real
advisory in the shared data (CISA ICS, ICS medical, IT VEX; OASIS examples) fails one. The two
tests that look values up in bundled registries are written so that an out-of-date registry
cannot reject a real document: 6.1.11 does not judge a CWE numbered above the bundled catalog
(CWE 4.14), and 6.1.12 only rejects a two-letter primary language that is not ISO 639-1 (or a
reserved four-letter one). Optional tests (section 6.2) are in :mod:`.optional`: advice only.

The registry is explicit: one module per group of related tests (:mod:`.products`,
:mod:`.scores`, :mod:`.tracking`, :mod:`.document`, :mod:`.profiles`), each with a ``TESTS``
mapping from test id to test function.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from medvigil.core.csaf import document, products, profiles, scores, tracking
from medvigil.core.csaf._doc import CsafDoc, Finding

CsafTest = Callable[[CsafDoc], Iterator[Finding]]
"""A test: yields ``(JSON pointer, message)`` for each violation in a document."""


@dataclass(frozen=True, slots=True)
class CsafViolation:
    """One failed mandatory test, located."""

    test_id: str
    """The CSAF 2.0 test number (``6.1.10``, ``6.1.27.9``)."""
    pointer: str
    """JSON pointer of the offending value (``/vulnerabilities/0/scores/1/cvss_v3/baseScore``)."""
    message: str
    """What is wrong, in the document's terms."""

    def __str__(self) -> str:
        return f"CSAF {self.test_id}: {self.message} (at {self.pointer or '/'})"


def _test_key(test_id: str) -> tuple[int, ...]:
    return tuple(int(part) for part in test_id.split("."))


def _registry(*groups: Mapping[str, CsafTest]) -> Mapping[str, CsafTest]:
    merged: dict[str, CsafTest] = {}
    for group in groups:
        for test_id, test in group.items():
            if test_id in merged:
                raise ValueError(f"CSAF test {test_id} registered twice")
            merged[test_id] = test
    return MappingProxyType(dict(sorted(merged.items(), key=lambda kv: _test_key(kv[0]))))


MANDATORY_TESTS: Mapping[str, CsafTest] = _registry(
    products.TESTS, scores.TESTS, tracking.TESTS, document.TESTS, profiles.TESTS
)
"""Every mandatory test of CSAF 2.0 section 6.1, by test id, in specification order."""


def validate_csaf(doc: Mapping[str, Any], tests: Iterable[str] | None = None) -> list[CsafViolation]:
    """Run the mandatory tests (all, or those named in ``tests``) on a parsed CSAF document.

    Returns the violations in test order; an empty list means the document passes.
    """
    return run_tests(MANDATORY_TESTS, CsafDoc.of(doc), tests)


def run_tests(
    registry: Mapping[str, CsafTest], doc: CsafDoc, tests: Iterable[str] | None = None
) -> list[CsafViolation]:
    """Run the tests of ``registry`` (all, or those named in ``tests``) on an indexed document."""
    found: list[CsafViolation] = []
    for test_id in tests if tests is not None else registry:
        test = registry[test_id]
        try:
            found.extend(CsafViolation(test_id, pointer, message) for pointer, message in test(doc))
        except (TypeError, AttributeError, KeyError, ValueError, IndexError) as exc:
            found.append(CsafViolation(test_id, "", f"the test cannot run on this document: {exc!r}"))
    return found
