"""The MITRE "Rubric for Applying CVSS to Medical Devices" as a questionnaire.

Questions and branch logic follow regulatory.md section 3.2 (the MITRE-hosted calculator,
version 0.12.04, CVSS v3.0 base metrics). ``apply_rubric`` turns stored answers into a CVSS base
vector, an extended vector (``XAVN:Y/...``) and one explained decision per metric.

Where the calculator is silent this module takes the worst case, as section 3.1 says unknown
answers should: XAVR unknown gives Adjacent, and an unknown C/I/A category answer counts as High.
Question IDs for the six C/I/A categories are ``X`` + metric letter + category letter
(P PHI/PII, D diagnosis/monitoring, T therapy, W clinical workflow, S system data, O other); the
PHI confidentiality pair is XCP and XCPM as in the calculator.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

from medvigil.core.errors import InputError
from medvigil.core.risk.cvss import CvssScore, parse_vector

__all__ = [
    "QUESTIONS",
    "Answer",
    "MetricDecision",
    "Question",
    "RubricAnswers",
    "RubricOptions",
    "RubricResult",
    "apply_rubric",
]


class Answer(StrEnum):
    """An answer to a rubric question."""

    YES = "yes"
    NO = "no"
    HIGH = "high"
    LOW = "low"
    NONE = "none"
    UNKNOWN = "unknown"


_YNU = (Answer.YES, Answer.NO, Answer.UNKNOWN)
_HLNU = (Answer.HIGH, Answer.LOW, Answer.NONE, Answer.UNKNOWN)
_CODE = {
    Answer.YES: "Y",
    Answer.NO: "N",
    Answer.HIGH: "H",
    Answer.LOW: "L",
    Answer.NONE: "N",
    Answer.UNKNOWN: "U",
}


@dataclass(frozen=True, slots=True)
class Question:
    """One rubric question."""

    id: str
    """Stable identifier (``XAVN``); the key under which answers are stored."""
    metric: str
    """CVSS v3 base metric the question feeds (``AV``, ``AC``, ``PR``, ``UI``, ``S``, ``C``...)."""
    text: str
    """Question as shown to the analyst (paraphrased from the calculator)."""
    options: tuple[Answer, ...]
    """Allowed answers."""


_CATEGORIES = (
    ("P", "patient health information or other personal data (PHI/PII)"),
    ("D", "data or functions for diagnosis or monitoring"),
    ("T", "data or functions for the delivery of therapy"),
    ("W", "data or functions supporting clinical workflow"),
    ("S", "private system or system-user data (passwords, keys)"),
    ("O", "other critical or sensitive data or functions"),
)
_CIA_VERB = {
    "C": "read or exposed",
    "I": "modified or deleted",
    "A": "rendered inaccessible or unavailable",
}


def _cia_questions() -> tuple[Question, ...]:
    questions: list[Question] = []
    for metric, verb in _CIA_VERB.items():
        for code, label in _CATEGORIES:
            if metric == "C" and code == "P":
                questions.append(Question("XCP", "C", f"Can {label} be {verb} by the attacker?", _YNU))
                questions.append(
                    Question(
                        "XCPM",
                        "C",
                        "Could the exposure cover many patients (for example 500 or more), forcing "
                        "breach notification such as HIPAA or GDPR?",
                        _YNU,
                    )
                )
                continue
            text = f"How much {label} can be {verb} by the attacker (high, low, none)?"
            questions.append(Question(f"X{metric}{code}", metric, text, _HLNU))
    return tuple(questions)


QUESTIONS: tuple[Question, ...] = (
    Question("XAVN", "AV", "Can a network or communication protocol be used to exploit it?", _YNU),
    Question("XAVT", "AV", "Is the protocol at OSI layer 3 or 4 (IP, TCP, UDP)?", _YNU),
    Question("XAVW", "AV", "Is the communication channel wireless?", _YNU),
    Question("XAVR", "AV", "Is the wireless range about 10 feet or less?", _YNU),
    Question("XAVP", "AV", "Is physical contact with the device required?", _YNU),
    Question(
        "XAVPA",
        "AV",
        "Is the physical access via a human-user interface intended for manual operation?",
        _YNU,
    ),
    Question(
        "XACL",
        "AC",
        "Can the attacker attempt exploitation at will, without special circumstances, "
        "configurations or other vulnerabilities?",
        _YNU,
    ),
    Question("XPRL", "PR", "Does the device have a multi-user or role-based authorization model?", _YNU),
    Question("XPRZ", "PR", "Must the attacker already be authorized to the affected component?", _YNU),
    Question("XPRS", "PR", "Must the attacker hold administrator, maintainer or system privileges?", _YNU),
    Question("XUI", "UI", "Does success depend on another user or victim taking an action?", _YNU),
    Question(
        "XS",
        "S",
        "Can the attacker affect a component with a different authorization scope?",
        _YNU,
    ),
    *_cia_questions(),
)
_BY_ID = {q.id: q for q in QUESTIONS}


@dataclass(frozen=True, slots=True)
class RubricOptions:
    """Choices the rubric leaves open (regulatory.md section 10)."""

    phi_read_without_mass_exposure_is_low: bool = False
    """XCP yes and XCPM no gives C:L instead of the calculator's C:H."""
    cvss_version: str = "3.0"
    """CVSS version of the produced vector (the MDDT was qualified for 3.0; 3.1 has equal weights)."""


