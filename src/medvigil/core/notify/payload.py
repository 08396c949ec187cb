"""What each channel sends for an event: signed JSON, Slack and Teams messages, e-mail text.

Bodies are deterministic bytes (sorted keys), so a redelivery carries the same body as the first
attempt; only the timestamp header and its signature change.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import orjson

from medvigil.core.notify.events import Event

__all__ = ["SCHEMA", "digest_text", "email_text", "slack_body", "teams_body", "webhook_body"]

SCHEMA = "medvigil.notification/1"
"""The ``schema`` of webhook bodies; a breaking change gets a new number."""

_DETAIL_LINES = 20


def _dumps(data: Any) -> bytes:
    return orjson.dumps(data, option=orjson.OPT_SORT_KEYS)


def webhook_body(event: Event) -> bytes:
    """The generic webhook body: ``{"schema": ..., "event": {...}}``."""
    return _dumps({"schema": SCHEMA, "event": event.to_dict()})


def _facts(event: Event) -> list[tuple[str, str]]:
    facts = [("Kind", event.kind.label)]
    if event.product_name:
        facts.append(("Product", event.product_name))
    if event.risk:
        facts.append(("Risk", event.risk))
    facts.append(("Event", event.id))
    return facts


def _lines(event: Event) -> list[str]:
    """Up to 20 detail lines from ``data["items"]`` (each item's ``text``)."""
    items = event.data.get("items") or []
    lines = [str(i.get("text", "")) for i in items[:_DETAIL_LINES] if isinstance(i, dict)]
    extra = len(items) - len(lines)
    if extra > 0:
        lines.append(f"… and {extra} more")
    return [line for line in lines if line]


def slack_body(event: Event) -> bytes:
    """A Slack incoming-webhook message (``text`` plus Block Kit blocks); Mattermost takes it too."""
    text = f"*{event.title}*"
    if event.url:
        text = f"*<{event.url}|{event.title}>*"
    blocks: list[dict[str, Any]] = [
        {"type": "section", "text": {"type": "mrkdwn", "text": text}},
        {"type": "context", "elements": [{"type": "mrkdwn", "text": f"{k}: {v}"} for k, v in _facts(event)]},
    ]
    lines = _lines(event)
    if lines:
        blocks.append(
            {"type": "section", "text": {"type": "mrkdwn", "text": "\n".join(f"• {x}" for x in lines)}}
        )
    return _dumps({"text": event.title, "blocks": blocks})


def teams_body(event: Event) -> bytes:
    """A Microsoft Teams (Workflows / incoming webhook) message holding an Adaptive Card."""
    body: list[dict[str, Any]] = [
        {"type": "TextBlock", "text": event.title, "weight": "Bolder", "size": "Medium", "wrap": True},
        {"type": "FactSet", "facts": [{"title": k, "value": v} for k, v in _facts(event)]},
    ]
    body.extend(
        {"type": "TextBlock", "text": line, "wrap": True, "spacing": "None"} for line in _lines(event)
    )
    card: dict[str, Any] = {
        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
        "type": "AdaptiveCard",
        "version": "1.4",
        "body": body,
    }
    if event.url:
        card["actions"] = [{"type": "Action.OpenUrl", "title": "Open in medvigil", "url": event.url}]
    attachment = {
        "contentType": "application/vnd.microsoft.card.adaptive",
        "contentUrl": None,
        "content": card,
    }
    return _dumps({"type": "message", "attachments": [attachment]})


def email_text(event: Event) -> tuple[str, str]:
    """``(subject, plain-text body)`` of one event's e-mail."""
    lines = [event.title, ""]
    lines += [f"{k}: {v}" for k, v in _facts(event)]
    details = _lines(event)
    if details:
        lines += ["", *details]
    if event.url:
        lines += ["", event.url]
    return f"[medvigil] {event.title}"[:250], "\n".join(lines) + "\n"


def digest_text(events: Sequence[Event]) -> tuple[str, str]:
    """``(subject, body)`` of a digest of several events, oldest first."""
    ordered = sorted(events, key=lambda e: (e.occurred_at, e.id))
    subject = f"[medvigil] digest: {len(ordered)} notification{'s' if len(ordered) != 1 else ''}"
    parts = []
    for e in ordered:
        when = e.occurred_at.strftime("%Y-%m-%d %H:%M UTC")
        parts.append(f"- {when} · {e.kind.label}: {e.title}" + (f"\n  {e.url}" if e.url else ""))
    return subject, "\n".join(parts) + "\n"
