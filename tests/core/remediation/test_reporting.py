"""The reporting determination: the FDA's worked examples, every rule, the live R6 -> R7 flip,
contradictory facts and a sweep over generated fact combinations."""

from __future__ import annotations

import datetime as dt
import itertools
import random
from typing import Any

import pytest

from medvigil.core.remediation.reporting import (
    FACT_FIELDS,
    FactsError,
    Outcome,
    evaluate,
    facts_from_mapping,
)
from tests.core.remediation.examples import BASE, EXAMPLES, facts


def _run(raw: dict[str, Any]) -> dict[str, str]:
    d = evaluate(facts_from_mapping(raw))
    return {o.code: o.outcome.value for o in d.obligations}


@pytest.mark.parametrize("name", sorted(EXAMPLES))
def test_fda_worked_examples(name: str) -> None:
    raw, expected = EXAMPLES[name]
    assert _run(raw) == expected


def test_ex_u4_mdr_deadlines_and_806_due() -> None:
    d = evaluate(facts_from_mapping(EXAMPLES["EX-U4"][0]))
    r1 = [o for o in d.obligations if o.code == "R1"]
    assert [(o.regulation, o.due, o.calendar and o.calendar.value) for o in r1] == [
        ("21 CFR 803.50(a)(1)", dt.date(2026, 4, 1), "calendar_days"),
        ("21 CFR 803.53", dt.date(2026, 3, 9), "work_days"),
    ]
    r5 = d.get("R5")
    assert r5 is not None and r5.regulation == "21 CFR 806.10"
    # correction initiated Friday 20 March 2026: 10 working days -> Friday 3 April
    assert r5.due == dt.date(2026, 4, 3) and r5.calendar is not None and r5.calendar.value == "working_days"


def test_not_enforced_is_distinct_and_names_its_evidence() -> None:
    d = evaluate(facts_from_mapping(EXAMPLES["EX-U1"][0]))
    r6 = d.get("R6")
    assert r6 is not None and r6.outcome is Outcome.NOT_ENFORCED
    for evidence in ("sent on 2026-03-20", "distributed on 2026-04-25", "shared on 2026-03-20", "ISAO"):
        assert evidence in r6.reason
    assert r6.evidence and "806.20" in r6.reason


def _uncontrolled_pending(today: str, **changes: Any) -> dict[str, Any]:
    pending: dict[str, Any] = {
        "risk_status": "uncontrolled",
        "change_type": "remediation",
        "correction_initiated": None,
        "communication_sent": None,
        "communication_parts": [],
        "fix_distributed": None,
        "isao_shared": None,
        "today": today,
    }
    return facts(**(pending | changes))


def test_r6_turns_into_r7_the_day_after_day_30() -> None:
    day30, day31 = "2026-04-01", "2026-04-02"
    on_time = evaluate(facts_from_mapping(_uncontrolled_pending(day30)))
    assert on_time.codes() == ["R6"]
    r6 = on_time.get("R6")
    assert r6 is not None and r6.due == dt.date(2026, 4, 1) and "provisional" in r6.reason
    assert any("communication" in a and "due soon" in a for a in on_time.alerts)
    missed = evaluate(facts_from_mapping(_uncontrolled_pending(day31)))
    assert missed.codes() == ["R7"]
    r7 = missed.get("R7")
    assert r7 is not None and r7.outcome is Outcome.REQUIRED and "not done by 2026-04-01" in r7.reason
    assert any("overdue" in a for a in missed.alerts)


def test_r6_turns_into_r7_the_day_after_day_60() -> None:
    done30 = {"communication_sent": "2026-03-25", "communication_parts": ["a", "b", "c", "d"]}
    base = _uncontrolled_pending("2026-05-01", **done30) | {"isao_shared": "2026-03-25"}
    assert _run(base) == {"R6": "not_enforced"}
    assert _run(base | {"today": "2026-05-02"}) == {"R7": "required"}
    assert _run(base | {"today": "2026-05-02", "fix_distributed": "2026-05-01"}) == {"R6": "not_enforced"}
    assert _run(base | {"today": "2026-05-03", "fix_distributed": "2026-05-02"}) == {"R7": "required"}


def test_incomplete_communication_is_pending_then_fails() -> None:
    raw = _uncontrolled_pending("2026-03-20") | {
        "communication_sent": "2026-03-10",
        "communication_parts": ["a", "b", "d"],
        "isao_shared": "2026-03-10",
    }
    d = evaluate(facts_from_mapping(raw))
    r6 = d.get("R6")
    assert r6 is not None and "without part(s) c" in r6.reason
    late = evaluate(facts_from_mapping(raw | {"today": "2026-04-02"}))
    r7 = late.get("R7")
    assert r7 is not None and "part(s) c missing" in r7.reason


def test_no_isao_is_r7_at_once_with_806_due_from_the_correction() -> None:
    raw = _uncontrolled_pending("2026-03-05", isao_active=False) | {"correction_initiated": "2026-03-04"}
    d = evaluate(facts_from_mapping(raw))
    r7 = d.get("R7")
    assert d.codes() == ["R7"] and r7 is not None and r7.due == dt.date(2026, 3, 18)


def test_r4_already_reported_and_r9_design_change() -> None:
    raw = facts(risk_status="uncontrolled", already_reported_803_1004=True, significant_design_change=True)
    assert _run(raw) == {"R4": "not_required", "R9": "evaluate"}


