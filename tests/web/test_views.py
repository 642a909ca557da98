"""The dashboard's other tables: sessions behind a cell, the technical-assistance queue with days
waiting, the directory's coverage; each also as XLSX, each scoped by the gate."""

from __future__ import annotations

import io

from openpyxl import load_workbook

from tests.web.conftest import Login


async def test_the_sessions_behind_a_cell(web: Login) -> None:
    client = await web("analyst")
    page = await (await client.get("/panel/sesiones?periodo=2026&region=CUS")).text()
    assert "3 sesiones" in page
    assert "10/03/2026" in page and "realizada" in page and "2 de 3" in page
    assert "09/06/2026" in page and "no instalada por falta de quórum" in page and "1 de 3" in page
    assert "cancelada" in page and "0 de 0" in page
    ordinary = await (await client.get("/panel/sesiones?periodo=2026&region=CUS&tipo=ordinaria")).text()
    assert "2 sesiones" in ordinary and "no instalada por falta de quórum" not in ordinary
    assert (await client.get("/panel/sesiones?tipo=solemne")).status == 400
    dashboard = await (await client.get("/panel?periodo=2026")).text()
    assert "/panel/sesiones?tipo=ordinaria&amp;periodo=2026&amp;region=CUS" in dashboard


async def test_the_assistance_queue_counts_days_waiting(web: Login) -> None:
    client = await web("analyst")
    page = await (await client.get("/panel/asistencia")).text()
    assert "AT-CUS-2026-001" in page and "02/11/2026" in page and '<td class="num">21</td>' in page
    assert "AT-CUS-2026-002" not in page  # closed
    response = await client.get("/panel/asistencia.xlsx")
    sheet = load_workbook(io.BytesIO(await response.read())).active
    assert [c.value for c in sheet[2]] == [
        "CUS",
        "AT-CUS-2026-001",
        "Seguimiento de acuerdos",
        "recibida",
        "02/11/2026",
        21,
    ]
    puno = await web("pun_secretary")
    assert "AT-CUS" not in await (await puno.get("/panel/asistencia")).text()  # another region's


async def test_the_directory_coverage(web: Login) -> None:
    client = await web("secretary")
    page = await (await client.get("/panel/directorio")).text()
    assert "<td>CUS</td>" in page and "<td>PUN</td>" not in page
    response = await client.get("/panel/directorio.xlsx")
    sheet = load_workbook(io.BytesIO(await response.read())).active
    assert [c.value for c in sheet[2]] == ["CUS", 3, 1, 2, 2, "33%"]
