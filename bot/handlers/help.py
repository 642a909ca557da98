"""/ayuda and /help: what *this* person may do, in their role."""

from __future__ import annotations

from aiogram import Router
from aiogram.filters import Command
from aiogram.types import Message
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.i18n import Catalogs, Translator
from bot.render import help_text
from bot.replies import Replies
from bot.workflows.membership.people import active_actor_and_count
from bot.workflows.translations.reviewers import reviewer_languages
from db.models import Person


async def show_help(
    message: Message,
    db: AsyncSession,
    person: Person | None,
    tr: Translator,
    catalogs: Catalogs,
    say: Replies,
) -> None:
    if person is None:
        await say(help_text(tr, None))
        return
    actor, commissions = await active_actor_and_count(db, person)
    if actor is None and (languages := await reviewer_languages(db, person)):
        # A translator outside any commission (cra-bot translator add): their one command.
        names = ", ".join(catalogs.languages[c].native_name for c in languages if c in catalogs.languages)
        await say(
            tr.gettext("Usted revisa las traducciones: {languages}. Escriba /traducir.", languages=names)
        )
        return
    await say(help_text(tr, actor, commissions=commissions))


def router() -> Router:
    r = Router(name="help")
    r.message.register(show_help, Command("ayuda", "help"))
    return r
