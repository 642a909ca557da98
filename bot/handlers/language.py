"""/idioma: each person reads the bot in their own language."""

from __future__ import annotations

from aiogram import Bot, Router
from aiogram.filters import Command
from aiogram.types import CallbackQuery, Message
from sqlmodel.ext.asyncio.session import AsyncSession

from bot import keyboards
from bot.callbacks import LanguageCB
from bot.commands import publish_person_commands
from bot.i18n import Catalogs, Translator, msg
from bot.render import help_text
from bot.replies import Replies
from bot.workflows.errors import UserError
from bot.workflows.membership.people import active_actor, choose_language, list_memberships
from db.models import Person


async def ask_language(message: Message, tr: Translator, catalogs: Catalogs, say: Replies) -> None:
    await say(
        tr.gettext("Elija su idioma. Las traducciones en borrador todavía no fueron revisadas."),
        reply_markup=keyboards.languages(catalogs, tr),
    )


async def set_language(
    query: CallbackQuery,
    callback_data: LanguageCB,
    bot: Bot,
    db: AsyncSession,
    person: Person | None,
    catalogs: Catalogs,
    say: Replies,
) -> None:
    if person is None:
        raise UserError(msg("Necesita una invitación de su comisión para usar esta función."))
    await choose_language(db, person, callback_data.code, set(catalogs.languages))
    tr = catalogs.translator(person.language)
    await query.answer(tr.gettext("✓ Idioma guardado"))
    actor = await active_actor(db, person)
    commissions = len({m.commission_id for m in await list_memberships(db, person)})
    if actor is not None:
        await publish_person_commands(bot, query.from_user.id, tr, actor.roles, commissions=commissions)
    await say.screen(
        tr.gettext("Listo: desde ahora le escribiré en {language}.", language=tr.language.native_name)
        + "\n\n"
        + help_text(tr, actor, commissions=commissions),
    )


def router() -> Router:
    r = Router(name="language")
    r.message.register(ask_language, Command("idioma", "language"))
    r.callback_query.register(set_language, LanguageCB.filter())
    return r
