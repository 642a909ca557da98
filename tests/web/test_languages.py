"""The web side in the reader's language: `?lang=` (kept in links and a cookie), the browser's
Accept-Language, a signed-in person's stored language; Spanish otherwise."""

from __future__ import annotations

import json
import re

import pytest
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from db.models import Person
from tests.web.conftest import Data, Login

# A translated string of each page, per language; the Spanish it replaces must be gone.
INDEX = {"qu": "26 suyukuna: rurasqa huñunakuykuna", "ay": "26 suyunaka: lurat tantachawinaka"}
COMMISSION = {
    "qu": ("Watapa plannin", "Rurasqa huñunakuykuna"),
    "ay": ("Maran amtapa", "Lurat tantachawinaka"),
}
PANEL = {"qu": "Rikuchiqkuna 2026", "ay": "Uñacht'ayirinaka 2026"}


@pytest.mark.parametrize("lang", ["qu", "ay"])
async def test_the_index_in_quechua_and_aymara(web: Login, lang: str) -> None:
    client = await web(None)
    page = await (await client.get(f"/?lang={lang}")).text()
    assert f'<html lang="{lang}">' in page
    assert INDEX[lang] in page and "Las 26 jurisdicciones regionales" not in page
    assert f'href="/cra/CUS?lang={lang}"' in page  # the language travels with the link
    assert "Runasimi" in page and "Aymar aru" in page and "Español" in page  # the switch


@pytest.mark.parametrize("lang", ["qu", "ay"])
async def test_a_commission_page_in_quechua_and_aymara(web: Login, lang: str) -> None:
    client = await web(None)
    response = await client.get(f"/cra/CUS?anio=2026&lang={lang}")
    page = await response.text()
    assert response.status == 200 and f'<html lang="{lang}">' in page
    plan, held = COMMISSION[lang]
    assert plan in page and held in page
    assert "Plan anual" not in page and "Sesiones celebradas" not in page and "Acuerdos</h2>" not in page
    assert "10/03/2026" in page  # dates in the tables: the same numeric form in every language
    assert "«quórum»" in page  # the glossary keeps the term, quoted
    assert f'<input type="hidden" name="lang" value="{lang}">' in page  # the year form keeps it too


async def test_the_switch_keeps_the_language_across_a_link(web: Login) -> None:
    client = await web(None)
    page = await (await client.get("/cra/CUS?anio=2026")).text()
    assert '<html lang="es">' in page
    switch = re.search(r'href="([^"]*lang=ay)"', page)
    assert switch is not None and "anio=2026" in switch.group(1)  # the same page, in Aymara
    aymara = await (await client.get(switch.group(1).replace("&amp;", "&"))).text()
    assert COMMISSION["ay"][0] in aymara
    home = re.search(r'href="(/\?lang=ay)"', aymara)
    assert home is not None  # the header link home keeps the language
    assert INDEX["ay"] in await (await client.get(home.group(1))).text()
    # The choice is remembered: a bare address is in Aymara too, until another is chosen.
    assert INDEX["ay"] in await (await client.get("/")).text()
    assert "Las 26 jurisdicciones regionales" in await (await client.get("/?lang=es")).text()
    assert "Las 26 jurisdicciones regionales" in await (await client.get("/")).text()


async def test_accept_language_quz_gives_quechua(web: Login) -> None:
    client = await web(None)
    page = await (await client.get("/", headers={"Accept-Language": "quz-PE, es;q=0.5"})).text()
    assert '<html lang="qu">' in page and INDEX["qu"] in page
    page = await (await client.get("/", headers={"Accept-Language": "ayr;q=0.9, qu;q=0.3"})).text()
    assert INDEX["ay"] in page
    page = await (await client.get("/", headers={"Accept-Language": "en-US,en;q=0.9"})).text()
    assert '<html lang="es">' in page  # no shipped language asked for: Spanish
    page = await (await client.get("/?lang=xx", headers={"Accept-Language": "quy"})).text()
    assert '<html lang="qu">' in page  # an unknown choice is ignored


async def test_the_dashboard_honours_lang_ay(web: Login) -> None:
    client = await web("analyst")
    response = await client.get("/panel?periodo=2026&lang=ay")
    page = await response.text()
    assert response.status == 200 and '<html lang="ay">' in page
    assert PANEL["ay"] in page and "Indicadores 2026" not in page and "Volver" not in page
    assert 'action="/salir?lang=ay"' in page
    assert "/panel/acuerdos?periodo=2026&amp;region=CUS&amp;lang=ay" in page  # a cell's drill keeps it
    drill = await (await client.get("/panel/acuerdos?periodo=2026&region=CUS&lang=ay")).text()
    assert "CUS ukan amtawinakapa · 2026" in drill and "Rimanakuy" not in drill
    sessions = await (await client.get("/panel/sesiones?periodo=2026&lang=ay")).text()
    assert (
        "Tantachawinaka taqi suyunakata 2026" in sessions
        and "luratawa" in sessions
        and "realizada" not in sessions
    )


async def test_the_dashboard_speaks_the_persons_stored_language(
    web: Login, sessionmaker: async_sessionmaker[AsyncSession], data: Data
) -> None:
    async with sessionmaker() as db, db.begin():
        person = await db.get(Person, data.people["analyst"])
        assert person is not None
        person.language = "qu"
        db.add(person)
    client = await web("analyst")
    page = await (await client.get("/panel?periodo=2026")).text()
    assert '<html lang="qu">' in page and PANEL["qu"] in page
    page = await (await client.get("/panel?periodo=2026&lang=es")).text()  # a choice here wins
    assert "Indicadores 2026" in page


@pytest.mark.parametrize(
    ("address", "status", "said"),
    [
        ("/cra/C1S?lang=ay", 400, "«C1S» ukax janiw taman kodigopäkiti"),
        ("/no-existe?lang=qu", 404, "Chay raphiqa manam kanchu"),
        ("/panel?lang=qu", 401, "Panelta qhawanaykipaq"),
        ("/cra/CUS?anio=1999&lang=qu", 400, "«1999» watataqa manam chaskiykuchu"),
    ],
)
async def test_error_pages_in_the_readers_language(web: Login, address: str, status: int, said: str) -> None:
    client = await web(None)
    response = await client.get(address)
    assert response.status == status and said in await response.text()


async def test_the_data_dictionary_is_translated_but_the_field_names_stay(web: Login) -> None:
    client = await web(None)
    page = await (await client.get("/datos?lang=qu")).text()
    assert "huñunakuypa p'unchawnin (AAAA-MM-DD)" in page and "día de la sesión" not in page
    assert "<code>institucion</code>" in page and "<code>plazo_vigente</code>" in page  # stable names
    assert "identificadores estables" not in page  # the note itself is in Quechua
    document = json.loads(await (await client.get("/cra/CUS/asistencia.json?anio=2026&lang=qu")).read())
    assert document["diccionario"][1] == {
        "campo": "fecha",
        "tipo": "fecha",
        "descripcion": "día de la sesión (AAAA-MM-DD)",
    }  # what portals read stays Spanish
