"""/ayuda and /help: what *this* person may do, in their role."""

from __future__ import annotations

from aiogram import Router
from aiogram.filters import Command
from aiogram.types import Message
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.i18n import Translator
from bot.render import help_text
from bot.replies import Replies
from bot.workflows.membership.people import active_actor_and_count
from db.models import Person


async def show_help(
    message: Message, db: AsyncSession, person: Person | None, tr: Translator, say: Replies
) -> None:
    if person is None:
        await say(help_text(tr, None))
        return
    actor, commissions = await active_actor_and_count(db, person)
    await say(help_text(tr, actor, commissions=commissions))


def router() -> Router:
    r = Router(name="help")
    r.message.register(show_help, Command("ayuda", "help"))
    return r
