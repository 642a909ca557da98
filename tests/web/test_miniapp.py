"""The Mini App login: Telegram's initData checked with the bot token — forged, altered, expired
and valid signatures — then the same gate as /panel."""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from urllib.parse import urlencode

import pytest
from aiohttp import CookieJar
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.i18n import Catalogs
from bot.web.app import build_app
from bot.workflows.errors import AccessDenied
from bot.workflows.portal.miniapp import verify_init_data
from tests.conftest import NOW
from tests.web.conftest import Data

TOKEN = "123456:TEST-token_for-the-mini-app"


def init_data(user_id: int, *, token: str = TOKEN, signed_at: datetime = NOW, **extra: str) -> str:
    """initData as Telegram builds it: fields sorted into a check string, HMAC-SHA256 with a key
    that is HMAC-SHA256("WebAppData", bot token)."""
    fields = {
        "auth_date": str(int(signed_at.timestamp())),
        "query_id": "AAH-test",
        "user": json.dumps({"id": user_id, "first_name": "Luis", "language_code": "es"}),
        **extra,
    }
    check = "\n".join(f"{k}={v}" for k, v in sorted(fields.items()))
    secret = hmac.new(b"WebAppData", token.encode(), hashlib.sha256).digest()
    fields["hash"] = hmac.new(secret, check.encode(), hashlib.sha256).hexdigest()
    return urlencode(fields)


def test_a_valid_signature_names_the_telegram_account() -> None:
    assert verify_init_data(init_data(105), TOKEN, now=NOW + timedelta(minutes=3)) == 105


@pytest.mark.parametrize(
    "forged",
    [
        init_data(105, token="654321:another-bot-token"),  # signed by someone else
        init_data(105).replace("%22id%22%3A+105", "%22id%22%3A+101"),  # user changed after signing
        init_data(105, signed_at=NOW - timedelta(hours=2)),  # expired: a replayed copy
        init_data(105).split("&hash=")[0],  # no signature
        "",
        "x" * 5000,
    ],
    ids=["other-token", "altered", "expired", "unsigned", "empty", "huge"],
)
def test_forged_altered_or_expired_init_data_is_refused(forged: str) -> None:
    with pytest.raises(AccessDenied, match="No se pudo verificar"):
        verify_init_data(forged, TOKEN, now=NOW)


@pytest.fixture
async def client(
    sessionmaker: async_sessionmaker[AsyncSession], catalogs: Catalogs, data: Data
) -> AsyncIterator[TestClient]:
    app = build_app(
        sessionmaker,
        base_url="https://cra.example.gob.pe",
        catalogs=catalogs,
        clock=lambda: NOW,
        bot_token=TOKEN,
    )
    async with TestClient(TestServer(app), cookie_jar=CookieJar(unsafe=True)) as c:
        yield c


async def test_the_mini_app_opens_the_dashboard_for_an_analyst(client: TestClient) -> None:
    page = await client.get("/miniapp")
    assert page.status == 200 and '<script src="/static/miniapp.js">' in await page.text()
    assert "script-src 'self'" in page.headers["Content-Security-Policy"]
    response = await client.post("/miniapp", data={"initData": init_data(105)}, allow_redirects=False)
    assert response.status == 303 and response.headers["Location"] == "/panel"
    assert "Secure" in response.headers["Set-Cookie"] and "HttpOnly" in response.headers["Set-Cookie"]
    cookie = response.cookies["cra_sesion"].value
    panel = await client.get("/panel", cookies={"cra_sesion": cookie})
    assert panel.status == 200 and "Vista nacional" in await panel.text()


async def test_the_mini_app_refuses_forgeries_and_roles_without_the_dashboard(client: TestClient) -> None:
    for forged in (
        init_data(105, token="654321:another-bot-token"),
        init_data(105, signed_at=NOW - timedelta(days=1)),
    ):
        response = await client.post("/miniapp", data={"initData": forged}, allow_redirects=False)
        assert response.status == 403 and "No se pudo verificar" in await response.text()
    member = await client.post("/miniapp", data={"initData": init_data(103)}, allow_redirects=False)
    assert member.status == 403 and "Set-Cookie" not in member.headers
    stranger = await client.post("/miniapp", data={"initData": init_data(999)}, allow_redirects=False)
    assert stranger.status == 403


async def test_no_mini_app_without_a_bot_token(
    sessionmaker: async_sessionmaker[AsyncSession], catalogs: Catalogs, data: Data
) -> None:
    app = build_app(sessionmaker, base_url="http://x", catalogs=catalogs, clock=lambda: NOW)
    async with TestClient(TestServer(app)) as c:
        assert (await c.get("/miniapp")).status == 404
        assert (await c.post("/miniapp", data={"initData": init_data(105)})).status == 404
