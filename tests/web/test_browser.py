"""The web side in a real browser (Debian's headless Chromium): the public page and the dashboard
at phone and desktop widths, a drill-down followed by clicking, a CSV downloaded. Screenshots go
to $CRA_SCREENSHOTS (or the test's temporary folder), to be looked at."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from aiohttp.test_utils import TestServer
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.i18n import Catalogs
from bot.web.app import build_app
from tests.conftest import NOW
from tests.web.browser import CHROMIUM, DESKTOP, PHONE, Browser
from tests.web.conftest import CONTRALORIA, Data, link_for

pytestmark = [
    pytest.mark.skipif(CHROMIUM is None, reason="no chromium on PATH (Debian: apt-get install chromium)"),
    pytest.mark.parametrize("engine", ["sqlite"], indirect=True),  # the routes' tests cover PostgreSQL
]


@pytest.fixture
def shots(tmp_path: Path) -> Path:
    folder = Path(os.environ.get("CRA_SCREENSHOTS") or tmp_path / "shots")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture
async def site(
    sessionmaker: async_sessionmaker[AsyncSession], catalogs: Catalogs, data: Data
) -> AsyncIterator[str]:
    app = build_app(sessionmaker, base_url="http://127.0.0.1", catalogs=catalogs, clock=lambda: NOW)
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    yield str(server.make_url("")).rstrip("/")
    await server.close()


@pytest.fixture
async def browser(tmp_path: Path) -> AsyncIterator[Browser]:
    b = await Browser.start(tmp_path / "profile")
    yield b
    await b.close()


@pytest.mark.parametrize(("label", "size"), [("phone", PHONE), ("desktop", DESKTOP)])
async def test_public_pages_in_a_browser(
    site: str, browser: Browser, shots: Path, tmp_path: Path, label: str, size: tuple[int, int]
) -> None:
    await browser.size(*size)
    await browser.open(site + "/")
    text = await browser.text()
    assert "Cusco" in text and "Ucayali" in text and "aún no usa el sistema" in text
    await browser.screenshot(shots / f"index_{label}.png")

    await browser.click('a[href="/cra/CUS"]')
    assert await browser.path() == "/cra/CUS"
    text = await browser.text()
    assert "Sesiones celebradas" in text and "10/03/2026" in text and "no alcanzado" in text
    assert CONTRALORIA in text and "Rosa Mamani" not in text
    assert not await browser.overflows(), "the page scrolls sideways; only its tables may"
    await browser.screenshot(shots / f"commission_{label}.png")

    saved = await browser.download('a[href^="/cra/CUS/asistencia.csv"]', tmp_path)
    content = saved.read_bytes()
    assert content.startswith(b"\xef\xbb\xbf") and CONTRALORIA in content.decode("utf-8-sig")


@pytest.mark.parametrize(("label", "size"), [("phone", PHONE), ("desktop", DESKTOP)])
async def test_the_dashboard_in_a_browser(
    site: str,
    browser: Browser,
    shots: Path,
    data: Data,
    sessionmaker: async_sessionmaker[AsyncSession],
    label: str,
    size: tuple[int, int],
) -> None:
    await browser.size(*size)
    async with sessionmaker.begin() as db:
        token = await link_for(db, data.people["analyst"])
    await browser.open(f"{site}/entrar/{token}")
    await browser.click("form button")  # the login link's button: a POST, then the dashboard
    assert await browser.path() == "/panel"
    text = await browser.text()
    assert "Vista nacional" in text and "CUS" in text and "PUN" in text
    assert not await browser.overflows()
    await browser.screenshot(shots / f"panel_{label}.png")

    await browser.click('a[href*="region=CUS"][href*="vencidos=1"]')  # a red cell → its agreements
    assert "vencidos=1" in await browser.path()
    text = await browser.text()
    assert "CUS-2026-002" in text and "Auditoría de obras viales" in text and "CUS-2026-001" not in text
    await browser.screenshot(shots / f"drill_{label}.png")

    await browser.open(f"{site}/panel?periodo=2026")
    await browser.click(
        'a[href^="/panel/sesiones?tipo=ordinaria"][href*="region=CUS"]'
    )  # sessions behind a cell
    text = await browser.text()
    assert "10/03/2026" in text and "realizada" in text
    await browser.click('main a[href^="/panel"]')  # back to the indicators
    await browser.click('a[href^="/panel/serie"]')
    text = await browser.text()
    assert "Serie mensual 2026" in text and "CUS" in text
    assert not await browser.overflows()
    await browser.screenshot(shots / f"series_{label}.png")


@pytest.mark.parametrize(
    ("lang", "plan", "indicators"),
    [("qu", "Watapa plannin", "Rikuchiqkuna 2026"), ("ay", "Maran amtapa", "Uñacht'ayirinaka 2026")],
)
async def test_the_pages_in_quechua_and_aymara_at_a_phones_width(
    site: str,
    browser: Browser,
    shots: Path,
    sessionmaker: async_sessionmaker[AsyncSession],
    data: Data,
    lang: str,
    plan: str,
    indicators: str,
) -> None:
    """Longer words, same layout: nothing scrolls sideways; the switch leads back to Spanish."""
    await browser.size(*PHONE)
    await browser.open(f"{site}/?lang={lang}")
    await browser.click('a[href^="/cra/CUS"]')  # the link carries the language
    text = await browser.text()
    assert plan in text and "Plan anual" not in text
    assert not await browser.overflows(), "the page scrolls sideways; only its tables may"
    await browser.screenshot(shots / f"commission_{lang}.png")
    async with sessionmaker.begin() as db:
        token = await link_for(db, data.people["analyst"])
    await browser.open(f"{site}/entrar/{token}?lang={lang}")
    await browser.click("form button")
    text = await browser.text()
    assert indicators in text and "Indicadores" not in text
    assert not await browser.overflows()
    await browser.screenshot(shots / f"panel_{lang}.png")
    await browser.click('nav.langs a[hreflang="es"]')
    assert "Indicadores 2026" in await browser.text()
