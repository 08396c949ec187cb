"""``{% load mv %}``: one way to format numbers on every page, and words instead of raw values.

``score`` (CVSS, one decimal), ``epss`` (a probability as a percentage), ``num`` (thousands with
a comma), ``words`` (``not_defined`` → ``not defined``).
"""

from __future__ import annotations

import re
from typing import Any

from django import template

register = template.Library()


@register.filter
def score(value: Any) -> str:
    """A CVSS score: ``7.5``; empty for none."""
    if value is None or value == "":
        return ""
    return f"{float(value):.1f}"


@register.filter
def epss(value: Any) -> str:
    """An EPSS probability as a percentage: ``97.3 %`` (``<0.1 %`` below that); empty for none."""
    if value is None or value == "":
        return ""
    pct = float(value) * 100
    return "<0.1 %" if 0 < pct < 0.1 else f"{pct:.1f} %"


@register.filter
def num(value: Any) -> str:
    """A count with thousands separated by commas: ``1,305``."""
    if value is None or value == "":
        return ""
    return f"{int(value):,}"


@register.filter
def words(value: Any) -> str:
    """A stored code as words: ``not_defined`` → ``not defined``, ``cpe-inferred`` → ``cpe inferred``."""
    return str(value or "").replace("_", " ").replace("-", " ").strip()


_REF = re.compile(
    r"(?:,\s*|\s*;\s*|\s+)?\(?\b(?:regulatory|domain)\.md(?: section)? [\w.\-]+(?:, [\w.\-]+)*\)?"
)


_RAW = ("not_affected", "under_investigation", "not_defined", "known_affected", "known_not_affected")


@register.filter
def plain(value: Any) -> str:
    """Stored text without internal document references (``regulatory.md 1.4``) or raw codes."""
    text = _REF.sub("", str(value or ""))
    for raw in _RAW:
        text = text.replace(raw, raw.replace("_", " "))
    return text.replace("(; ", "(").replace("( ", "(").replace(" )", ")").replace("()", "").strip()
