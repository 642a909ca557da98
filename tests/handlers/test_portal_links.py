"""/portal and /panel through the real dispatcher: the links to the web side, in the reader's
language, only for the roles that may have them; the login link works once."""

from __future__ import annotations

import re

import pytest
import time_machine
from aiogram.methods import SendMessage
from aiogram.types import InlineKeyboardMarkup
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.workflows.errors import AccessDenied
from bot.workflows.portal.login import open_session
from db.models import AuditEntry, PublicationSetting, Role
from tests.conftest import NOW
from tests.handlers.conftest import Invite
from tests.handlers.test_reports_chat import join
from tests.harness import ChatUser, Harness, replies


async def member(harness: Harness, invite: Invite, uid: int) -> ChatUser:
    user = harness.user(uid, first_name="Ana")
    await user.join(await invite("CUS", Role.MEMBER, "Corte Superior de Justicia del Cusco", "Ana"))
    return user


@time_machine.travel(NOW, tick=False)
async def test_the_secretary_gets_the_public_page_and_can_withdraw_it(
    harness: Harness, invite: Invite, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    rosa = await join(harness, invite, 900, "CUS", Role.SECRETARY, "Rosa", "es")
    text = replies(await rosa.send("/portal"))[0]
    assert "http://127.0.0.1:8090/cra/CUS" in text and "/portal ocultar" in text

    assert replies(await rosa.send("/portal ocultar")) == [
        "La página pública de CUS está retirada. Para publicarla de nuevo: /portal publicar"
    ]
    async with sessionmaker() as db:
        row = (await db.exec(select(PublicationSetting))).one()
        assert row.published is False
        actions = [e.action for e in (await db.exec(select(AuditEntry))).all()]
        assert "publication.set" in actions
    assert "/cra/CUS" in replies(await rosa.send("/portal publicar"))[0]
    refused = replies(await rosa.send("/portal borrar"))
    assert refused == ["Escriba /portal, /portal publicar o /portal ocultar."]


@time_machine.travel(NOW, tick=False)
async def test_portal_in_quechua_and_refused_to_a_member(harness: Harness, invite: Invite) -> None:
    sisa = await join(harness, invite, 901, "CUS", Role.SECRETARY, "Sisa", "qu")
    text = replies(await sisa.send("/portal"))[0]
    assert "p'anqan" in text and "/cra/CUS" in text
    ana = await member(harness, invite, 902)
    assert replies(await ana.send("/portal")) == ["Su función en esta comisión no permite esta acción."]


@time_machine.travel(NOW, tick=False)
async def test_panel_sends_a_one_time_link_to_those_who_may_see_the_dashboard(
    harness: Harness, invite: Invite, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    luis = await join(harness, invite, 903, "CAN", Role.CAN_ANALYST, "Luis", "es")
    text = replies(await luis.send("/panel"))[0]
    assert "10 minutos" in text
    found = re.search(r"http://127\.0\.0\.1:8090/entrar/([A-Za-z0-9_-]+)\?lang=es", text)
    assert found is not None
    async with sessionmaker.begin() as db:
        assert await open_session(db, found[1], now=NOW)
    async with sessionmaker.begin() as db:
        with pytest.raises(AccessDenied, match="ya se usó o venció"):  # a link works once
            await open_session(db, found[1], now=NOW)

    ana = await member(harness, invite, 904)
    assert replies(await ana.send("/panel")) == ["Su función en esta comisión no permite esta acción."]


@time_machine.travel(NOW, tick=False)
async def test_behind_https_panel_also_offers_the_mini_app_button(harness: Harness, invite: Invite) -> None:
    harness.dp["web_base_url"] = "https://cra.example.gob.pe"
    luis = await join(harness, invite, 905, "CAN", Role.CAN_ANALYST, "Luis", "qu")
    requests = await luis.send("/panel")
    sent = [r for r in requests if isinstance(r, SendMessage)][-1]
    assert "https://cra.example.gob.pe/entrar/" in sent.text and "?lang=qu" in sent.text
    assert isinstance(sent.reply_markup, InlineKeyboardMarkup)
    button = sent.reply_markup.inline_keyboard[0][0]
    assert button.web_app is not None and button.web_app.url == "https://cra.example.gob.pe/miniapp"
    assert button.text != "Abrir el panel en Telegram"  # in Quechua
