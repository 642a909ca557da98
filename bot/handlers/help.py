"""/ayuda and /help: what *this* person may do, in their role."""

from __future__ import annotations

from aiogram import Router
from aiogram.filters import Command
from aiogram.types import Message
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.i18n import Catalogs, Translator
from bot.keyboards import REPORT_PROGRESS, liaison_keyboard
from bot.render import help_text
from bot.replies import Replies
from bot.workflows.membership.people import active_actor_and_count
from bot.workflows.translations.reviewers import reviewer_languages
from db.models import Person, Role


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
    if actor is not None and Role.LIAISON in actor.roles:
        await offer_progress_button(tr, say)


async def offer_progress_button(tr: Translator, say: Replies) -> None:
    """The liaison's persistent «Informar avance» button, under the text box from now on."""
    await say(
        tr.gettext(
            "Para informar el avance de sus acuerdos, toque «{button}» abajo.", button=REPORT_PROGRESS
        ),
        reply_markup=liaison_keyboard(tr),
    )


def router() -> Router:
    r = Router(name="help")
    r.message.register(show_help, Command("ayuda", "help"))
    return r
