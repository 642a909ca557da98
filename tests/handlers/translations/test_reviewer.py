"""The reviewer in the chat, end to end: a reader reports a wrong translation with «⚑», the
language's translator sees it first in /traducir with the Spanish and the suggestion, corrects it;
the next message uses the correction without a restart, and the trail records who changed it."""

from __future__ import annotations

from aiogram.methods import SendMessage
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.handlers.translations.ui import APPROVE
from bot.i18n import Catalogs
from bot.notify import FLAG, enqueue_notices
from bot.workflows.translations.reviewers import grant_translator
from db.models import OutboxMessage, TranslationChange, TranslationReport
from tests.handlers.translations.test_notice_buttons import convened_cra
from tests.harness import make_harness, plain
from tests.workflows.sessions.test_sessions import WED

CONVOCATION = "📣 Convocatoria a sesión {kind} de {commission}\n"
TRANSLATOR_ID = 700


async def test_report_review_and_the_next_message_uses_the_correction(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    catalogs = Catalogs()
    harness = make_harness(sessionmaker, catalogs)
    cra, notices = await convened_cra(sessionmaker, catalogs)
    async with sessionmaker() as db, db.begin():
        reviewer, _ = await grant_translator(
            db, TRANSLATOR_ID, "ay", languages=set(catalogs.languages), now=WED, name="Justina"
        )
    await harness.sender.drain()
    ay = catalogs.translator("ay")
    msgid = next(m for m in catalogs.entries["ay"] if m.startswith(CONVOCATION) and "Asistirá" in m)
    original = ay.template(msgid)

    reader = harness.user(cra.observer.telegram_id or 0, "Defensora")
    await reader.click(ay.render(FLAG))
    assert "📣 Convocatoria a sesión ordinaria" in plain(reader.last)  # she sees the Spanish to compare
    await reader.send("Jawsawi tantachawitaki")
    assert reader.last == ay.gettext("Gracias: su sugerencia quedó registrada para la persona traductora.")

    translator = harness.user(TRANSLATOR_ID, "Justina")
    await translator.send("/traducir")
    card = plain(translator.last)
    assert msgid.split("\n")[0] in card  # the reported string comes first, with its Spanish source
    assert "⚑ Jawsawi tantachawitaki" in card and "bot/workflows/sessions/convocation.py" in card

    corrected = original.replace("📣", "📣 [CORREGIDO]", 1)
    await translator.send(corrected)
    assert ay.gettext("Corregida: los próximos mensajes ya la usan.") in translator.texts

    # The next message: a notice queued outside any update (as the scheduler does) reads it too.
    async with sessionmaker() as db, db.begin():
        await enqueue_notices(db, catalogs, [n for n in notices if n.person_id == cra.observer.id], now=WED)
    await harness.sender.drain()
    convocations = [
        plain(m.text) for m in harness.messages_to(cra.observer.telegram_id or 0) if "📣" in m.text
    ]
    assert "[CORREGIDO]" not in convocations[0] and "📣 [CORREGIDO]" in convocations[-1]

    async with sessionmaker() as db:
        changes = (await db.exec(select(TranslationChange))).all()
        assert [(c.action, c.reviewer_id, c.reviewer_label, c.msgid, c.after) for c in changes] == [
            ("corrected", reviewer.id, "Justina", msgid, corrected)
        ]
        assert changes[0].before == original
        reports = (await db.exec(select(TranslationReport))).all()
        assert [(r.language, r.msgid, r.suggestion, r.resolved_at is not None) for r in reports] == [
            ("ay", msgid, "Jawsawi tantachawitaki", True)
        ]


async def test_a_correction_must_keep_the_placeholders_and_an_approval_is_recorded(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    catalogs = Catalogs()
    harness = make_harness(sessionmaker, catalogs)
    async with sessionmaker() as db, db.begin():
        await grant_translator(
            db, TRANSLATOR_ID, "qu", languages=set(catalogs.languages), now=WED, name="Hilario"
        )
    qu = catalogs.translator("qu")
    translator = harness.user(TRANSLATOR_ID, "Hilario")
    await translator.send("/traducir")
    first = plain(translator.last)
    msgid = next(m for m in catalogs.entries["qu"] if f"\n{m}\n" in first)
    if "{" in msgid:
        await translator.send("mana marcadorniyuq")
        assert (
            qu.gettext(
                "La traducción debe llevar los mismos marcadores que el español: {markers}", markers="x"
            ).split(":")[0]
            in translator.last
        )
    await translator.click(qu.render(APPROVE))
    assert qu.gettext("Aprobada.") in translator.texts
    assert msgid not in plain(translator.last)  # the next string is shown
    async with sessionmaker() as db:
        change = (await db.exec(select(TranslationChange))).one()
        assert (change.action, change.msgid, change.before, change.after) == (
            "approved",
            msgid,
            qu.template(msgid),
            qu.template(msgid),
        )


async def test_a_member_without_the_role_cannot_review(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    catalogs = Catalogs()
    harness = make_harness(sessionmaker, catalogs)
    cra, _ = await convened_cra(sessionmaker, catalogs)
    await harness.sender.drain()
    secretary = harness.user(cra.secretary.telegram_id or 0, "Rosa")
    sent = await secretary.send("/traducir")
    assert [r.text for r in sent if isinstance(r, SendMessage)] == [
        catalogs.translator("es").gettext(
            "Solo una persona traductora de ese idioma puede revisar sus traducciones."
        )
    ]
    async with sessionmaker() as db:
        assert (await db.exec(select(TranslationChange))).all() == []
        assert (
            await db.exec(select(OutboxMessage).where(OutboxMessage.chat_id == TRANSLATOR_ID))
        ).all() == []


async def test_a_translator_outside_any_commission_is_told_their_command(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    catalogs = Catalogs()
    harness = make_harness(sessionmaker, catalogs)
    async with sessionmaker() as db, db.begin():
        person, new = await grant_translator(
            db, TRANSLATOR_ID, "ay", languages=set(catalogs.languages), now=WED
        )
        again = await grant_translator(db, TRANSLATOR_ID, "ay", languages=set(catalogs.languages), now=WED)
    assert new and again == (person, False) and person.language == "ay"
    translator = harness.user(TRANSLATOR_ID, "Justina")
    await translator.send("/ayuda")
    ay = catalogs.translator("ay")
    assert translator.last == ay.gettext(
        "Usted revisa las traducciones: {languages}. Escriba /traducir.", languages="Aymar aru"
    )
