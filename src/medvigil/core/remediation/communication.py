"""The customer communication of PM-UNC-3.2 and its four required parts (a)-(d)."""

from __future__ import annotations

from collections.abc import Mapping

from medvigil.core.errors import InputError
from medvigil.core.remediation.reporting import COMMUNICATION_PARTS

__all__ = ["MIN_PART_CHARS", "PART_TITLES", "communication_parts", "missing_parts"]

PART_TITLES: Mapping[str, str] = {
    "a": "the vulnerability and an impact assessment",
    "b": "efforts to address the risk of patient harm are under way",
    "c": "compensating controls (or that there are none yet)",
    "d": "a fix or defense-in-depth strategy is in work and its availability will be communicated",
}
MIN_PART_CHARS = 20
"""A part counts when its text has at least this many non-blank characters."""


def communication_parts(content: Mapping[str, str]) -> frozenset[str]:
    """The parts the communication covers: each of ``a``-``d`` with enough text."""
    unknown = sorted(set(content) - set(COMMUNICATION_PARTS))
    if unknown:
        raise InputError(f"unknown communication part(s) {', '.join(unknown)}", field="content")
    return frozenset(p for p, text in content.items() if len("".join(str(text).split())) >= MIN_PART_CHARS)


def missing_parts(content: Mapping[str, str]) -> list[str]:
    """The parts still missing, each with what it must say."""
    have = communication_parts(content)
    return [f"({p}) {PART_TITLES[p]}" for p in COMMUNICATION_PARTS if p not in have]