@dataclass(frozen=True, slots=True)
class RubricAnswers:
    """Validated answers, keyed by question ID, in question-bank order."""

    answers: tuple[tuple[str, Answer], ...]
    """(question ID, answer) pairs."""

    @classmethod
    def from_mapping(cls, data: Mapping[str, str]) -> RubricAnswers:
        """Validate a stored ``{question_id: answer}`` mapping (answers as strings)."""
        checked: dict[str, Answer] = {}
        for key, raw in data.items():
            question = _BY_ID.get(key)
            if question is None:
                raise InputError(f"unknown rubric question {key!r}", field=key)
            try:
                answer = Answer(str(raw).lower())
            except ValueError:
                answer = None
            if answer is None or answer not in question.options:
                allowed = ", ".join(a.value for a in question.options)
                raise InputError(f"answer {raw!r} is not allowed for {key} (allowed: {allowed})", field=key)
            checked[key] = answer
        return cls(tuple((q.id, checked[q.id]) for q in QUESTIONS if q.id in checked))

    def get(self, question_id: str) -> Answer | None:
        """Return the answer to ``question_id`` or ``None`` when it was not answered."""
        for key, answer in self.answers:
            if key == question_id:
                return answer
        return None

    def to_dict(self) -> dict[str, str]:
        """Return the answers as a JSON-ready mapping (inverse of ``from_mapping``)."""
        return {key: answer.value for key, answer in self.answers}


@dataclass(frozen=True, slots=True)
class MetricDecision:
    """How one CVSS metric value followed from the answers."""

    metric: str
    """CVSS metric abbreviation."""
    value: str
    """Chosen value letter."""
    questions: tuple[str, ...]
    """IDs of the questions the decision used."""
    explanation: str
    """Why, in words."""


@dataclass(frozen=True, slots=True)
class RubricResult:
    """The outcome of applying the rubric."""

    vector: str
    """CVSS base vector (``CVSS:3.0/AV:../...``)."""
    extended_vector: str
    """Answered questions as ``XAVN:Y/XAVT:N/...`` (Y/N/U, H/L/N/U)."""
    decisions: tuple[MetricDecision, ...]
    """One decision per base metric, in vector order."""
    answers: RubricAnswers
    """The answers, kept for storage."""
    options: RubricOptions
    """Options in force."""
    score: CvssScore
    """The scored vector."""


class _Reader:
    """Answers with 'not answered counts as unknown' and a record of what was used."""

    def __init__(self, answers: RubricAnswers) -> None:
        self._answers = answers
        self.used: list[str] = []
        self.notes: list[str] = []

    def __call__(self, question_id: str) -> Answer:
        self.used.append(question_id)
        answer = self._answers.get(question_id)
        if answer is None:
            self.notes.append(f"{question_id} not answered, treated as unknown")
            return Answer.UNKNOWN
        return answer

    def decision(self, metric: str, value: str, why: str) -> MetricDecision:
        text = "; ".join([why, *self.notes])
        decision = MetricDecision(metric, value, tuple(self.used), text)
        self.used, self.notes = [], []
        return decision


def _attack_vector(ask: _Reader) -> MetricDecision:
    network = ask("XAVN")
    if network is not Answer.NO:
        if network is Answer.UNKNOWN:
            return ask.decision("AV", "N", "network use unknown: worst case Network")
        layer = ask("XAVT")
        if layer is not Answer.NO:
            return ask.decision("AV", "N", f"network protocol, layer 3/4 {layer.value}: Network")
        wireless = ask("XAVW")
        if wireless is not Answer.YES:
            return ask.decision("AV", "A", f"below layer 3, wireless {wireless.value}: Adjacent")
        short = ask("XAVR")
        if short is Answer.YES:
            return ask.decision("AV", "L", "wireless with range of about 10 ft or less: Local")
        return ask.decision("AV", "A", f"wireless, short range {short.value}: Adjacent")
    physical = ask("XAVP")
    if physical is Answer.YES:
        manual = ask("XAVPA")
        return ask.decision("AV", "P", f"physical contact required (manual interface {manual.value})")
    return ask.decision("AV", "L", f"no network, physical contact {physical.value}: Local")


