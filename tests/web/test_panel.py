"""The CAN's dashboard: login by one-time link, every view per role through the gate, drill-down
filters, sorting, XLSX exports, bad parameters, cookies."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from aiohttp.test_utils import TestClient
from openpyxl import load_workbook
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.i18n import Catalogs
from bot.web.app import build_app
from bot.web.security import RateLimiter
from bot.workflows.portal.login import forget_web_tokens, open_session
from db.models import Person
from tests.conftest import NOW
from tests.web.conftest import CONTRALORIA, Data, Login, link_for

PANEL_ROUTES = (
    "/panel?periodo=2026",
    "/panel/acuerdos?periodo=2026",
    "/panel/indicadores.xlsx?periodo=2026",
    "/panel/acuerdos.xlsx?periodo=2026",
    "/panel/serie?anio=2026",
    "/panel/sesiones?periodo=2026",
    "/panel/sesiones.xlsx?periodo=2026",
    "/panel/asistencia",
    "/panel/asistencia.xlsx",
    "/panel/directorio",
    "/panel/directorio.xlsx",
)
# The web's permission matrix: who gets which status on every dashboard route. Written out, as in
# tests/workflows/test_permissions.py, so a change shows up here.
EXPECTED = {
    None: 401,  # no session: a page saying how to get a link
    "member": 403,
    "liaison": 403,
    "secretary": 200,
    "president": 200,
    "pun_secretary": 200,
    "analyst": 200,
}


async def body(client: TestClient, url: str, status: int = 200) -> str:
    response = await client.get(url)
    text = await response.text()
    assert response.status == status, (url, text[:400])
    return text


@pytest.mark.parametrize("role", list(EXPECTED), ids=lambda r: r or "public")
async def test_every_dashboard_route_per_role(web: Login, role: str | None) -> None:
    client = await web(role)
    for url in PANEL_ROUTES:
        response = await client.get(url)
        assert response.status == EXPECTED[role], url
        assert response.headers["Cache-Control"] == "no-store"
        assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
    for url in ("/", "/cra/CUS", "/cra/CUS/acuerdos.csv"):  # the public pages are public for all
        assert (await client.get(url)).status == 200


async def test_the_analyst_sees_every_region_side_by_side(web: Login) -> None:
    client = await web("analyst")
    page = await body(client, "/panel?periodo=2026")
    assert "Vista nacional" in page
    assert 'region=CUS">CUS</a>' in page and 'region=PUN">PUN</a>' in page
    assert 'class="light red"' in page or 'class="light amber"' in page  # the traffic light
    assert "/panel/acuerdos?vencidos=1&amp;periodo=2026&amp;region=CUS" in page  # a cell drills down
    assert "<svg" in page


async def test_a_regional_secretary_sees_only_their_region(web: Login) -> None:
    client = await web("secretary")
    page = await body(client, "/panel?periodo=2026")
    assert "Vista de la CRA CUS" in page and "region=PUN" not in page
    drill = await body(client, "/panel/acuerdos?periodo=2026&region=PUN", 404)
    assert "no está entre las que usted puede ver" in drill
    drill = await body(client, "/panel/acuerdos?periodo=2026")
    assert "CUS-2026-002" in drill and "PUN-2026-001" not in drill


async def test_drill_down_filters(web: Login) -> None:
    client = await web("analyst")
    overdue = await body(client, "/panel/acuerdos?periodo=2026&region=CUS&vencidos=1")
    assert "CUS-2026-002" in overdue and "CUS-2026-001" not in overdue and "CUS-2026-003" not in overdue
    assert "54" in overdue  # days overdue on 23 November for a 30 September deadline
    done = await body(client, "/panel/acuerdos?periodo=2026&estado=cumplido")
    assert "CUS-2026-003" in done and "CUS-2026-002" not in done
    by_institution = await body(client, f"/panel/acuerdos?periodo=2026&institucion={CONTRALORIA}")
    assert "CUS-2026-002" in by_institution and "CUS-2026-001" not in by_institution
    every = await body(client, "/panel/acuerdos?periodo=2026")
    assert "PUN-2026-001" in every and "4 acuerdos" in every
    assert "&lt;script&gt;" in every and "<script>" not in every


async def test_sorting_by_a_column(web: Login) -> None:
    client = await web("analyst")
    ascending = await body(client, "/panel?periodo=2026&orden=code&dir=asc")
    assert ascending.index('region=CUS">') < ascending.index('region=PUN">')
    descending = await body(client, "/panel?periodo=2026&orden=code&dir=desc")
    assert descending.index('region=PUN">') < descending.index('region=CUS">')
    by_overdue = await body(client, "/panel?periodo=2026&orden=overdue&dir=desc")
    assert "▼" in by_overdue


async def test_exports_are_xlsx(web: Login) -> None:
    client = await web("analyst")
    response = await client.get("/panel/indicadores.xlsx?periodo=2026")
    assert response.headers["Content-Disposition"] == 'attachment; filename="indicadores_nacional_2026.xlsx"'
    sheet = load_workbook(io.BytesIO(await response.read())).worksheets[0]
    assert {sheet["A2"].value, sheet["A3"].value} == {"CUS", "PUN"}
    response = await client.get("/panel/acuerdos.xlsx?periodo=2026&vencidos=1")
    sheet = load_workbook(io.BytesIO(await response.read())).worksheets[0]
    rows = [[c.value for c in row] for row in sheet.iter_rows(min_row=2)]
    assert [(r[0], r[1], r[8]) for r in rows] == [("CUS", "CUS-2026-002", 54), ("PUN", "PUN-2026-001", 53)]


async def test_bad_parameters_get_a_400_page(web: Login) -> None:
    client = await web("analyst")
    for url, says in (
        ("/panel?periodo=2026-13", "El periodo «2026-13» no es válido"),
        ("/panel?periodo=1850", "no es válido"),
        ("/panel?orden=nada", "no es válido"),
        ("/panel/acuerdos?estado=terminado", "use pendiente, en_curso, cumplido, cancelado"),
        ("/panel/acuerdos?vencidos=si", "solo admite 1 (sí) o 0 (no)"),
        ("/panel/acuerdos?region=C1S", "código de tres letras"),
        ("/panel/acuerdos?institucion=" + "x" * 300, "demasiado largo"),
    ):
        page = await body(client, url, 400)
        assert says in page and "Traceback" not in page, url


async def test_a_login_link_works_once_and_expires(
    web: Login, data: Data, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    client = await web(None)
    async with sessionmaker.begin() as db:
        token = await link_for(db, data.people["analyst"])
    form = await body(client, f"/entrar/{token}")  # a link preview's GET spends nothing
    assert 'method="post"' in form
    first = await client.post(f"/entrar/{token}", allow_redirects=False)
    assert first.status == 303 and first.headers["Location"] == "/panel"
    cookie = first.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie  # http base URL
    again = await client.post(f"/entrar/{token}", allow_redirects=False)
    assert again.status == 403 and "ya se usó o venció" in await again.text()
    async with sessionmaker.begin() as db:
        late = await link_for(db, data.people["analyst"])
    async with sessionmaker.begin() as db:
        with pytest.raises(Exception, match="ya se usó o venció"):
            await open_session(db, late, now=NOW + timedelta(minutes=11))


async def test_logout_closes_the_session(web: Login) -> None:
    client = await web("analyst")
    assert (await client.get("/panel")).status == 200
    response = await client.post("/salir", allow_redirects=False)
    assert response.status == 303
    client.session.cookie_jar.clear()  # the browser drops it; the server has closed it anyway
    assert (await client.get("/panel")).status == 401


async def test_cookies_are_secure_behind_https(
    sessionmaker: async_sessionmaker[AsyncSession], catalogs: Catalogs, data: Data
) -> None:
    from aiohttp.test_utils import TestServer

    app = build_app(sessionmaker, base_url="https://cra.example.gob.pe", catalogs=catalogs, clock=lambda: NOW)
    async with TestClient(TestServer(app)) as client:
        async with sessionmaker.begin() as db:
            token = await link_for(db, data.people["analyst"])
        response = await client.post(f"/entrar/{token}", allow_redirects=False)
        assert "Secure" in response.headers["Set-Cookie"]


async def test_an_erased_person_loses_their_session(
    web: Login, data: Data, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    client = await web("analyst")
    async with sessionmaker.begin() as db:
        person = await db.get(Person, data.people["analyst"])
        assert person is not None
        person.erased_at = NOW
    assert (await client.get("/panel")).status == 401


def test_the_rate_limit() -> None:
    now = [0.0]
    limiter = RateLimiter(burst=3, per_second=1.0, clock=lambda: now[0])
    assert [limiter.allow("a") for _ in range(4)] == [True, True, True, False]
    assert limiter.allow("b")  # per client
    now[0] = 1.0
    assert limiter.allow("a") and not limiter.allow("a")


async def test_too_many_requests_get_a_429_page(
    sessionmaker: async_sessionmaker[AsyncSession], catalogs: Catalogs
) -> None:
    from aiohttp.test_utils import TestServer

    limiter = RateLimiter(burst=2, per_second=0.0)
    app = build_app(sessionmaker, base_url="http://x", catalogs=catalogs, clock=lambda: NOW, limiter=limiter)
    async with TestClient(TestServer(app)) as client:
        assert [(await client.get("/datos")).status for _ in range(3)] == [200, 200, 429]
        response = await client.get("/datos")
        assert response.headers["Retry-After"] == "60" and "Demasiadas solicitudes" in await response.text()
        assert (await client.get("/healthz")).status == 200  # the proxy's health check is never limited


async def test_a_form_posted_from_another_site_is_refused(
    web: Login, data: Data, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    client = await web(None)
    async with sessionmaker.begin() as db:
        token = await link_for(db, data.people["analyst"])
    forged = await client.post(f"/entrar/{token}", headers={"Origin": "https://evil.example"})
    assert forged.status == 403 and "Set-Cookie" not in forged.headers
    own = f"http://{client.server.host}:{client.server.port}"
    response = await client.post(f"/entrar/{token}", headers={"Origin": own}, allow_redirects=False)
    assert response.status == 303  # the link was not spent by the forged post


async def test_expired_links_and_sessions_are_forgotten(
    web: Login, data: Data, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    await web("analyst")  # a spent link and a live session
    async with sessionmaker.begin() as db:
        assert await forget_web_tokens(db, before=NOW) == 0
        assert await forget_web_tokens(db, before=NOW + timedelta(days=1)) == 2
