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


def bars(title: str, items: Sequence[Bar], *, width: int = 640) -> Markup:
    """Horizontal bars (one per item, 0-100 %), labelled, scaled to the container's width."""
    row, label_w, top = 26, min(260, width // 2), 8
    height = top + row * max(1, len(items)) + 8
    plot = width - label_w - 60
    parts = [
        f'<svg class="chart" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="{escape(title)}" xmlns="http://www.w3.org/2000/svg">',
        f"<title>{escape(title)}</title>",
    ]
    for i, item in enumerate(items):
        y = top + i * row
        label = item.label if len(item.label) <= 38 else item.label[:37] + "…"
        parts.append(
            f'<text x="{label_w - 6}" y="{y + 17}" text-anchor="end" font-size="13" '
            f'fill="#101828">{escape(label)}</text>'
        )
        parts.append(f'<rect x="{label_w}" y="{y + 5}" width="{plot}" height="16" fill="#f2f4f7"/>')
        if item.value is None:
            shown = "sin datos"
        else:
            w = max(0.0, min(1.0, item.value)) * plot
            parts.append(
                f'<rect x="{label_w}" y="{y + 5}" width="{w:.1f}" height="16" fill="{item.colour}"/>'
            )
            shown = f"{item.value * 100:.0f} %"
        parts.append(
            f'<text x="{label_w + plot + 6}" y="{y + 17}" font-size="13" fill="#344054">{shown}</text>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))
