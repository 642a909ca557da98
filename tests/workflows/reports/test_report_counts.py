"""Counts in the report text read right whatever the number (issue 14, item 6): figures stand under
labels ("cumplidos: 1"), never before a plural noun that does not agree ("1 adoptados")."""

from __future__ import annotations

from bot.i18n import Catalogs
from bot.workflows.reports.formats import region_lines, trend_lines
from bot.workflows.reports.lights import RegionIndicators


def test_region_lines_label_each_figure_in_spanish_and_quechua(catalogs: Catalogs) -> None:
    row = RegionIndicators(1, "PUN", "Puno", adopted=1, in_progress=1, done=1, overdue=0, cancelled=0)
    row.median_days_overdue = 1.0
    es, qu = catalogs.translator("es"), catalogs.translator("qu")
    text = "\n".join(region_lines(es, row))
    assert "Acuerdos adoptados en el periodo: 1; en curso: 1, cumplidos: 1, vencidos: 0" in text
    assert "mediana de retraso (días): 1" in text
    assert "1 adoptados" not in text and "1 días" not in text
    quechua = "\n".join(region_lines(qu, row))
    assert "Pachapi rimanakusqa rimanakuykuna: 1; purichkaq: 1" in quechua


def test_trend_line_of_one_point(catalogs: Catalogs) -> None:
    before = RegionIndicators(1, "PUN", "Puno", attendance_present=50, attendance_total=100)
    now = RegionIndicators(1, "PUN", "Puno", attendance_present=51, attendance_total=100)
    lines = trend_lines(catalogs.translator("es"), now, before)
    assert "Asistencia (puntos): ▲ 1." in lines
