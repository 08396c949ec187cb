"""The MITRE medical-device CVSS rubric questionnaire (regulatory.md section 3.2)."""

from __future__ import annotations

import pytest

from medvigil.core.errors import InputError
from medvigil.core.risk.rubric import QUESTIONS, Answer, RubricAnswers, RubricOptions, apply_rubric

# An implant reprogrammable over short-range RF with a hard-coded password (EX-U2-like).
IMPLANT = {
    "XAVN": "yes", "XAVT": "no", "XAVW": "yes", "XAVR": "yes",
    "XACL": "yes", "XPRL": "no", "XUI": "no", "XS": "no",
    "XCP": "yes", "XCPM": "no", "XCD": "low", "XCT": "none", "XCW": "none", "XCS": "high", "XCO": "none",
    "XIP": "none", "XID": "low", "XIT": "high", "XIW": "none", "XIS": "none", "XIO": "none",
    "XAP": "none", "XAD": "none", "XAT": "high", "XAW": "none", "XAS": "none", "XAO": "none",
}  # fmt: skip


def _value(result_vector: str, metric: str) -> str:
    fields = dict(f.split(":") for f in result_vector.split("/")[1:])
    return fields[metric]


def test_question_ids_are_unique_and_cover_every_base_metric() -> None:
    ids = [q.id for q in QUESTIONS]
    assert len(ids) == len(set(ids))
    assert {q.metric for q in QUESTIONS} == {"AV", "AC", "PR", "UI", "S", "C", "I", "A"}
    assert {"XAVN", "XAVPA", "XCP", "XCPM", "XAO"} <= set(ids)


def test_implant_answers_produce_vector_and_explanations() -> None:
    result = apply_rubric(IMPLANT)
    assert result.vector == "CVSS:3.0/AV:L/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"
    assert result.score.base_score == 8.4
    assert [d.metric for d in result.decisions] == ["AV", "AC", "PR", "UI", "S", "C", "I", "A"]
    av = result.decisions[0]
    assert av.questions == ("XAVN", "XAVT", "XAVW", "XAVR")
    assert "10 ft" in av.explanation
    assert result.extended_vector.startswith("XAVN:Y/XAVT:N/XAVW:Y/XAVR:Y/XACL:Y")
    assert "therapy" in result.decisions[6].explanation


def test_answers_round_trip_for_storage() -> None:
    answers = RubricAnswers.from_mapping(IMPLANT)
    assert RubricAnswers.from_mapping(answers.to_dict()) == answers
    assert apply_rubric(answers.to_dict()).vector == apply_rubric(IMPLANT).vector


@pytest.mark.parametrize(
    ("answers", "expected"),
    [
        ({"XAVN": "unknown"}, "N"),
        ({"XAVN": "yes", "XAVT": "yes"}, "N"),
        ({"XAVN": "yes", "XAVT": "unknown"}, "N"),
        ({"XAVN": "yes", "XAVT": "no", "XAVW": "no"}, "A"),
        ({"XAVN": "yes", "XAVT": "no", "XAVW": "unknown"}, "A"),
        ({"XAVN": "yes", "XAVT": "no", "XAVW": "yes", "XAVR": "no"}, "A"),
        ({"XAVN": "yes", "XAVT": "no", "XAVW": "yes", "XAVR": "unknown"}, "A"),
        ({"XAVN": "yes", "XAVT": "no", "XAVW": "yes", "XAVR": "yes"}, "L"),
        ({"XAVN": "no", "XAVP": "no"}, "L"),
        ({"XAVN": "no", "XAVP": "unknown"}, "L"),
        ({"XAVN": "no", "XAVP": "yes", "XAVPA": "yes"}, "P"),
    ],
)
def test_attack_vector_branches(answers: dict[str, str], expected: str) -> None:
    assert _value(apply_rubric(answers).vector, "AV") == expected


@pytest.mark.parametrize(
    ("answers", "expected"),
    [
        ({"XPRL": "no"}, "N"),
        ({"XPRL": "unknown"}, "N"),
        ({"XPRL": "yes", "XPRZ": "no"}, "N"),
        ({"XPRL": "yes", "XPRZ": "yes", "XPRS": "yes"}, "H"),
        ({"XPRL": "yes", "XPRZ": "yes", "XPRS": "no"}, "L"),
        ({"XPRL": "yes", "XPRZ": "yes", "XPRS": "unknown"}, "N"),
    ],
)
def test_privileges_required_branches(answers: dict[str, str], expected: str) -> None:
    assert _value(apply_rubric(answers).vector, "PR") == expected


@pytest.mark.parametrize(
    ("metric", "question", "answer", "expected"),
    [
        ("AC", "XACL", "no", "H"),
        ("AC", "XACL", "unknown", "L"),
        ("UI", "XUI", "yes", "R"),
        ("UI", "XUI", "unknown", "N"),
        ("S", "XS", "no", "U"),
        ("S", "XS", "unknown", "C"),
    ],
)
def test_single_question_metrics(metric: str, question: str, answer: str, expected: str) -> None:
    assert _value(apply_rubric({question: answer}).vector, metric) == expected


def test_impact_is_maximum_over_categories_and_unknown_is_high() -> None:
    none = {f"X{m}{c}": "none" for m in "CIA" for c in "PDTWSO" if (m, c) != ("C", "P")}
    none["XCP"] = "no"
    assert apply_rubric(none).vector.endswith("C:N/I:N/A:N")
    assert apply_rubric(none | {"XIW": "low"}).vector.endswith("C:N/I:L/A:N")
    assert apply_rubric(none | {"XIW": "low", "XID": "high"}).vector.endswith("C:N/I:H/A:N")
    assert apply_rubric(none | {"XAO": "unknown"}).vector.endswith("C:N/I:N/A:H")


def test_unanswered_questions_count_as_unknown_and_say_so() -> None:
    result = apply_rubric({})
    assert result.vector == "CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H"
    assert "XAVN not answered, treated as unknown" in result.decisions[0].explanation


def test_phi_read_is_high_by_default_and_low_by_option_without_mass_exposure() -> None:
    answers = {"XCP": "yes", "XCPM": "no"} | {f"XC{c}": "none" for c in "DTWSO"}
    assert _value(apply_rubric(answers).vector, "C") == "H"
    option = RubricOptions(phi_read_without_mass_exposure_is_low=True)
    assert _value(apply_rubric(answers, options=option).vector, "C") == "L"
    assert _value(apply_rubric(answers | {"XCPM": "yes"}, options=option).vector, "C") == "H"


def test_can_produce_cvss_31() -> None:
    result = apply_rubric(IMPLANT, options=RubricOptions(cvss_version="3.1"))
    assert result.vector.startswith("CVSS:3.1/")
    with pytest.raises(InputError):
        apply_rubric(IMPLANT, options=RubricOptions(cvss_version="4.0"))


@pytest.mark.parametrize(
    ("answers", "field"),
    [
        ({"XNOPE": "yes"}, "XNOPE"),
        ({"XAVN": "high"}, "XAVN"),
        ({"XCD": "yes"}, "XCD"),
        ({"XUI": "maybe"}, "XUI"),
    ],
)
def test_rejects_unknown_questions_and_answers(answers: dict[str, str], field: str) -> None:
    with pytest.raises(InputError) as info:
        RubricAnswers.from_mapping(answers)
    assert info.value.field == field


def test_answers_are_case_insensitive() -> None:
    assert RubricAnswers.from_mapping({"XAVN": "YES"}).get("XAVN") is Answer.YES
