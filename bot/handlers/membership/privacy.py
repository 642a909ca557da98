"""/mis_datos: what the bot stores about me, as text and a file; erasing it on request."""

from __future__ import annotations

import json
from datetime import datetime

from aiogram import Bot, F, Router
from aiogram.filters import Command
from aiogram.types import BotCommandScopeChat, CallbackQuery, Message
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.filters import PRIVATE
from bot.handlers.membership.ui import PrivacyCB, Step, erase_confirmation, erase_offer
from bot.i18n import Translator
from bot.render import how_to_join
from bot.replies import Replies
from bot.workflows.labels import ROLE_LABELS
from bot.workflows.membership.privacy import erase_person, my_data
from bot.workflows.notices import Notice
from db.models import Person


async def show_my_data(
    message: Message, db: AsyncSession, person: Person | None, tr: Translator, say: Replies
) -> None:
    if person is None:
        await say(tr.gettext("No guardo ningún dato suyo.") + "\n\n" + how_to_join(tr))
        return
    data = await my_data(db, person)
    lines = [
        tr.gettext("<b>Lo que guardo sobre usted</b>"),
        tr.gettext("Nombre: {name}", name=person.name),
        tr.gettext("Cuenta de Telegram: {id}", id=str(person.telegram_id)),
        tr.gettext("Idioma: {language}", language=tr.language.native_name),
        tr.gettext("Registrado el {date}", date=person.created_at),
    ]
    for m in data["memberships"]:
        role = tr.render(ROLE_LABELS[m["role"]])
        if m["institution"]:
            lines.append(f"• {m['commission']}: {role} — {m['institution']}")
        else:
            lines.append(f"• {m['commission']}: {role}")
    lines.append(
        tr.gettext(
            "También guardo su asistencia, votos y avances en las comisiones, que tienen valor "
            "legal. El archivo adjunto contiene todo."
        )
    )
    await say("\n".join(lines), reply_markup=erase_offer(tr))
    content = json.dumps(data, ensure_ascii=False, indent=2).encode()
    await say.document("mis_datos.json", content, caption=tr.gettext("Sus datos personales (Ley 29733)"))


async def ask_erase(query: CallbackQuery, person: Person | None, tr: Translator, say: Replies) -> None:
    await query.answer()
    if person is None:
        await say(how_to_join(tr))
        return
    await say(
        tr.gettext(
            "Se borrarán su nombre, su cuenta de Telegram y los mensajes guardados para usted, y "
            "dejará de recibir convocatorias. Sus votos y asistencias quedarán a nombre de su "
            "asiento e institución, porque tienen valor legal. ¿Continuar?"
        ),
        reply_markup=erase_confirmation(tr),
    )


async def erase(
    query: CallbackQuery,
    bot: Bot,
    db: AsyncSession,
    person: Person | None,
    tr: Translator,
    say: Replies,
    outbox: list[Notice],
    now: datetime,
) -> None:
    await query.answer()
    if person is None:
        await say(how_to_join(tr))
        return
    outbox.extend(await erase_person(db, person, now=now))
    await bot.delete_my_commands(scope=BotCommandScopeChat(chat_id=query.from_user.id))
    await say(
        tr.gettext(
            "Listo: sus datos personales fueron eliminados. Si vuelve a necesitar el bot, pida una "
            "invitación nueva."
        )
    )


def router() -> Router:
    r = Router(name="privacy")
    r.message.filter(PRIVATE)
    r.message.register(show_my_data, Command("mis_datos"))
    r.callback_query.register(ask_erase, PrivacyCB.filter(F.step == Step.ASK))
    r.callback_query.register(erase, PrivacyCB.filter(F.step == Step.ERASE))
    return r
