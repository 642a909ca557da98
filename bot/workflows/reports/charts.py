"""Report charts for phones: portrait PNGs, one idea each, readable at a phone's width.

Each figure is laid out at the size a phone shows it (`WIDTH` inches ≈ 400 CSS px) and drawn at
a high resolution, so 12 pt here is 12 pt on the screen. Nothing is placed by matplotlib's own
tick layout: every label gets its own line (wrapped to the width) above its bar, so no label
collides with another in any language, however long the Quechua or Aymara. A value that cannot
be computed is drawn as a hatched track marked "sin datos", never as an empty bar that reads 0 %.

Charts are drawn in the report process (worker.py: spawned, kept, at a lower priority): matplotlib
holds the GIL for seconds, which from a thread still delayed other people's replies.
"""

from __future__ import annotations

import io
import textwrap
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from bot.i18n import Catalogs, Text, Translator, msg
from bot.workflows.reports.lights import RegionIndicators
from bot.workflows.reports.worker import report_process

if TYPE_CHECKING:
    from matplotlib.axes import Axes

WIDTH = 4.2  # inches: the figure is drawn at the width a phone shows it
DPI = 260  # ~1090 px wide: sharp on a 3x screen, still ~100 kB
FONT = 12.0  # points, the smallest text on any chart
LINE = FONT * 1.45 / 72  # inches per line of text
BAR = 0.2
GAP = 0.16
MARGIN = 0.18
WRAP = 38  # characters of 12 pt DejaVu Sans in WIDTH minus margins
NO_DATA_COLOR = "#9A9A9A"
TRACK = "#ECECEC"

Getter = Callable[[RegionIndicators], float | None]


@dataclass(frozen=True)
class Metric:
    key: str
    label: Text
    get: Getter


METRICS: tuple[Metric, ...] = (
    Metric(
        "sesiones",
        msg("Sesiones ordinarias del año, frente al mínimo"),
        lambda r: min(1.0, r.year_held / r.year_minimum) if r.year_minimum else None,
    ),
    Metric("asistencia", msg("Asistencia a las sesiones"), lambda r: r.attendance_rate),
    Metric("a_tiempo", msg("Acuerdos cumplidos a tiempo"), lambda r: r.on_time_rate),
    Metric(
        "sin_vencer",
        msg("Acuerdos vigentes sin vencer"),
        lambda r: None if r.overdue_share is None else 1 - r.overdue_share,
    ),
    Metric(
        "enlaces",
        msg("Instituciones con coordinador(a) de enlace"),
        lambda r: 1 - r.seats_without_liaison / r.seats if r.seats else None,
    ),
)

STATUSES: tuple[tuple[Text, Callable[[RegionIndicators], int], str], ...] = (
    (msg("en curso"), lambda r: r.in_progress, "#4C78A8"),
    (msg("cumplidos"), lambda r: r.done, "#54A24B"),
    (msg("vencidos"), lambda r: r.overdue, "#E45756"),
    (msg("cancelados"), lambda r: r.cancelled, "#BAB0AC"),
)


@dataclass(frozen=True)
class Chart:
    name: str  # a file-name suffix: "indicadores", "asistencia", ...
    png: bytes


def region_label(row: RegionIndicators) -> str:
    """'Puno (PUN)': the region by name as well as code."""
    return f"{row.region} ({row.code})" if row.region else row.code


def chart_files(
    tr: Translator, rows: Sequence[RegionIndicators], heading: str, stem: str, *, national: bool
) -> list[tuple[str, bytes, str]]:
    """(file name, PNG, caption) of each chart of a report, drawn in the chart process: callers
    wait in a worker thread. `heading` names the report and its period: it is each chart's
    subtitle and each file's caption."""
    job = report_process().submit(_charts_in_process, tr.code, list(rows), plain(heading), national)
    return [(f"{stem}_{chart.name}.png", chart.png, heading) for chart in job.result()]