def test_controlled_remediation_asks_for_an_evaluation() -> None:
    assert _run(facts(change_type="remediation")) == {"R3": "evaluate"}


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"communication_sent": None}, "communication_parts"),
        ({"risk_status": "maybe"}, "risk_status"),
        ({"change_type": "hotfix"}, "change_type"),
        ({"pma": "yes"}, "pma"),
        ({"device_class": "IV"}, "device_class"),
        ({"day0": "02/03/2026"}, "day0"),
        ({"today": "2026-03-01"}, "today"),
        ({"fix_distributed": "2026-03-01"}, "fix_distributed"),
        ({"isao_shared": "2026-06-01"}, "isao_shared"),
        ({"communication_parts": ["a", "e"]}, "communication_parts"),
        ({"known_sae_or_death": True}, "known_sae_or_death"),
        ({"malfunction_recurrence_likely": True}, "malfunction_recurrence_likely"),
        ({"phi_only": True, "death_or_si_possible": True}, "phi_only"),
        ({"surprise": 1}, "surprise"),
    ],
)
def test_bad_or_contradictory_facts_name_the_field(changes: dict[str, Any], field: str) -> None:
    with pytest.raises(FactsError) as exc:
        facts_from_mapping(facts(**changes), source="facts.json")
    assert exc.value.field == field
    assert "facts.json" in exc.value.diagnostics()


@pytest.mark.parametrize("name", FACT_FIELDS)
def test_every_fact_is_required(name: str) -> None:
    raw = dict(BASE)
    del raw[name]
    with pytest.raises(FactsError) as exc:
        facts_from_mapping(raw)
    assert exc.value.field == name


_BOOL_FIELDS = [n for n, v in BASE.items() if isinstance(v, bool)]


@pytest.mark.parametrize("name", _BOOL_FIELDS)
def test_every_yes_no_fact_is_read_and_refuses_anything_but_a_boolean(name: str) -> None:
    with_event = {"event_occurred": True} if name != "event_occurred" else {}  # SAE, recurrence need one
    flipped = facts_from_mapping(dict(BASE) | with_event | {name: not BASE[name]})
    assert facts_from_mapping(dict(BASE)).to_dict()[name] is BASE[name]
    assert flipped.to_dict()[name] is (not BASE[name])
    with pytest.raises(FactsError) as exc:
        facts_from_mapping(dict(BASE) | {name: "yes"})
    assert exc.value.field == name


def test_the_facts_read_are_the_facts_written() -> None:
    assert list(facts_from_mapping(dict(BASE)).to_dict()) == list(FACT_FIELDS) == list(BASE)


def test_every_generated_combination_gives_a_result_or_a_named_error() -> None:
    rng = random.Random(10)
    dates = [None, "2026-03-02", "2026-03-31", "2026-04-01", "2026-04-02", "2026-05-01", "2026-05-02"]
    todays = ["2026-03-02", "2026-04-01", "2026-04-02", "2026-05-01", "2026-05-02", "2026-09-01"]
    results = 0
    for _ in range(6000):
        raw: dict[str, object] = {name: rng.random() < 0.5 for name in _BOOL_FIELDS}
        raw |= {
            "risk_status": rng.choice(["controlled", "uncontrolled"]),
            "change_type": rng.choice(
                [None, "routine_update_patch", "remediation", "compensating_control_notice"]
            ),
            "device_class": rng.choice(["I", "II", "III"]),
            "day0": "2026-03-02",
            "today": rng.choice(todays),
            "communication_parts": sorted(rng.sample("abcd", rng.randint(0, 4))),
        }
        raw |= {
            n: rng.choice(dates)
            for n in ("correction_initiated", "communication_sent", "fix_distributed", "isao_shared")
        }
        try:
            f = facts_from_mapping(raw)
        except FactsError as exc:
            assert exc.field in FACT_FIELDS
            continue
        d = evaluate(f)
        results += 1
        codes = d.codes()
        assert codes == sorted(codes, key=lambda c: int(c[1:])), "top-down order"
        if f.uncontrolled:
            assert sum(c in codes for c in ("R4", "R5", "R6", "R7")) == 1, "exactly one 806 outcome"
            assert "R3" not in codes
        else:
            assert "R3" in codes and not {"R4", "R5", "R6", "R7"} & set(codes)
        for o in d.obligations:
            assert (o.due is None) == (o.calendar is None) or o.outcome is Outcome.REQUIRED
            assert o.to_dict()["outcome"] in {"required", "not_required", "not_enforced", "evaluate"}
    assert results > 1000


def test_valid_combinations_exhaustively_never_raise() -> None:
    """Every combination of the consistent boolean facts (the contradictions held off) evaluates."""
    free = [
        n
        for n in _BOOL_FIELDS
        if n not in ("known_sae_or_death", "malfunction_recurrence_likely", "phi_only")
    ]
    for values in itertools.product([False, True], repeat=len(free)):
        raw = facts(**dict(zip(free, values, strict=True)), risk_status="uncontrolled")
        evaluate(facts_from_mapping(raw))


def test_flip_on_day_31_for_every_isao_and_parts_combination() -> None:
    for parts in itertools.chain.from_iterable(itertools.combinations("abcd", k) for k in range(5)):
        sent = "2026-03-20" if parts else None
        done = {"communication_sent": sent, "communication_parts": list(parts), "isao_shared": sent}
        raw = _uncontrolled_pending("2026-04-01") | done
        before = _run(raw)
        after = _run(raw | {"today": "2026-04-02"})
        assert before == {"R6": "not_enforced"}
        assert after == ({"R6": "not_enforced"} if len(parts) == 4 else {"R7": "required"})
