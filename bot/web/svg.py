"""Charts as inline SVG, drawn here: no library, no script, nothing fetched (intranets, CSP).

Colours are presentation attributes (not `style`), so the Content-Security-Policy stays strict.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

GREEN, AMBER, RED, GREY = "#1b7f3b", "#b7791f", "#b42318", "#d0d5dd"


@dataclass(frozen=True)
class Bar:
    label: str
    value: float | None  # 0..1; None: no data
    colour: str = GREEN


def bar_colour(value: float | None, amber: float, red: float, *, higher_is_better: bool = True) -> str:
    if value is None:
        return GREY
    if higher_is_better:
        return RED if value < red else AMBER if value < amber else GREEN
    return RED if value > red else AMBER if value > amber else GREEN


def bars(title: str, items: Sequence[Bar], *, width: int = 400, no_data: str = "sin datos") -> Markup:
    """One bar per item (0-100 %), its label on the line above: legible at a phone's width too.
    `title` and `no_data` come translated (the reader's language)."""
    row, top = 38, 6
    height = top + row * max(1, len(items)) + 4
    plot = width - 52
    parts = [
        f'<svg class="chart" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="{escape(title)}" xmlns="http://www.w3.org/2000/svg">',
        f"<title>{escape(title)}</title>",
    ]
    for i, item in enumerate(items):
        y = top + i * row
        label = item.label if len(item.label) <= 56 else item.label[:55] + "…"
        parts.append(f'<text x="0" y="{y + 12}" font-size="12" fill="#101828">{escape(label)}</text>')
        parts.append(f'<rect x="0" y="{y + 17}" width="{plot}" height="14" fill="#eaecf0"/>')
        if item.value is None:
            shown = str(escape(no_data))
        else:
            w = max(0.0, min(1.0, item.value)) * plot
            parts.append(f'<rect x="0" y="{y + 17}" width="{w:.1f}" height="14" fill="{item.colour}"/>')
            shown = f"{item.value * 100:.0f} %"
        parts.append(f'<text x="{plot + 6}" y="{y + 29}" font-size="12" fill="#344054">{shown}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))


def sparkline(values: Sequence[float | None], *, width: int = 132, height: int = 30) -> Markup:
    """A small line over the months (gaps where a month has no figure), last point marked."""
    known = [v for v in values if v is not None]
    if not known:
        return Markup("")
    low, high = min(known), max(known)
    span = (high - low) or 1.0
    step = (width - 8) / max(1, len(values) - 1)
    points = [
        (4 + i * step, height - 4 - (v - low) / span * (height - 8))
        for i, v in enumerate(values)
        if v is not None
    ]
    line = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
    x, y = points[-1]
    return Markup(
        f'<svg class="spark" viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'xmlns="http://www.w3.org/2000/svg" aria-hidden="true">'
        f'<polyline points="{line}" fill="none" stroke="#0b5cad" stroke-width="2"/>'
        f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="#0b5cad"/></svg>'
    )