def plain(text: str) -> str:
    """Without emoji (the chart's font has no glyphs for them)."""
    return "".join(ch for ch in text if ord(ch) <= 0xFFFF and ch != "\ufe0f").strip()


def _charts_in_process(
    language: str, rows: list[RegionIndicators], heading: str, national: bool
) -> list[Chart]:
    return draw_charts(Catalogs().translator(language), rows, heading, national=national)


def draw_charts(
    tr: Translator, rows: Sequence[RegionIndicators], heading: str, *, national: bool
) -> list[Chart]:
    return [Chart(name, figure.png()) for name, figure in lay_out(tr, rows, heading, national=national)]


def lay_out(
    tr: Translator, rows: Sequence[RegionIndicators], heading: str, *, national: bool
) -> list[tuple[str, Canvas]]:
    """National: one chart per indicator, regions best first, then agreements by status per
    region. One region: its indicators, then its agreements by status."""
    if not national and len(rows) == 1:
        row = rows[0]
        bars = [(tr.render(m.label), m.get(row)) for m in METRICS]
        counts = [(tr.render(label), get(row), color) for label, get, color in STATUSES]
        return [
            ("indicadores", _percent_bars(tr, heading, tr.gettext("Indicadores (0-100 %)"), bars)),
            ("acuerdos", _count_bars(tr, heading, tr.gettext("Acuerdos por estado"), counts)),
        ]
    charts = []
    for metric in METRICS:
        ranked = sorted(rows, key=lambda r: _rank_key(metric.get(r), r))
        bars = [(region_label(r), metric.get(r)) for r in ranked]
        charts.append((metric.key, _percent_bars(tr, heading, tr.render(metric.label), bars)))
    labelled = [(region_label(r), r) for r in sorted(rows, key=lambda r: (-_total(r), r.code))]
    title = tr.gettext("Acuerdos por estado")
    charts.append(("acuerdos", _status_bars(tr, heading, title, labelled)))
    return charts


def _total(row: RegionIndicators) -> int:
    return sum(get(row) for _, get, _ in STATUSES)


def _rank_key(value: float | None, row: RegionIndicators) -> tuple[int, float, str]:
    return (value is None, -(value or 0.0), row.code)


def _lines(text: str, width: int = WRAP) -> list[str]:
    return textwrap.wrap(text, width=width, break_long_words=True) or [""]


class Canvas:
    """A figure measured in inches from the top-left corner, laid out line by line."""

    def __init__(self, height: float) -> None:
        from matplotlib.figure import Figure  # the object API only: no pyplot and its global figures

        self.figure = Figure(figsize=(WIDTH, height), dpi=DPI)
        self.ax: Axes = self.figure.add_axes((0, 0, 1, 1))
        self.ax.set_xlim(0, WIDTH)
        self.ax.set_ylim(height, 0)
        self.ax.axis("off")
        self.y = MARGIN

    def text(self, text: str, *, size: float = FONT, bold: bool = False, color: str = "#222222") -> None:
        for line in _lines(text, int(WRAP * FONT / size)):
            self.ax.text(
                MARGIN,
                self.y,
                line,
                fontsize=size,
                va="top",
                color=color,
                weight="bold" if bold else "normal",
            )
            self.y += LINE * size / FONT

    def bar(self, parts: Sequence[tuple[float, str]], value_text: str, *, hatch: bool = False) -> None:
        """A track the width of the chart, filled left to right by `parts` (share 0-1, color)."""
        from matplotlib.patches import Rectangle

        left, right = MARGIN, WIDTH - MARGIN - 0.85
        if hatch:
            track = Rectangle(
                (left, self.y), right - left, BAR, facecolor="white", edgecolor="#BBBBBB", hatch="///"
            )
        else:
            track = Rectangle((left, self.y), right - left, BAR, color=TRACK)
        self.ax.add_patch(track)
        x = left
        for share, color in parts:
            width = (right - left) * max(0.0, min(1.0, share))
            self.ax.add_patch(Rectangle((x, self.y), width, BAR, color=color))
            x += width
        if hatch:  # "sin datos" inside the hatched track, whatever its length in the language
            self.ax.text(
                left + 0.08,
                self.y + BAR / 2,
                value_text,
                fontsize=FONT,
                va="center",
                color=NO_DATA_COLOR,
                bbox={"facecolor": "white", "edgecolor": "none", "pad": 1},
            )
        else:
            self.ax.text(WIDTH - MARGIN, self.y + BAR / 2, value_text, fontsize=FONT, va="center", ha="right")
        self.y += BAR + GAP

    def png(self) -> bytes:
        buffer = io.BytesIO()
        self.figure.savefig(buffer, format="png", dpi=DPI)
        return buffer.getvalue()


