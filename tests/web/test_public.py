"""The public pages, as the public gets them: no login, read-only, open data, nothing personal."""

from __future__ import annotations

import json

from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.workflows.portal.publication import set_publication
from db.models import Person
from tests.conftest import NOW
from tests.web.conftest import CONTRALORIA, PHONE, Data, Login


async def test_healthz(web: Login) -> None:
    client = await web(None)
    response = await client.get("/healthz")
    assert response.status == 200 and await response.json() == {"alive": True}


async def test_the_index_lists_all_26_regions(web: Login) -> None:
    client = await web(None)
    response = await client.get("/")
    page = await response.text()
    assert response.status == 200
    assert page.count("<li>") == 26
    for name in ("Amazonas", "Cusco", "Puno", "Ucayali", "Lima Metropolitana", "Madre de Dios"):
        assert name in page
    assert 'href="/cra/CUS"' in page and 'href="/cra/PUN"' in page
    assert "aún no usa el sistema" in page  # e.g. Amazonas has no CRA in the bot
    assert page.index("Amazonas") < page.index("Áncash") < page.index("Apurímac")  # accents sort right


async def test_a_commission_page_shows_sessions_attendance_and_agreements(web: Login) -> None:
    client = await web(None)
    response = await client.get("/cra/CUS?anio=2026")
    page = await response.text()
    assert response.status == 200
    assert "10/03/2026" in page and "09/06/2026" in page  # held, and failed for lack of quorum
    assert "09/07/2026" not in page  # cancelled: never met
    assert "alcanzado" in page and "no alcanzado" in page
    assert CONTRALORIA in page  # institutions by name…
    for person in ("Rosa Mamani", "Juan Quispe", "Ana Huamán", "Luis Condori", PHONE):
        assert person not in page  # …never people or their contacts
    assert "Auditoría de obras viales" in page and "30/09/2026" in page and "30/06/2026" in page
    assert "vencido" in page
    assert "<svg" in page and "<script" not in page  # inline chart, no script at all


async def test_output_is_escaped(web: Login) -> None:
    client = await web(None)
    page = await (await client.get("/cra/CUS")).text()
    assert '<script>alert("x")</script>' not in page
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; Plan de integridad" in page


async def test_security_headers(web: Login) -> None:
    client = await web(None)
    response = await client.get("/cra/CUS")
    csp = response.headers["Content-Security-Policy"]
    assert "default-src 'none'" in csp and "script-src" not in csp and "style-src 'self'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"


async def test_csv_has_a_bom_and_keeps_the_accents(web: Login) -> None:
    client = await web(None)
    response = await client.get("/cra/CUS/asistencia.csv?anio=2026")
    body = await response.read()
    assert response.status == 200 and response.content_type == "text/csv"
    assert body.startswith(b"\xef\xbb\xbf")
    text = body.decode("utf-8-sig")
    lines = text.splitlines()
    assert lines[0] == "sesion,fecha,tipo,institucion,asistio,inasistencia"
    assert any(CONTRALORIA in line and "injustificada" in line for line in lines)
    assert any("Corte Superior" in line and ",justificada" in line for line in lines)
    assert len(lines) == 7  # header + 3 institutions × 2 sessions


async def test_json_carries_a_data_dictionary(web: Login) -> None:
    client = await web(None)
    response = await client.get("/cra/CUS/acuerdos.json")
    document = json.loads(await response.read())
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert document["comision"] == "CUS" and document["anio"] == 2026
    assert {f["campo"] for f in document["diccionario"]} == set(document["filas"][0])
    overdue = {row["codigo"]: row["vencido"] for row in document["filas"]}
    assert overdue == {"CUS-2026-001": False, "CUS-2026-002": True, "CUS-2026-003": False}
    sessions = json.loads(await (await client.get("/cra/CUS/sesiones.json")).read())
    assert [(s["fecha"], s["quorum"]) for s in sessions["filas"]] == [
        ("2026-03-10", True),
        ("2026-06-09", False),
    ]


async def test_the_dictionary_page(web: Login) -> None:
    client = await web(None)
    page = await (await client.get("/datos")).text()
    assert "plazo_original" in page and "inasistencia" in page


async def test_bad_parameters_get_a_clear_400_page_in_spanish(web: Login) -> None:
    client = await web(None)
    for url, says in (
        ("/cra/CUS?anio=20x6", "use un año de cuatro cifras"),
        ("/cra/CUS?anio=1999", "use un año de cuatro cifras"),
        ("/cra/CUS?anio=2026&anio=2025", "una sola vez"),
        ("/cra/CUS?anio=" + "9" * 500, "demasiado largo"),
        ("/cra/C%3Cb%3E", "tres letras"),
    ):
        response = await client.get(url)
        page = await response.text()
        assert response.status == 400, url
        assert says in page and "Traceback" not in page, url


async def test_unknown_pages_and_tables_are_404_pages(web: Login) -> None:
    client = await web(None)
    for url in ("/cra/XYZ", "/cra/AMA", "/cra/CUS/personas.csv", "/nada"):
        response = await client.get(url)
        assert response.status == 404, url
        assert "<h1>No encontrado</h1>" in await response.text()


async def test_read_only_for_the_public(web: Login) -> None:
    client = await web(None)
    for method in ("PUT", "DELETE", "PATCH"):
        response = await client.request(method, "/cra/CUS")
        assert response.status == 405
    assert (await client.post("/cra/CUS")).status in (404, 405)


async def test_a_commission_that_withdraws_publication_disappears(
    web: Login, data: Data, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    async with sessionmaker() as db, db.begin():
        secretary = await db.get(Person, data.people["secretary"])
        await set_publication(db, secretary, False, now=NOW)
    client = await web(None)
    assert (await client.get("/cra/CUS")).status == 404
    assert (await client.get("/cra/CUS/asistencia.csv")).status == 404
    index = await (await client.get("/")).text()
    assert "no publica sus datos" in index and 'href="/cra/CUS"' not in index
