"""Small server-side SVG charts (no JavaScript, accessible: each bar has a <title>)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe


@dataclass(frozen=True)
class Bar:
    """One bar of a chart."""

    label: str
    value: int
    css: str = ""


def bar_chart(bars: Sequence[Bar], *, title: str, width: int = 520, row: int = 26) -> SafeString:
    """A horizontal bar chart as inline SVG; labels and titles are HTML-escaped."""
    label_w, pad = 170, 8
    peak = max((b.value for b in bars), default=0) or 1
    height = max(len(bars), 1) * row + pad * 2
    parts = [
        f'<svg class="chart" role="img" aria-label="{escape(title)}" viewBox="0 0 {width} {height}" '
        f'width="100%" preserveAspectRatio="xMinYMin meet">'
    ]
    for i, b in enumerate(bars):
        y = pad + i * row
        w = round((width - label_w - 60) * b.value / peak)
        label, text_y = escape(b.label), f"{y + row * 0.65:.1f}"
        parts.append(
            f"<g><title>{label}: {b.value}</title>"
            f'<text x="{label_w - 8}" y="{text_y}" text-anchor="end" class="chart-label">{label}</text>'
            f'<rect x="{label_w}" y="{y + 4}" width="{w}" height="{row - 8}" rx="3" '
            f'class="bar {escape(b.css)}"/>'
            f'<text x="{label_w + w + 6}" y="{text_y}" class="chart-value">{b.value}</text></g>'
        )
    if not bars:
        parts.append(f'<text x="{pad}" y="{pad + 16}" class="chart-label">no data</text>')
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every interpolated text is escaped above
