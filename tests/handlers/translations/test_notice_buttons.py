"""Under a notice in Quechua or Aymara: «Ver en español» on legal notices (the Spanish text is the
authoritative one) and «⚑» while the language is an unreviewed draft; a Spanish reader gets neither."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

from aiogram.methods import SendMessage
from aiogram.types import InlineKeyboardMarkup
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.handlers.translations.ui import SpanishCB
from bot.i18n import LOCALES_DIR, Catalogs
from bot.notify import FLAG, SEE_SPANISH, enqueue_notices
from bot.workflows.notices import Notice
from bot.workflows.sessions.convocation import convene
from tests.harness import Harness, make_harness, plain
from tests.workflows.sessions.test_sessions import WED, Cra, make_cra, scheduled


async def convened_cra(
    sessionmaker: async_sessionmaker[AsyncSession], catalogs: Catalogs
) -> tuple[Cra, list[Notice]]:
    async with sessionmaker() as db, db.begin():
        cra = await make_cra(db)
        session = await scheduled(db, cra)
        convened = await convene(db, cra.secretary, session.id or 0, now=WED)
        await enqueue_notices(db, catalogs, convened.notices, now=WED)
    return cra, convened.notices


def labels(message: SendMessage) -> list[str]:
    markup = message.reply_markup
    assert isinstance(markup, InlineKeyboardMarkup)
    return [b.text for row in markup.inline_keyboard for b in row]


def convocation_to(harness: Harness, telegram_id: int) -> SendMessage:
    return next(m for m in harness.messages_to(telegram_id) if "📣" in m.text)


async def test_an_aymara_members_convocation_shows_its_spanish_text(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    catalogs = Catalogs()
    harness = make_harness(sessionmaker, catalogs)
    cra, _ = await convened_cra(sessionmaker, catalogs)
    await harness.sender.drain()
    ay, qu, es = catalogs.translator("ay"), catalogs.translator("qu"), catalogs.translator("es")
    observer = cra.observer.telegram_id or 0
    assert labels(convocation_to(harness, observer))[-2:] == [ay.render(SEE_SPANISH), ay.render(FLAG)]
    assert labels(convocation_to(harness, cra.president.telegram_id or 0))[-2:] == [
        qu.render(SEE_SPANISH),
        qu.render(FLAG),
    ]
    spanish_reader = next(p for p in cra.members if p.language == "es")
    assert es.render(SEE_SPANISH) not in labels(convocation_to(harness, spanish_reader.telegram_id or 0))

    aymara_text = convocation_to(harness, observer).text
    sent = await harness.user(observer, "Defensora").click(ay.render(SEE_SPANISH))
    shown = plain(next(r.text for r in sent if isinstance(r, SendMessage)))
    assert shown.startswith(ay.gettext("Texto en español (el que vale):"))
    assert "📣 Convocatoria a sesión ordinaria de" in shown
    assert "Orden del día:" in shown and "Plan anual 2027" in shown
    assert "Convocatoria" not in plain(aymara_text)  # the notice itself was in Aymara


async def test_another_readers_copy_is_refused_as_unknown(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    catalogs = Catalogs()
    harness = make_harness(sessionmaker, catalogs)
    cra, _ = await convened_cra(sessionmaker, catalogs)
    await harness.sender.drain()
    markup = convocation_to(harness, cra.observer.telegram_id or 0).reply_markup
    assert isinstance(markup, InlineKeyboardMarkup)
    data: Any = next(b.callback_data for b in markup.inline_keyboard[-1] if b.callback_data)
    copy_id = SpanishCB.unpack(data).copy_id
    president = harness.user(cra.president.telegram_id or 0)
    sent = await president.press(SpanishCB(copy_id=copy_id).pack())
    texts = [r.text for r in sent if isinstance(r, SendMessage)]
    assert texts == [catalogs.translator("qu").gettext("Ese mensaje ya no está disponible.")]


async def test_a_reviewed_language_keeps_ver_en_espanol_but_loses_the_flag(
    sessionmaker: async_sessionmaker[AsyncSession], tmp_path: Path
) -> None:
    shutil.copytree(LOCALES_DIR, tmp_path / "locales")
    po = tmp_path / "locales" / "ay" / "LC_MESSAGES" / "messages.po"
    po.write_text(po.read_text().replace('"X-Reviewed-By: \\n"', '"X-Reviewed-By: Revisora, ReNITLI 1\\n"'))
    catalogs = Catalogs(tmp_path / "locales")
    assert catalogs.languages["ay"].reviewed
    harness = make_harness(sessionmaker, catalogs)
    cra, _ = await convened_cra(sessionmaker, catalogs)
    await harness.sender.drain()
    tr = catalogs.translator("ay")
    assert labels(convocation_to(harness, cra.observer.telegram_id or 0))[-1:] == [tr.render(SEE_SPANISH)]