def _attack_complexity(ask: _Reader) -> MetricDecision:
    at_will = ask("XACL")
    if at_will is Answer.NO:
        return ask.decision("AC", "H", "exploitation needs special circumstances: High")
    return ask.decision("AC", "L", f"exploitation at will {at_will.value}: Low")


def _privileges(ask: _Reader) -> MetricDecision:
    model = ask("XPRL")
    if model is not Answer.YES:
        return ask.decision("PR", "N", f"multi-user authorization model {model.value}: None")
    authorized = ask("XPRZ")
    if authorized is not Answer.YES:
        return ask.decision("PR", "N", f"prior authorization {authorized.value}: None")
    admin = ask("XPRS")
    if admin is Answer.YES:
        return ask.decision("PR", "H", "administrator/maintainer privileges needed: High")
    if admin is Answer.NO:
        return ask.decision("PR", "L", "ordinary user privileges suffice: Low")
    return ask.decision("PR", "N", "privilege level unknown: worst case None")


def _user_interaction(ask: _Reader) -> MetricDecision:
    victim = ask("XUI")
    if victim is Answer.YES:
        return ask.decision("UI", "R", "another user must act: Required")
    return ask.decision("UI", "N", f"victim action {victim.value}: None")


def _scope(ask: _Reader) -> MetricDecision:
    other = ask("XS")
    if other is Answer.NO:
        return ask.decision("S", "U", "no other authorization scope affected: Unchanged")
    return ask.decision("S", "C", f"other authorization scope affected {other.value}: Changed")


_LEVEL = {Answer.HIGH: 2, Answer.UNKNOWN: 2, Answer.LOW: 1, Answer.NONE: 0}
_LETTER = ("N", "L", "H")


def _phi_confidentiality(ask: _Reader, options: RubricOptions) -> tuple[int, str]:
    readable = ask("XCP")
    if readable is Answer.NO:
        return 0, "PHI cannot be read"
    mass = ask("XCPM")
    if readable is Answer.UNKNOWN:
        return 2, "PHI readability unknown: worst case High"
    if options.phi_read_without_mass_exposure_is_low and mass is Answer.NO:
        return 1, "PHI readable without mass exposure: Low (option)"
    return 2, f"PHI readable (mass exposure {mass.value}): High"


def _impact(ask: _Reader, metric: str, options: RubricOptions) -> MetricDecision:
    level, reasons = 0, []
    for code, label in _CATEGORIES:
        if metric == "C" and code == "P":
            cat_level, why = _phi_confidentiality(ask, options)
            reasons.append(why)
        else:
            answer = ask(f"X{metric}{code}")
            cat_level = _LEVEL[answer]
            if cat_level:
                reasons.append(f"{label}: {answer.value}")
        level = max(level, cat_level)
    why = "; ".join(reasons) if reasons else "no category affected"
    return ask.decision(metric, _LETTER[level], f"maximum over six categories ({why})")


def _extended(answers: RubricAnswers) -> str:
    return "/".join(f"{key}:{_CODE[answer]}" for key, answer in answers.answers)


def apply_rubric(
    answers: RubricAnswers | Mapping[str, str], *, options: RubricOptions | None = None
) -> RubricResult:
    """Turn rubric answers into a CVSS base vector with one explained decision per metric.

    Unanswered questions on the decision path count as unknown (worst case) and the
    explanation says so.
    """
    opts = options or RubricOptions()
    checked = answers if isinstance(answers, RubricAnswers) else RubricAnswers.from_mapping(answers)
    if opts.cvss_version not in ("3.0", "3.1"):
        raise InputError(f"rubric produces CVSS 3.0 or 3.1, not {opts.cvss_version!r}", field="cvss_version")
    ask = _Reader(checked)
    decisions = (
        _attack_vector(ask),
        _attack_complexity(ask),
        _privileges(ask),
        _user_interaction(ask),
        _scope(ask),
        _impact(ask, "C", opts),
        _impact(ask, "I", opts),
        _impact(ask, "A", opts),
    )
    body = "/".join(f"{d.metric}:{d.value}" for d in decisions)
    vector = f"CVSS:{opts.cvss_version}/{body}"
    return RubricResult(
        vector=vector,
        extended_vector=_extended(checked),
        decisions=decisions,
        answers=checked,
        options=opts,
        score=parse_vector(vector),
    )
