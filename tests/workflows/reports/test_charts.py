"""Report charts read on a phone: every text ≥ 12 pt at phone width, none overlapping another or
leaving the picture, in each language; missing values marked "sin datos", regions by name and code."""

from __future__ import annotations

import itertools

import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg

from bot.i18n import Catalogs
from bot.workflows.reports.charts import FONT, WIDTH, Canvas, draw_charts, lay_out
from bot.workflows.reports.lights import RegionIndicators

REGIONS = [
    ("AMA", "Amazonas"),
    ("HUV", "Huancavelica"),
    ("LMA", "Lima Metropolitana"),
    ("MDD", "Madre de Dios"),
    ("PUN", "Puno"),
    ("UCA", "Ucayali"),
]


def rows() -> list[RegionIndicators]:
    made = []
    for i, (code, name) in enumerate(REGIONS):
        row = RegionIndicators(i + 1, code, f"Comisión Regional Anticorrupción de {name}", region=name)
        row.year_held, row.seats, row.seats_without_liaison = i % 5, 12, i
        row.in_progress, row.done, row.overdue = 3 * i, i, i % 3
        if i % 2:  # the others have had no session with a roll call: attendance unknown
            row.attendance_present, row.attendance_total = 10 + i, 20
        made.append(row)
    made.append(RegionIndicators(99, "TAC", "Comisión Regional Anticorrupción de Tacna", region="Tacna"))
    return made


def texts(canvas: Canvas) -> list[tuple[str, float, tuple[float, float, float, float]]]:
    renderer = FigureCanvasAgg(canvas.figure).get_renderer()
    found = []
    for text in canvas.ax.texts:
        box = text.get_window_extent(renderer)
        found.append((text.get_text(), float(text.get_fontsize()), (box.x0, box.y0, box.x1, box.y1)))
    return found


def overlap(a: tuple[float, float, float, float], b: tuple[float, float, float, float]) -> bool:
    return min(a[2], b[2]) - max(a[0], b[0]) > 0.5 and min(a[3], b[3]) - max(a[1], b[1]) > 0.5


@pytest.mark.parametrize("language", ["es", "qu", "ay"])
def test_no_label_overlaps_another_or_leaves_the_picture_and_none_is_small(
    catalogs: Catalogs, language: str
) -> None:
    tr = catalogs.translator(language)
    heading = "Informe nacional 2026-11 · del 1 de noviembre de 2026 al 30 de noviembre de 2026"
    charts = lay_out(tr, rows(), heading, national=True)
    assert [name for name, _ in charts] == [
        "sesiones",
        "asistencia",
        "a_tiempo",
        "sin_vencer",
        "enlaces",
        "acuerdos",
    ]
    for name, canvas in charts:
        width, height = canvas.figure.get_size_inches()
        assert width == WIDTH and height > width, name  # portrait, at a phone's width
        right, top = canvas.figure.bbox.x1, canvas.figure.bbox.y1
        found = texts(canvas)
        assert all(size >= FONT for _, size, _ in found), name
        for label, _, box in found:
            assert box[0] >= 0 and box[1] >= 0 and box[2] <= right and box[3] <= top, (name, label)
        for (a, _, box_a), (b, _, box_b) in itertools.combinations(found, 2):
            assert not overlap(box_a, box_b), (name, a, b)
        labels = [label for label, _, _ in found]
        assert "Madre de Dios (MDD)" in labels and "Tacna (TAC)" in labels  # name and code


def test_missing_values_are_marked_not_drawn_as_zero(catalogs: Catalogs) -> None:
    tr = catalogs.translator("ay")
    charts = dict(lay_out(tr, rows(), "Informe", national=True))
    attendance = [label for label, _, _ in texts(charts["asistencia"])]
    no_data = tr.gettext("sin datos")
    assert no_data != "sin datos"  # in Aymara
    assert attendance.count(no_data) == 4  # AMA, LMA, PUN unknown, and Tacna with no sessions
    # The regions with a value come first, best first; the unknown ones last.
    regions = [label for label in attendance if "(" in label]
    assert regions[:3] == ["Ucayali (UCA)", "Madre de Dios (MDD)", "Huancavelica (HUV)"]
    # Tacna has no agreements at all: its bar says so instead of an empty track.
    status = [label for label, _, _ in texts(charts["acuerdos"])]
    assert status[status.index("Tacna (TAC)") + 1] == no_data


def test_one_region_gets_its_indicators_and_its_agreements(catalogs: Catalogs) -> None:
    tr = catalogs.translator("qu")
    charts = draw_charts(tr, rows()[-1:], "Informe de TAC", national=False)
    assert [chart.name for chart in charts] == ["indicadores", "acuerdos"]
    assert all(chart.png[:8] == b"\x89PNG\r\n\x1a\n" for chart in charts)
