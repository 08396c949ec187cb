"""Channel bodies: deterministic signed JSON, Slack blocks, a Teams Adaptive Card, mail text."""

from __future__ import annotations

import datetime as dt

import orjson

from medvigil.core.notify import payload
from medvigil.core.notify.events import Event, EventFilter, EventKind
from medvigil.core.notify.retry import RetryPolicy

WHEN = dt.datetime(2026, 12, 2, 9, 30, tzinfo=dt.UTC)


def _event(**kw: object) -> Event:
    base: dict[str, object] = {
        "id": "0b0b5c3a-0000-4000-8000-000000000001",
        "kind": EventKind.INTEL_KEV,
        "occurred_at": WHEN,
        "title": "2 vulnerabilities affecting Pump X entered CISA KEV",
        "product": "pump-x",
        "product_name": "Pump X",
        "url": "https://mv.example/findings/?product=pump-x",
        "data": {"count": 25, "items": [{"text": f"CVE-2026-{i:04d} is now in CISA KEV"} for i in range(25)]},
    }
    base.update(kw)
    return Event(**base)  # type: ignore[arg-type]


def test_the_webhook_body_is_versioned_sorted_json_and_stable() -> None:
    body = payload.webhook_body(_event())
    assert body == payload.webhook_body(_event())
    doc = orjson.loads(body)
    assert doc["schema"] == "medvigil.notification/1"
    assert doc["event"]["id"] == "0b0b5c3a-0000-4000-8000-000000000001"
    assert doc["event"]["kind"] == "intel.kev"
    assert doc["event"]["occurred_at"] == "2026-12-02T09:30:00Z"
    assert doc["event"]["product"] == {"slug": "pump-x", "name": "Pump X"}
    assert body == orjson.dumps(doc, option=orjson.OPT_SORT_KEYS)


def test_slack_message_has_text_and_at_most_twenty_detail_lines() -> None:
    doc = orjson.loads(payload.slack_body(_event()))
    assert doc["text"].startswith("2 vulnerabilities")
    assert "<https://mv.example/findings/?product=pump-x|" in doc["blocks"][0]["text"]["text"]
    details = doc["blocks"][2]["text"]["text"].splitlines()
    assert len(details) == 21 and details[-1] == "• … and 5 more"


def test_teams_message_is_an_adaptive_card_with_a_link() -> None:
    doc = orjson.loads(payload.teams_body(_event()))
    card = doc["attachments"][0]
    assert doc["type"] == "message" and card["contentType"] == "application/vnd.microsoft.card.adaptive"
    assert card["content"]["type"] == "AdaptiveCard"
    assert card["content"]["actions"][0]["url"] == "https://mv.example/findings/?product=pump-x"
    facts = {f["title"]: f["value"] for f in card["content"]["body"][1]["facts"]}
    assert facts["Product"] == "Pump X" and facts["Kind"] == "KEV listing"


def test_email_and_digest_text() -> None:
    subject, body = payload.email_text(_event(url=""))
    assert subject == "[medvigil] 2 vulnerabilities affecting Pump X entered CISA KEV"
    assert "Product: Pump X" in body and "CVE-2026-0000 is now in CISA KEV" in body
    later = _event(id="b", occurred_at=WHEN + dt.timedelta(hours=1), title="later")
    subject, body = payload.digest_text([later, _event()])
    assert subject == "[medvigil] digest: 2 notifications"
    assert body.index("entered CISA KEV") < body.index("later")


def test_filters_by_kind_product_and_risk_and_test_always_passes() -> None:
    event = _event(risk="uncontrolled")
    assert EventFilter().matches(event)
    assert EventFilter(kinds=frozenset({EventKind.INTEL_KEV})).matches(event)
    assert not EventFilter(kinds=frozenset({EventKind.CVD_RECEIVED})).matches(event)
    assert not EventFilter(products=frozenset({"other"})).matches(event)
    assert EventFilter(uncontrolled_only=True).matches(event)
    assert not EventFilter(uncontrolled_only=True).matches(_event(risk="controlled"))
    test = _event(kind=EventKind.TEST, product="", risk="")
    assert EventFilter(kinds=frozenset({EventKind.CVD_RECEIVED}), uncontrolled_only=True).matches(test)


def test_the_retry_schedule_doubles_up_to_the_ceiling_then_stops() -> None:
    policy = RetryPolicy(attempts=8, base=30, ceiling=600)
    assert policy.schedule() == [30, 60, 120, 240, 480, 600, 600]
    assert policy.delay(8) is None
    assert RetryPolicy(attempts=1).schedule() == []
    assert RetryPolicy().schedule() == [30, 60, 120, 240, 480, 960, 1920]  # docs/notifications.md
