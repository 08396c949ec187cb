"""Evidence whose text is built when read behaves as evidence given its text."""

from __future__ import annotations

import copy

import pytest

from medvigil.core.model.match import Evidence, MatchMethod, MatchStatus

SUMMARY = "cpe:2.3:a:acme:viewer:2.4a:*:*:*:*:*:*:* matches cpe:2.3:a:acme:viewer:*:*:*:*:*:*:*:*"
DETAILS = (
    ("criteria", "cpe:2.3:a:acme:viewer:*:*:*:*:*:*:*:*"),
    ("matched_cpe", "cpe:2.3:a:acme:viewer:2.4a"),
)


class _Text:
    def __init__(self) -> None:
        self.renders = 0

    def render(self) -> tuple[str, tuple[tuple[str, str], ...]]:
        self.renders += 1
        return SUMMARY, DETAILS

    def has_detail(self, key: str) -> bool:
        return key in ("criteria", "matched_cpe")


def _pair() -> tuple[Evidence, Evidence, _Text]:
    text = _Text()
    given = Evidence(MatchMethod.CPE, "nvd", "CVE-2019-1", MatchStatus.AFFECTED, 70, SUMMARY, DETAILS)
    deferred = Evidence.deferred(MatchMethod.CPE, "nvd", "CVE-2019-1", MatchStatus.AFFECTED, 70, text)
    return given, deferred, text


def test_deferred_text_is_built_only_when_read() -> None:
    given, deferred, text = _pair()
    assert text.renders == 0
    assert deferred.has_detail("criteria") and not deferred.has_detail("platform")
    assert text.renders == 0
    assert (deferred.summary, deferred.details) == (SUMMARY, DETAILS)
    assert deferred.as_dict() == given.as_dict()
    assert text.renders == 3


def test_deferred_evidence_equals_the_given_one() -> None:
    given, deferred, _ = _pair()
    assert deferred == given and hash(deferred) == hash(given)
    assert repr(deferred) == repr(given)
    assert deferred != Evidence(MatchMethod.CPE, "nvd", "CVE-2019-1", MatchStatus.AFFECTED, 70, "other")
    assert copy.deepcopy(deferred) == given and copy.copy(given) == given
    assert given.has_detail("matched_cpe") and not given.has_detail("platform")


def test_withdrawn_copy_keeps_the_text_and_evidence_is_immutable() -> None:
    given, deferred, text = _pair()
    withdrawn = deferred.as_withdrawn()
    assert withdrawn.withdrawn and not deferred.withdrawn and text.renders == 0
    assert withdrawn.as_dict() == {**given.as_dict(), "withdrawn": True}
    assert given.as_withdrawn().as_dict() == withdrawn.as_dict()
    with pytest.raises(AttributeError):
        given.confidence = 10
    with pytest.raises(AttributeError):
        del deferred.source