def _title_height(heading: str, title: str) -> float:
    return (
        MARGIN + LINE * (len(_lines(heading)) + len(_lines(title, int(WRAP * FONT / 14))) * 14 / FONT) + GAP
    )


def _headed_canvas(heading: str, title: str, labels: Sequence[str], extra: float = 0.0) -> Canvas:
    """A canvas tall enough for the title, the heading, `extra` inches (a legend) and one labelled
    bar per label, with the title and heading already drawn."""
    height = _title_height(heading, title) + MARGIN + extra
    height += sum(LINE * len(_lines(label)) + BAR + GAP for label in labels)
    canvas = Canvas(height)
    canvas.text(title, size=14, bold=True)
    canvas.text(heading, color="#555555")
    canvas.y += GAP
    return canvas


def _percent_bars(
    tr: Translator, heading: str, title: str, bars: Sequence[tuple[str, float | None]]
) -> Canvas:
    from matplotlib import colormaps

    from bot.workflows.reports.formats import percent

    canvas = _headed_canvas(heading, title, [label for label, _ in bars])
    colors = colormaps["RdYlGn"]
    for label, value in bars:
        canvas.text(label)
        if value is None:
            canvas.bar([], tr.gettext("sin datos"), hatch=True)
        else:
            r, g, b, _ = colors(0.1 + 0.8 * value)
            canvas.bar(
                [(value, f"#{int(r * 255):02x}{int(g * 255):02x}{int(b * 255):02x}")], percent(tr, value)
            )
    return canvas


def _count_bars(tr: Translator, heading: str, title: str, counts: Sequence[tuple[str, int, str]]) -> Canvas:
    """One bar per status, scaled to the largest count; no agreements at all says so once."""
    canvas = _headed_canvas(heading, title, [label for label, _, _ in counts])
    largest = max((n for _, n, _ in counts), default=0)
    for label, n, color in counts:
        canvas.text(label)
        if largest:
            canvas.bar([(n / largest, color)], str(n))
        else:
            canvas.bar([], tr.gettext("sin datos"), hatch=True)
    return canvas


def _status_bars(
    tr: Translator, heading: str, title: str, rows: Sequence[tuple[str, RegionIndicators]]
) -> Canvas:
    """Agreements by status per region: a legend (one status per line), then one stacked bar per
    region, scaled to the largest total, with the total at its end; a region with none says so."""
    legend = [(tr.render(label), color) for label, _, color in STATUSES]
    canvas = _headed_canvas(heading, title, [label for label, _ in rows], extra=LINE * len(legend) + GAP)
    from matplotlib.patches import Rectangle

    for label, color in legend:
        canvas.ax.add_patch(Rectangle((MARGIN, canvas.y + 0.04), 0.14, 0.14, color=color))
        canvas.ax.text(MARGIN + 0.22, canvas.y, label, fontsize=FONT, va="top")
        canvas.y += LINE
    canvas.y += GAP
    largest = max((_total(r) for _, r in rows), default=0)
    for label, row in rows:
        counts = [(get(row), color) for _, get, color in STATUSES]
        total = sum(n for n, _ in counts)
        canvas.text(label)
        if total:
            canvas.bar([(n / largest, color) for n, color in counts], str(total))
        else:
            canvas.bar([], tr.gettext("sin datos"), hatch=True)
    return canvas
